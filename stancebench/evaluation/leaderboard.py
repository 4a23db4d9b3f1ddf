"""Every baseline on one release, under two protocols, in one leaderboard: `run_baselines(...) -> Leaderboard`.

    >>> from stancebench.evaluation.leaderboard import run_baselines
    >>> board = run_baselines(cv=5, seed=0)          # the bundled release
    >>> print(board.as_table())
    >>> board.write("baselines")                      # RESULTS.md + results/<name>.<protocol>.json

The two protocols are `test` (fit on the train split, score the test split) and `cv`
(speaker-grouped K-fold cross-validation over every gold item, scored as one set), because the
gold set is small and one test split of a few items says little on its own.

Baselines are files in the source checkout's `baselines/` folder, not part of the installed
package (a package named `baselines` exists elsewhere), so the registry maps names to file specs
relative to the repository root. A baseline module may declare `REQUIRES` (module names) and
`EXTRA` (the extra that installs them); when one is missing, or the module raises ImportError
on import, the baseline is skipped with a one-line reason instead of failing the run. A
`CAVEAT` string, if present, is printed under the results.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import platform
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebench.errors import StancebenchError
from stancebench.evaluation.report import Report, now
from stancebench.store import write_text_atomic

__all__ = [
    "BASELINES",
    "PROTOCOLS",
    "NOT_INCLUDED",
    "DEFAULT_CV",
    "Entry",
    "Leaderboard",
    "checkout_root",
    "select_baselines",
    "run_baselines",
]

#: Baseline name -> `path.py[:FACTORY]`, relative to the repository root (FACTORY defaults to `model`).
BASELINES: dict[str, str] = {
    "majority": "baselines/majority.py",
    "hedge_cues": "baselines/hedge_cues.py",
    "tfidf_logreg": "baselines/tfidf_logreg.py",
    "tfidf_logreg_affiliation": "baselines/tfidf_logreg.py:with_affiliation",
    "minilm_logreg": "baselines/minilm_logreg.py",
}
#: Baselines the issue asked for that cannot run here, and why (listed in RESULTS.md).
NOT_INCLUDED: dict[str, str] = {
    "nli_zero_shot": (
        "left out: no NLI model can be obtained offline here (models are never downloaded); "
        "score a local one with `stancebench eval --hf-model PATH`"
    ),
}
#: `test`: fit on train, score test. `cv`: speaker-grouped K-fold CV over every gold item.
PROTOCOLS: tuple[str, ...] = ("test", "cv")
DEFAULT_CV = 5
DEFAULT_SEED = 0
DEFAULT_RESAMPLES = 1000
RESULTS_FILE = "RESULTS.md"
RESULTS_DIR = "results"
_METRIC_TITLES = {"macro_f1": "Macro-F1", "f_avg": "F_avg"}


@dataclass
class Entry:
    """One baseline's outcome: a Report per protocol, or the reason it was skipped."""

    name: str
    spec: str
    description: str = ""
    caveat: str = ""
    reports: dict[str, Report] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None

    @property
    def is_skipped(self) -> bool:
        """True when the baseline did not run."""
        return self.skipped is not None

    def headline(self, protocol: str, metric: str = "macro_f1") -> float:
        """A headline value under a protocol (-1 when skipped, so it sorts last)."""
        report = self.reports.get(protocol)
        return report.headline[metric].value if report else -1.0


@dataclass
class Leaderboard:
    """Every selected baseline under both protocols, with the dataset and options that produced it."""

    entries: list[Entry]
    dataset: dict[str, Any]
    options: dict[str, Any]
    seconds: float = 0.0
    created: str = ""

    def ranked(self, protocol: str) -> list[Entry]:
        """Baselines that ran, best macro-F1 first (then F_avg, then registry order)."""
        ran = [(i, e) for i, e in enumerate(self.entries) if protocol in e.reports]
        ran.sort(key=lambda pair: (-pair[1].headline(protocol), -pair[1].headline(protocol, "f_avg"), pair[0]))
        return [entry for _, entry in ran]

    @property
    def skipped(self) -> list[Entry]:
        """Baselines that did not run."""
        return [e for e in self.entries if e.is_skipped]

    def protocol_title(self, protocol: str) -> str:
        """A protocol's name as the tables show it."""
        if protocol == "test":
            return "Train → test"
        return f"Speaker-grouped {self.options['cv']}-fold CV over all items"

    # -- reproducing ---------------------------------------------------------------------------

    def command(self, output_dir: str | Path | None = None) -> str:
        """The `stancebench baselines` command line that reproduces this leaderboard."""
        parts = ["stancebench", "baselines"]
        if self.options.get("release") is not None:
            parts += ["--release", str(self.options["release"])]
        for name in self.options.get("only") or ():
            parts += ["--only", name]
        defaults = {"cv": DEFAULT_CV, "seed": DEFAULT_SEED, "resamples": DEFAULT_RESAMPLES}
        for option, default in defaults.items():
            if self.options.get(option, default) != default:
                parts += [f"--{option}", str(self.options[option])]
        if output_dir is not None and not _same_path(output_dir, self.options.get("default_output_dir")):
            parts += ["--output-dir", str(output_dir)]
        return shlex.join(parts)

    # -- terminal ------------------------------------------------------------------------------

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        parts: list[Any] = []
        for protocol in PROTOCOLS:
            n = self.dataset["protocols"][protocol]["n_items"]
            table = Table(title=f"{self.protocol_title(protocol)} (n={n})", title_justify="left")
            for column in ("#", "baseline", "macro-F1 [95% CI]", "F_avg [95% CI]", "accuracy", "coverage", "seconds"):
                table.add_column(column, justify="left" if column == "baseline" else "right", no_wrap=True)
            for rank, entry in enumerate(self.ranked(protocol), start=1):
                report = entry.reports[protocol]
                macro, f_avg = report.headline["macro_f1"], report.headline["f_avg"]
                table.add_row(str(rank), entry.name, f"{macro.value:.3f} {_interval(macro)}",
                              f"{f_avg.value:.3f} {_interval(f_avg)}", f"{report.headline['accuracy'].value:.3f}",
                              f"{report.coverage['coverage']:.3f}", f"{entry.seconds.get(protocol, 0.0):.1f}")
            for entry in self.skipped:
                table.add_row("–", entry.name, "skipped", "", "", "", "")
            parts.append(table)
        data = self.dataset
        lines = [f"{data['name']} {data['version'] or ''}, release {data['release_content_hash'] or data['content_hash']}",
                 f"seed {self.options['seed']}, {self.options['resamples']} bootstrap resamples, {self.seconds:.1f} s in all"]
        lines += [f"Skipped {e.name}: {e.skipped}" for e in self.skipped]
        parts += [Text(line) for line in lines]
        return Group(*parts)

    def as_table(self, width: int = 120) -> str:
        """The leaderboard as plain text (what `stancebench baselines` prints)."""
        from rich.console import Console

        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False).print(self)
        return buffer.getvalue()

    # -- files -----------------------------------------------------------------------------------

    def report_path(self, name: str, protocol: str) -> str:
        """Where a baseline's JSON report goes, relative to the output folder."""
        return f"{RESULTS_DIR}/{name}.{protocol}.json"

    def to_markdown(self, output_dir: str | Path | None = None) -> str:
        """RESULTS.md: the leaderboard, the dataset and its hash, the protocol and how to reproduce it."""
        data, options = self.dataset, self.options
        protocols = data["protocols"]
        out = [
            "# Baseline results",
            "",
            "<!-- Generated by `stancebench baselines`; do not edit by hand: re-run the command below. -->",
            "",
            "Reproduce from the repository root (the run is deterministic for a fixed seed; wall times vary):",
            "",
            "```bash",
            'pip install -e ".[embeddings]"',
            self.command(output_dir),
            "```",
            "",
            "## Dataset",
            "",
            f"- name: `{data['name']}`, version: `{data['version']}`, source: `{data['source']}`",
            f"- release content hash: `{data['release_content_hash']}`",
            f"- items: {protocols['cv']['n_items']} gold statements (train {protocols['test']['n_train']}, "
            f"test {protocols['test']['n_items']}); labels support, oppose, hedge",
            f"- content hash of the scored items: test `{protocols['test']['content_hash']}`, "
            f"all `{protocols['cv']['content_hash']}`",
            "",
            "## Protocol",
            "",
            f"- **{self.protocol_title('test')}**: each baseline is fitted on `train` and scores `test`.",
            f"- **{self.protocol_title('cv')}**: speaker-grouped, label-stratified {options['cv']}-fold "
            "cross-validation over every gold item (no speaker in both a fold's training and test part); "
            "each item is predicted once, by a model fitted without its speaker, and all predictions are scored "
            "as one set. The gold set is small, so this is the more stable figure.",
            f"- Metrics: macro-F1 over support/oppose/hedge and F_avg (mean F1 of support and oppose, SemEval-2016), "
            f"with 95% percentile bootstrap intervals ({options['resamples']} resamples of items, seed "
            f"{options['seed']}); the seed also fixes the folds and the models' random state. "
            "Missing predictions count as wrong (coverage).",
            "",
        ]
        for protocol in PROTOCOLS:
            out += [f"## {self.protocol_title(protocol)} (n = {protocols[protocol]['n_items']})", "",
                    "| # | baseline | macro-F1 [95% CI] | F_avg [95% CI] | accuracy | coverage | report |",
                    "| ---: | --- | --- | --- | ---: | ---: | --- |"]
            for rank, entry in enumerate(self.ranked(protocol), start=1):
                report = entry.reports[protocol]
                macro, f_avg = report.headline["macro_f1"], report.headline["f_avg"]
                coverage = report.coverage
                path = self.report_path(entry.name, protocol)
                out.append(
                    f"| {rank} | `{entry.name}` | {macro.value:.3f} {_interval(macro)} | {f_avg.value:.3f} {_interval(f_avg)} "
                    f"| {report.headline['accuracy'].value:.3f} | {coverage['coverage']:.3f} "
                    f"({coverage['n_predicted']}/{coverage['n_items']}) | [{Path(path).name}]({path}) |"
                )
            for entry in self.skipped:
                out.append(f"| – | `{entry.name}` | skipped | | | | |")
            out.append("")
        out += ["## Baselines", "", "| baseline | file | what it is |", "| --- | --- | --- |"]
        out += [f"| `{e.name}` | `{e.spec}` | {e.description} |" for e in self.entries]
        out.append("")
        caveats = [e for e in self.entries if e.caveat]
        if caveats:
            out += ["Caveats:", ""]
            out += [f"- `{e.name}`: {e.caveat}" for e in caveats]
            out.append("")
        if self.skipped or NOT_INCLUDED:
            out += ["## Skipped and not included", ""]
            out += [f"- `{e.name}`: skipped in this run: {e.skipped}" for e in self.skipped]
            out += [f"- `{name}`: {reason}" for name, reason in NOT_INCLUDED.items()]
            out.append("")
        out += ["## Wall time", "", "| baseline | train → test (s) | CV (s) | total (s) |", "| --- | ---: | ---: | ---: |"]
        for entry in self.entries:
            if entry.is_skipped:
                out.append(f"| `{entry.name}` | – | – | – |")
                continue
            test, cv = entry.seconds.get("test", 0.0), entry.seconds.get("cv", 0.0)
            out.append(f"| `{entry.name}` | {test:.2f} | {cv:.2f} | {test + cv:.2f} |")
        out += [f"| whole run | | | {self.seconds:.2f} |", "",
                "Times include loading each model (for `minilm_logreg`, embedding the texts unless they are "
                "already in the on-disk embedding cache).", "",
                "## Environment", "", f"- generated {self.created} with {_environment()}", ""]
        return "\n".join(out)

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write RESULTS.md and one JSON report per baseline and protocol, atomically; returns the paths."""
        output_dir = Path(output_dir)
        written: list[Path] = []
        for entry in self.entries:
            for protocol, report in entry.reports.items():
                path = output_dir / self.report_path(entry.name, protocol)
                report.save(path)
                written.append(path)
        results = output_dir / RESULTS_FILE
        write_text_atomic(results, self.to_markdown(output_dir))
        written.append(results)
        return written


def _interval(estimate: Any) -> str:
    return f"[{estimate.ci_low:.3f}, {estimate.ci_high:.3f}]"


def _same_path(a: str | Path | None, b: str | Path | None) -> bool:
    return a is not None and b is not None and Path(a).resolve() == Path(b).resolve()


def _environment() -> str:
    from importlib.metadata import PackageNotFoundError, version

    import stancebench

    parts = [f"stancebench {stancebench.__version__}", f"Python {platform.python_version()}"]
    for package in ("scikit-learn", "numpy", "sentence-transformers", "torch"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            continue
    return ", ".join(parts) + f" on {platform.system()} {platform.machine()}"


# --- finding and loading baselines -------------------------------------------------------------


def checkout_root(start: str | Path | None = None) -> Path:
    """The source checkout holding `baselines/`: this package's own repository, else one at or above `start`."""
    from stancebench.project import CONFIG_NAME, repository_root

    candidates = [repository_root()]
    here = Path(start or Path.cwd()).resolve()
    candidates += [folder for folder in (here, *here.parents) if (folder / CONFIG_NAME).is_file()]
    for folder in candidates:
        if folder is not None and (folder / "baselines").is_dir():
            return folder
    raise StancebenchError(
        "baselines/ not found: the baselines are files in the stancebench source checkout, not part of the "
        "installed package; run 'stancebench baselines' inside a clone of the repository"
    )


def select_baselines(only: Sequence[str] | None, registry: Mapping[str, str] | None = None) -> list[str]:
    """The names to run, in registry order; an unknown name raises with a did-you-mean hint."""
    registry = BASELINES if registry is None else registry
    if not only:
        return list(registry)
    for name in only:
        if name not in registry:
            if name in NOT_INCLUDED:
                raise StancebenchError(f"baseline '{name}' is not available: {NOT_INCLUDED[name]}")
            close = difflib.get_close_matches(name, list(registry), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise StancebenchError(f"unknown baseline '{name}'{hint} (baselines: {', '.join(registry)})")
    wanted = set(only)
    return [name for name in registry if name in wanted]


class _Skip(Exception):
    """A baseline that cannot run here (a missing optional dependency)."""


def _split_spec(spec: str) -> tuple[str, str]:
    path, sep, attribute = spec.rpartition(":")
    return (path, attribute) if sep and attribute.isidentifier() else (spec, "model")


def _missing_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return True


def _import_baseline(name: str, path: Path) -> Any:
    from stancebench.models.loading import import_python_file

    if not path.is_file():
        raise StancebenchError(f"baseline {name}: file {path} not found")
    try:
        return import_python_file(path, f"_stancebench_baseline_{name}")
    except ImportError as err:
        raise _Skip(f"cannot import {err.name or 'a dependency'} ({_first_line(err)})") from None
    except StancebenchError as err:
        raise StancebenchError(f"baseline {name}: {err}") from None
    except Exception as err:  # noqa: BLE001 - a broken baseline is one line, not a traceback
        raise StancebenchError(f"baseline {name}: {path} raised on import: {type(err).__name__}: {_first_line(err)}") from None


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


def _check_requirements(module: Any) -> None:
    extra = getattr(module, "EXTRA", None)
    for requirement in getattr(module, "REQUIRES", ()):
        if _missing_module(requirement):
            hint = f" (pip install 'stancebench[{extra}]')" if extra else ""
            raise _Skip(f"needs {requirement}{hint}")


def _description(module: Any, attribute: str) -> str:
    def first_line(obj: Any) -> str:
        return ((getattr(obj, "__doc__", None) or "").strip().splitlines() or [""])[0]

    text = first_line(module).removeprefix("Baseline:").strip()
    if attribute != "model" and first_line(getattr(module, attribute, None)):
        text = f"{text} {first_line(getattr(module, attribute))}".strip()
    return (text[:1].upper() + text[1:]).replace("|", "\\|")


def _make_model(name: str, module: Any, attribute: str, seed: int) -> Any:
    if not hasattr(module, attribute):
        raise StancebenchError(f"baseline {name}: {module.__file__} has no attribute '{attribute}'")
    factory = getattr(module, attribute)
    try:
        model = factory() if callable(factory) and not hasattr(factory, "predict") else factory
    except ImportError as err:
        raise _Skip(f"cannot import {err.name or 'a dependency'} ({_first_line(err)})") from None
    except Exception as err:  # noqa: BLE001
        raise StancebenchError(f"baseline {name}: {attribute}() raised: {type(err).__name__}: {_first_line(err)}") from None
    # The run's seed reaches models that take one (random state of the classifiers).
    get_params, set_params = getattr(model, "get_params", None), getattr(model, "set_params", None)
    if callable(get_params) and callable(set_params):
        try:
            if "seed" in get_params():
                set_params(seed=seed)
        except Exception:  # noqa: BLE001 - a model without settable params keeps its own seed
            pass
    return model


# --- running ------------------------------------------------------------------------------------


def _dataset_info(release: str | Path | None) -> dict[str, Any]:
    from stancebench.evaluation.gold import load_gold
    from stancebench.release.dataset import packaged_release_dir

    everything = load_gold(None, release=release)
    test = load_gold("test", release=release)
    try:
        n_train = len(load_gold("train", release=release))
    except StancebenchError:
        n_train = 0
    source = Path(everything.source)
    bundled = _same_path(source, packaged_release_dir())
    return {
        "name": everything.name,
        "version": everything.version,
        "release_content_hash": everything.release_content_hash,
        "content_hash": everything.content_hash,
        # Reports committed to the repository must not carry this machine's paths.
        "source": "stancebench/data (bundled)" if bundled else str(source),
        "protocols": {
            "test": {"n_items": len(test), "n_train": n_train, "content_hash": test.content_hash},
            "cv": {"n_items": len(everything), "content_hash": everything.content_hash},
        },
    }


def run_baselines(
    names: Sequence[str] | None = None,
    *,
    release: str | Path | None = None,
    cv: int = DEFAULT_CV,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    root: str | Path | None = None,
    registry: Mapping[str, str] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Leaderboard:
    """Run baselines (default: all in the registry) on a release under both protocols.

    `release`: a release folder (default: the bundled one). `cv`: folds of the grouped
    cross-validation. `seed` fixes folds, bootstrap and models; `resamples` the bootstrap size.
    `root`: the checkout whose `baselines/` the registry's specs are relative to (default:
    `checkout_root()`). `on_progress` receives one line per finished or skipped baseline.
    """
    from stancebench.evaluation.scoring import evaluate

    if cv < 2:
        raise StancebenchError(f"--cv must be at least 2, got {cv}")
    if resamples < 1:
        raise StancebenchError(f"resamples must be at least 1, got {resamples}")
    registry = dict(BASELINES if registry is None else registry)
    selected = select_baselines(names, registry)
    root = Path(root) if root is not None else checkout_root()
    started = time.perf_counter()
    dataset = _dataset_info(release)
    # Imported once up front, so the first baseline's time is not charged for them.
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    say = on_progress or (lambda line: None)
    entries: list[Entry] = []
    for name in selected:
        spec = registry[name]
        file_part, attribute = _split_spec(spec)
        entry = Entry(name=name, spec=spec)
        entries.append(entry)
        try:
            module = _import_baseline(name, root / file_part)
            entry.description = _description(module, attribute)
            entry.caveat = " ".join(str(getattr(module, "CAVEAT", "")).split())
            _check_requirements(module)
            for protocol in PROTOCOLS:
                begun = time.perf_counter()
                model = _make_model(name, module, attribute, seed)
                descriptor = {"type": "python", "spec": spec, "baseline": name,
                              "class": f"{file_part}:{type(model).__qualname__}"}
                report = evaluate(
                    model=model, split="test", release=release, cv=cv if protocol == "cv" else None, resamples=resamples,
                    seed=seed, model_descriptor=descriptor,
                )
                report.options["protocol"] = protocol
                report.dataset["source"] = dataset["source"]
                entry.reports[protocol] = report
                entry.seconds[protocol] = time.perf_counter() - begun
        except _Skip as skip:
            entry.skipped, entry.reports, entry.seconds = str(skip), {}, {}
            say(f"Skipped {name}: {entry.skipped}")
            continue
        test, cross = entry.reports["test"], entry.reports["cv"]
        say(f"{name}: macro-F1 {test.headline['macro_f1'].value:.3f} (test), {cross.headline['macro_f1'].value:.3f} "
            f"({cv}-fold CV) in {sum(entry.seconds.values()):.1f} s")
    options = {"release": None if release is None else str(release), "only": selected if names else None,
               "cv": cv, "seed": seed, "resamples": resamples, "default_output_dir": str(root / "baselines")}
    return Leaderboard(entries=entries, dataset=dataset, options=options, seconds=time.perf_counter() - started,
                       created=now())
