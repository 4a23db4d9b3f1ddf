"""A leaderboard: every baseline's Report under each protocol, as a terminal table and as RESULTS.md.

`stancebench.evaluation.baselines.run_baselines` builds one; `Leaderboard.write(folder)` writes
RESULTS.md and results/<name>.<protocol>.json with no timestamps or wall times in them, so a re-run
with the same seed leaves the written files byte-identical (timings go to the console only).
"""

from __future__ import annotations

import io
import platform
import shlex
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import stancebench
from stancebench.evaluation.report import Report
from stancebench.store import write_text_atomic

__all__ = ["PROTOCOLS", "DEFAULT_CV", "DEFAULT_SEED", "DEFAULT_RESAMPLES", "Entry", "Leaderboard"]

#: `test`: fit on train, score test. `cv`: speaker-grouped K-fold CV over every gold item.
PROTOCOLS: tuple[str, ...] = ("test", "cv")
DEFAULT_CV = 5
DEFAULT_SEED = 0
DEFAULT_RESAMPLES = 1000
RESULTS_FILE = "RESULTS.md"
RESULTS_DIR = "results"


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
    #: Baselines that exist in name only, and why (listed in RESULTS.md).
    not_included: dict[str, str] = field(default_factory=dict)

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
        out = [
            "# Baseline results", "",
            "<!-- Generated by `stancebench baselines`; do not edit by hand: re-run the command below. -->", "",
            "Reproduce from the corpus folder (the run is deterministic for a fixed seed; wall times are printed, "
            "not recorded):", "",
            "```bash", 'pip install -e ".[embeddings]"', self.command(output_dir), "```", "",
            *self._dataset_lines(), *self._protocol_lines(),
        ]
        for protocol in PROTOCOLS:
            out += self._table_lines(protocol)
        out += self._baseline_lines()
        out += ["## Environment", "", f"- {_environment()}", ""]
        return "\n".join(out)

    def _dataset_lines(self) -> list[str]:
        data, protocols = self.dataset, self.dataset["protocols"]
        return [
            "## Dataset", "",
            f"- name: `{data['name']}`, version: `{data['version']}`, source: `{data['source']}`",
            f"- release content hash: `{data['release_content_hash']}`",
            f"- items: {protocols['cv']['n_items']} gold statements (train {protocols['test']['n_train']}, "
            f"test {protocols['test']['n_items']}); labels support, oppose, hedge",
            f"- content hash of the scored items: test `{protocols['test']['content_hash']}`, "
            f"all `{protocols['cv']['content_hash']}`", "",
        ]

    def _protocol_lines(self) -> list[str]:
        options = self.options
        return [
            "## Protocol", "",
            f"- **{self.protocol_title('test')}**: each baseline is fitted on `train` and scores `test`.",
            f"- **{self.protocol_title('cv')}**: speaker-grouped, label-stratified {options['cv']}-fold "
            "cross-validation over every gold item (no speaker in both a fold's training and test part); "
            "each item is predicted once, by a model fitted without its speaker, and all predictions are scored "
            "as one set. The gold set is small, so this is the more stable figure.",
            f"- Metrics: macro-F1 over support/oppose/hedge and F_avg (mean F1 of support and oppose, SemEval-2016), "
            f"with 95% percentile bootstrap intervals ({options['resamples']} resamples of items, seed "
            f"{options['seed']}); the seed also fixes the folds and the models' random state. "
            "Missing predictions count as wrong (coverage).", "",
        ]

    def _table_lines(self, protocol: str) -> list[str]:
        out = [f"## {self.protocol_title(protocol)} (n = {self.dataset['protocols'][protocol]['n_items']})", "",
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
        out += [f"| – | `{entry.name}` | skipped | | | | |" for entry in self.skipped]
        return [*out, ""]

    def _baseline_lines(self) -> list[str]:
        out = ["## Baselines", "", "| baseline | file | what it is |", "| --- | --- | --- |"]
        out += [f"| `{e.name}` | `{e.spec}` | {e.description} |" for e in self.entries]
        out.append("")
        caveats = [e for e in self.entries if e.caveat]
        if caveats:
            out += ["Caveats:", "", *(f"- `{e.name}`: {e.caveat}" for e in caveats), ""]
        if self.skipped or self.not_included:
            out += ["## Skipped and not included", ""]
            out += [f"- `{e.name}`: skipped in this run: {e.skipped}" for e in self.skipped]
            out += [f"- `{name}`: {reason}" for name, reason in self.not_included.items()]
            out.append("")
        return out

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write RESULTS.md and one JSON report per baseline and protocol, atomically; returns the paths."""
        output_dir = Path(output_dir)
        written: list[Path] = []
        for entry in self.entries:
            for protocol, report in entry.reports.items():
                path = output_dir / self.report_path(entry.name, protocol)
                report.save(path, reproducible=True)
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
    parts = [f"stancebench {stancebench.__version__}", f"Python {platform.python_version()}"]
    for package in ("scikit-learn", "numpy", "transformers", "torch"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            continue
    return ", ".join(parts) + f" on {platform.system()} {platform.machine()}"
