"""Where a corpus lives: found like git finds a repository, from `stancebench.toml`.

A corpus folder holds `stancebench.toml`, `seeds/` and `annotations/`. Commands look for the
nearest parent folder with the config (or take `--root`), and fall back to this repository's
own corpus when run from a source checkout; that fallback is read-only (`require_writable`).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from stancebench import codebook
from stancebench.errors import InputError, StancebenchError
from stancebench.schema import LABELS
from stancebench.store import read_bytes, write_text_atomic

__all__ = ["CONFIG_NAME", "Project", "find_root", "init_corpus", "load_project", "release_dir_problem", "repository_root"]

CONFIG_NAME = "stancebench.toml"


@dataclass(frozen=True)
class Project:
    """A corpus folder and its configuration."""

    root: Path
    target_id: str = codebook.TARGET_ID
    target: str = codebook.TARGET
    labels: tuple[str, ...] = LABELS
    release_dir_name: str = "release"
    name: str = "stancebench"
    extra: dict = field(default_factory=dict)
    #: True when no config was found from the working folder and this source checkout stood in.
    is_fallback: bool = False

    def require_writable(self, command: str) -> None:
        """Refuse a writing command on the fallback corpus (this package's own checkout)."""
        if self.is_fallback:
            raise StancebenchError(
                f"no {CONFIG_NAME} in {Path.cwd()} or its parents, so '{command}' would write into this package's "
                f"own checkout ({self.root}); run it inside a corpus ('stancebench init DIR'), "
                f"or pass --root {self.root} if that is what you mean"
            )

    @property
    def seeds_dir(self) -> Path:
        """Folder of source articles."""
        return self.root / "seeds"

    @property
    def annotations_dir(self) -> Path:
        """Folder of human work under version control."""
        return self.root / "annotations"

    @property
    def statements_path(self) -> Path:
        """The extracted statements, one JSON object per line (statements.parquet when extract wrote that)."""
        jsonl = self.annotations_dir / "statements.jsonl"
        parquet = jsonl.with_suffix(".parquet")
        return parquet if parquet.exists() and not jsonl.exists() else jsonl

    @property
    def labels_dir(self) -> Path:
        """One append-only label log per annotator."""
        return self.annotations_dir / "labels"

    @property
    def adjudications_path(self) -> Path:
        """The adjudicator's decisions on disputed items (append-only log)."""
        return self.annotations_dir / "adjudications.jsonl"

    @property
    def gold_path(self) -> Path:
        """Gold labels derived by `adjudicate`."""
        return self.annotations_dir / "gold.jsonl"

    @property
    def guidelines_path(self) -> Path:
        """The codebook."""
        return self.annotations_dir / "GUIDELINES.md"

    @property
    def targets(self) -> dict[str, str]:
        """Target id -> description: the corpus's target, plus any `[targets]` table in the config."""
        extra = self.extra.get("targets", {}) if isinstance(self.extra, dict) else {}
        found = {str(k): v for k, v in extra.items() if isinstance(v, str)} if isinstance(extra, dict) else {}
        return {self.target_id: self.target, **found}

    @property
    def release_dir(self) -> Path:
        """Where `build` writes the Hugging Face dataset."""
        return self.root / self.release_dir_name


def release_dir_problem(root: Path, name: str) -> str | None:
    """Why `name` cannot be the release folder of the corpus at `root`, or None if it can.

    `build` replaces that folder whole, so it must be a folder of its own inside the corpus: a
    relative path with no '..' or hidden parts, not the corpus itself, annotations/ or seeds/
    (nor inside them), and, once symlinks are resolved, still inside the corpus.
    """
    parts = Path(name).parts
    if Path(name).is_absolute() or not parts:
        return "must be a relative path inside the corpus"
    if any(part == ".." or part.startswith(".") for part in parts):
        return "must not contain '..', '.' or hidden folders"
    base = root.resolve()
    resolved = (root / name).resolve()
    if not resolved.is_relative_to(base):
        return f"resolves to {resolved}, outside the corpus {base}"
    if resolved == base:
        return "must not be the corpus folder itself"
    for kept in ("annotations", "seeds", CONFIG_NAME):
        if resolved.is_relative_to((root / kept).resolve()):
            return f"must not be {kept}/ or inside it (resolves to {resolved})"
    return None


def repository_root() -> Path | None:
    """This source checkout's own corpus, if the package runs from one."""
    candidate = Path(__file__).resolve().parent.parent
    return candidate if (candidate / CONFIG_NAME).is_file() else None


def _nearest_config_folder(here: Path) -> Path | None:
    return next((folder for folder in (here, *here.parents) if (folder / CONFIG_NAME).is_file()), None)


def find_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above `start` holding `stancebench.toml`, else this repository."""
    here = Path(start or Path.cwd()).resolve()
    found = _nearest_config_folder(here)
    if found is not None:
        return found
    fallback = repository_root()
    if fallback is None:
        raise StancebenchError(
            f"no {CONFIG_NAME} found in {here} or its parents; create a corpus with 'stancebench init DIR'"
        )
    return fallback


def load_project(root: str | Path | None = None) -> Project:
    """Read the corpus config at `root` (or the one `find_root` finds)."""
    if root is not None:
        folder = Path(root).resolve()
        if not (folder / CONFIG_NAME).is_file():
            raise StancebenchError(f"{folder}: no {CONFIG_NAME} here; create one with 'stancebench init {root}'")
    else:
        folder = find_root()
    is_fallback = root is None and _nearest_config_folder(Path.cwd().resolve()) is None
    path = folder / CONFIG_NAME
    try:
        text = read_bytes(path, max_bytes=1 << 20).decode("utf-8")
        config = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(path, 0, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        # Python 3.11's error has no lineno attribute; the message ends "(at line N, column M)".
        where = re.search(r"\(at line (\d+)", str(err))
        problem = str(err).split(" (at")[0]
        raise InputError(path, int(where.group(1)) if where else 0, f"not valid TOML ({problem})") from None
    corpus = config.get("corpus", {})
    if not isinstance(corpus, dict):
        raise InputError(path, _line_of(text, None, "corpus"), "[corpus] must be a table")
    for key in ("target_id", "target"):
        if key not in corpus:
            raise InputError(path, _line_of(text, None, "corpus"),
                             f"no corpus.{key}: a corpus names its target (target_id and target under [corpus])")
    target_id, target = corpus["target_id"], corpus["target"]
    labels = corpus.get("labels", list(LABELS))
    release = corpus.get("release_dir", "release")
    name = corpus.get("name", folder.name)
    for key, value in (("target_id", target_id), ("target", target), ("release_dir", release), ("name", name)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(path, _line_of(text, "corpus", key), f"corpus.{key} must be a non-empty string")
    if not _TARGET_ID.match(target_id):
        raise InputError(path, _line_of(text, "corpus", "target_id"), f"corpus.target_id {target_id!r} must be {_TARGET_ID_RULE}")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise InputError(path, _line_of(text, "corpus", "labels"), "corpus.labels must be a non-empty list of strings")
    problem = release_dir_problem(folder, release)
    if problem is not None:
        raise InputError(path, _line_of(text, "corpus", "release_dir"), f"corpus.release_dir {release!r} {problem}")
    unknown = [x for x in labels if x not in LABELS]
    if unknown:
        raise InputError(path, _line_of(text, "corpus", "labels"),
                         f"corpus.labels: unknown label {unknown[0]!r} (expected a subset of: {', '.join(LABELS)})")
    repeated = sorted({x for x in labels if labels.count(x) > 1})
    if repeated:
        raise InputError(path, _line_of(text, "corpus", "labels"), f"corpus.labels: {repeated[0]!r} is listed twice")
    _check_tables(path, text, config)
    return Project(
        root=folder, target_id=target_id, target=target, labels=tuple(labels),
        release_dir_name=release, name=name, extra=config, is_fallback=is_fallback,
    )


def _check_tables(path: Path, text: str, config: dict) -> None:
    """`[release]` and `[targets]` hold text values only (`version = 1` is a mistake, not a version)."""
    for table in ("release", "targets"):
        section = config.get(table, {})
        if not isinstance(section, dict):
            raise InputError(path, _line_of(text, None, table), f"[{table}] must be a table")
        for key, value in section.items():
            if not isinstance(value, str):
                kind = type(value).__name__
                raise InputError(path, _line_of(text, table, key), f"{table}.{key} must be a string (got {kind})")
            if table == "targets" and not _TARGET_ID.match(key):
                raise InputError(path, _line_of(text, table, key), f"target id {key!r} must be {_TARGET_ID_RULE}")


def _line_of(text: str, table: str | None, key: str) -> int:
    """The line of `key = ...` inside `[table]` (or of the `[key]` header when table is None); 0 if not found."""
    section = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            section = header.group(1).strip('"')
            if table is None and section == key:
                return lineno
            continue
        if table is not None and section == table and re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
            return lineno
    return 0


_TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_TARGET_ID_RULE = "lower-case letters, digits, '.', '_' or '-' (at most 80 characters)"


def init_corpus(folder: str | Path, target_id: str, target: str, *, labels: tuple[str, ...] = LABELS) -> Project:
    """Create a corpus folder: config, seeds/, annotations/labels/ and a codebook template.

    Refuses a folder that already holds a corpus config, so nothing is overwritten.
    """
    folder = Path(folder)
    if not _TARGET_ID.match(target_id):
        raise StancebenchError(f"target id {target_id!r} must be {_TARGET_ID_RULE}")
    if not target.strip() or "\n" in target:
        raise StancebenchError("target description must be one non-empty line")
    if (folder / CONFIG_NAME).exists():
        raise StancebenchError(f"{folder / CONFIG_NAME}: a corpus already exists here")
    if folder.exists() and not folder.is_dir():
        raise StancebenchError(f"{folder}: exists and is not a folder")
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    (folder / "annotations" / "labels").mkdir(parents=True, exist_ok=True)
    template = (Path(__file__).parent / "resources" / "GUIDELINES.template.md").read_text(encoding="utf-8")
    guidelines = folder / "annotations" / "GUIDELINES.md"
    if not guidelines.exists():
        write_text_atomic(guidelines, template.replace("{target}", target).replace("{target_id}", target_id))
    config = (
        "# A stancebench corpus: seeds/ -> annotations/ -> release/\n"
        "[corpus]\n"
        f"name = {json.dumps(folder.resolve().name)}\n"
        f"target_id = {json.dumps(target_id)}\n"
        f"target = {json.dumps(target)}\n"
        f"labels = [{', '.join(json.dumps(label) for label in labels)}]\n"
        'release_dir = "release"\n'
    )
    write_text_atomic(folder / CONFIG_NAME, config)
    return load_project(folder)
