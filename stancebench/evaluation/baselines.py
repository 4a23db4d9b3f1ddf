"""Every baseline on one release, under two protocols, in one leaderboard: `run_baselines(...) -> Leaderboard`.

    >>> from stancebench.evaluation.baselines import run_baselines
    >>> board = run_baselines(cv=5, seed=0)          # the bundled release
    >>> print(board.as_table())
    >>> board.write("baselines")                      # RESULTS.md + results/<name>.<protocol>.json

The two protocols are `test` (fit on the train split, score the test split) and `cv`
(speaker-grouped K-fold cross-validation over every gold item, scored as one set), because the
gold set is small and one test split of a few items says little on its own.

Baselines are files in the source checkout's `baselines/` folder, not part of the installed
package (a package named `baselines` exists elsewhere), so the registry maps names to model specs
relative to the checkout; each is loaded by `stancebench.models.loading.load_model("python", ...)`,
as `stancebench eval --model` loads one. A baseline module may declare `REQUIRES` (module names)
and `EXTRA` (the extra that installs them); when one is missing, or the module fails to import a
module, the baseline is skipped with a one-line reason instead of failing the run. A `CAVEAT`
string, if present, is printed under the results.
"""

from __future__ import annotations

import difflib
import importlib.util
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import ModuleType
from typing import Any

from stancebench.errors import StancebenchError
from stancebench.evaluation.gold import load_gold
from stancebench.evaluation.leaderboard import DEFAULT_CV, DEFAULT_RESAMPLES, DEFAULT_SEED, PROTOCOLS, Entry, Leaderboard
from stancebench.evaluation.scoring import evaluate
from stancebench.models.loading import MissingModuleError, import_model_module, load_model, parse_model_spec
from stancebench.project import CONFIG_NAME, load_project, repository_root
from stancebench.release.dataset import packaged_release_dir

__all__ = ["BASELINES", "NOT_INCLUDED", "checkout_root", "select_baselines", "run_baselines"]

#: Baseline name -> `path.py[:FACTORY]`, relative to the checkout root (FACTORY defaults to `model`).
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


def checkout_root(start: str | Path | None = None) -> Path:
    """The source checkout holding `baselines/`: this package's own repository, else one at or above `start`."""
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


def _missing_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return True


def _skip_reason(err: MissingModuleError) -> str:
    return f"cannot import {err.module_name or 'a dependency'} ({err.detail})"


def _import_baseline(name: str, path: Path) -> ModuleType:
    if not path.is_file():
        raise StancebenchError(f"baseline {name}: file {path} not found")
    try:
        module = import_model_module(str(path))
    except MissingModuleError as err:
        raise _Skip(_skip_reason(err)) from None
    except StancebenchError as err:
        raise StancebenchError(f"baseline {name}: {err}") from None
    extra = getattr(module, "EXTRA", None)
    for requirement in getattr(module, "REQUIRES", ()):
        if _missing_module(requirement):
            hint = f" (pip install 'stancebench[{extra}]')" if extra else ""
            raise _Skip(f"needs {requirement}{hint}")
    return module


def _description(module: Any, attribute: str) -> str:
    def first_doc_line(obj: Any) -> str:
        return ((getattr(obj, "__doc__", None) or "").strip().splitlines() or [""])[0]

    text = first_doc_line(module).removeprefix("Baseline:").strip()
    if attribute != "model" and first_doc_line(getattr(module, attribute, None)):
        text = f"{text} {first_doc_line(getattr(module, attribute))}".strip()
    return (text[:1].upper() + text[1:]).replace("|", "\\|")


def _make_model(name: str, spec: str, seed: int) -> Any:
    try:
        model, _ = load_model("python", spec)
    except MissingModuleError as err:
        raise _Skip(_skip_reason(err)) from None
    except StancebenchError as err:
        raise StancebenchError(f"baseline {name}: {err}") from None
    # The run's seed reaches models that take one (random state of the classifiers).
    get_params, set_params = getattr(model, "get_params", None), getattr(model, "set_params", None)
    if callable(get_params) and callable(set_params):
        try:
            if "seed" in get_params():
                set_params(seed=seed)
        except Exception:  # noqa: BLE001 - a model without settable params keeps its own seed
            pass
    return model


def _shown(path: Path, corpus: Path | None) -> str:
    # Written files must not carry this machine's paths: the bundled release by name, a corpus's relative to it.
    resolved = path.resolve()
    if resolved == packaged_release_dir():
        return "stancebench/data (bundled)"
    if corpus is not None and resolved.is_relative_to(corpus.resolve()):
        return resolved.relative_to(corpus.resolve()).as_posix()
    return str(path)


def _dataset_info(release: Path | None, corpus: Path | None) -> dict[str, Any]:
    everything = load_gold(None, release=release)
    test = load_gold("test", release=release)
    try:
        n_train = len(load_gold("train", release=release))
    except StancebenchError:
        n_train = 0
    return {
        "name": everything.name,
        "version": everything.version,
        "release_content_hash": everything.release_content_hash,
        "content_hash": everything.content_hash,
        "source": _shown(Path(everything.source), corpus),
        "protocols": {
            "test": {"n_items": len(test), "n_train": n_train, "content_hash": test.content_hash},
            "cv": {"n_items": len(everything), "content_hash": everything.content_hash},
        },
    }


def _one_blas_thread() -> AbstractContextManager[object]:
    """numpy's and scipy's BLAS on one thread while baselines fit and predict.

    Their problems are small (a few thousand rows at most), so threads cost more than they give:
    on a 2-core machine, one thread fits the bundled release's baselines 2-3x faster. threadpoolctl
    comes with scikit-learn; it limits only the libraries already loaded, so scipy's own copy of
    BLAS (which scikit-learn loads anyway) is loaded first.
    """
    try:
        import scipy.linalg  # noqa: F401
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn without them
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run_entry(entry: Entry, spec: str, release: Path | None, dataset: dict[str, Any], *, cv: int, seed: int,
               resamples: int) -> None:
    file_part, attribute = parse_model_spec(spec)
    module = _import_baseline(entry.name, Path(file_part))
    entry.description = _description(module, attribute)
    entry.caveat = " ".join(str(getattr(module, "CAVEAT", "")).split())
    for protocol in PROTOCOLS:
        begun = time.perf_counter()
        model = _make_model(entry.name, spec, seed)
        descriptor = {"type": "python", "spec": entry.spec, "baseline": entry.name,
                      "class": f"{parse_model_spec(entry.spec)[0]}:{type(model).__qualname__}"}
        with _one_blas_thread():
            report = evaluate(model=model, split="test", release=release, cv=cv if protocol == "cv" else None,
                              resamples=resamples, seed=seed, model_descriptor=descriptor)
        report.options["protocol"] = protocol
        report.dataset["source"] = dataset["source"]
        entry.reports[protocol] = report
        entry.seconds[protocol] = time.perf_counter() - begun


def run_baselines(
    names: Sequence[str] | None = None,
    *,
    release: str | Path | None = None,
    corpus: str | Path | None = None,
    cv: int = DEFAULT_CV,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    root: str | Path | None = None,
    registry: Mapping[str, str] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Leaderboard:
    """Run baselines (default: all in the registry) on a release under both protocols.

    `release`: a release folder (default: `corpus`'s release, else the bundled one). `corpus`: the
    corpus folder the run belongs to; its `baselines/` is the default output folder. `cv`: folds
    of the grouped cross-validation. `seed` fixes folds, bootstrap and models; `resamples` the
    bootstrap size. `root`: the checkout whose `baselines/` the registry's specs are relative to
    (default: `checkout_root()`). `on_progress` receives one line per finished or skipped baseline.
    """
    if cv < 2:
        raise StancebenchError(f"--cv must be at least 2, got {cv}")
    if resamples < 1:
        raise StancebenchError(f"resamples must be at least 1, got {resamples}")
    registry = dict(BASELINES if registry is None else registry)
    selected = select_baselines(names, registry)
    root = Path(root) if root is not None else checkout_root()
    started = time.perf_counter()
    given = Path(release) if release is not None else None
    release_dir = given if given is not None or corpus is None else load_project(corpus).release_dir
    dataset = _dataset_info(release_dir, Path(corpus) if corpus is not None else None)
    say = on_progress or (lambda line: None)
    entries: list[Entry] = []
    for name in selected:
        entry = Entry(name=name, spec=registry[name])
        entries.append(entry)
        try:
            _run_entry(entry, str(root / registry[name]), release_dir, dataset, cv=cv, seed=seed, resamples=resamples)
        except _Skip as skip:
            entry.skipped, entry.reports, entry.seconds = str(skip), {}, {}
            say(f"Skipped {name}: {entry.skipped}")
            continue
        test, cross = entry.reports["test"], entry.reports["cv"]
        say(f"{name}: macro-F1 {test.headline['macro_f1'].value:.3f} (test), {cross.headline['macro_f1'].value:.3f} "
            f"({cv}-fold CV) in {sum(entry.seconds.values()):.1f} s")
    output = Path(corpus) if corpus is not None else root
    options = {"release": None if given is None else str(given), "only": selected if names else None,
               "cv": cv, "seed": seed, "resamples": resamples, "default_output_dir": str(output / "baselines")}
    return Leaderboard(entries=entries, dataset=dataset, options=options, seconds=time.perf_counter() - started,
                       not_included=dict(NOT_INCLUDED))
