"""The evaluation report: figures with intervals, breakdowns, per-item predictions; JSON, table, plot.

`Report.to_dict()` is the JSON report (`REPORT_SCHEMA_VERSION`):

    schema_version, stancebench_version, created,
    dataset   {name, version, split, n_items, content_hash, release_content_hash, source}
    model     {type, class/path/spec/endpoint, name, params ...}   (never an API key)
    options   {split, cv, seed, resamples, bootstrap, label_map, ...}
    headline  {accuracy|macro_f1|f_avg: {value, ci_low, ci_high}}
    per_class {support|oppose|hedge: {precision, recall, f1: {value, ci_low, ci_high}, support}}
    confusion_matrix {rows (gold), columns (predicted + "missing"), counts}
    coverage  {n_items, n_predicted, n_missing, coverage, n_unknown_ids, unknown_ids}
    breakdowns {quote_type|speaker_affiliation: [{value, n, accuracy, accuracy_ci, macro_f1, macro_f1_ci}]}
               (a group's macro-F1 averages the classes present in its gold or predictions)
    predictions [{id, gold, pred, article_id?, fold?}]   (pred is null when the model gave none; one item a line;
                fold under --cv)
    provenance {python, libraries, command, corpus_git, inputs with sha256}   (the eval command's reports)
    timings   {seconds per stage}, warnings [str]
"""

from __future__ import annotations

import datetime as _dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench.columns import from_numpy, joined_bytes, json_strings, literal, strings
from stancebench.errors import InputError, first_line
from stancebench.evaluation.metrics import MISSING, N_CLASSES
from stancebench.schema import STANCE_LABELS, json_problem
from stancebench.store import check_json_depth, read_bytes, write_bytes_atomic

__all__ = ["REPORT_SCHEMA_VERSION", "Estimate", "Report", "load_report"]

REPORT_SCHEMA_VERSION = 1
_COLUMNS = (*STANCE_LABELS, "missing")
_TITLES = {"accuracy": "Accuracy", "macro_f1": "Macro-F1", "f_avg": "F_avg (support, oppose)"}


class Estimate(NamedTuple):
    """A point estimate with its 95% bootstrap interval."""

    value: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, float]:
        """{value, ci_low, ci_high}."""
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass
class Report:
    """What `stancebench.evaluation.scoring` returns. `headline` maps accuracy, macro_f1 and f_avg to Estimates."""

    dataset: dict[str, Any]
    model: dict[str, Any]
    options: dict[str, Any]
    headline: dict[str, Estimate]
    per_class: dict[str, dict[str, Any]]
    confusion: np.ndarray
    coverage: dict[str, Any]
    breakdowns: dict[str, list[dict[str, Any]]]
    ids: list[str]
    gold: np.ndarray
    pred: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Each item's article id, when the gold has one (`compare --bootstrap article` resamples by it).
    articles: list[str] | None = None
    #: Each item's cross-validation fold under `--cv`.
    folds: list[int] | None = None
    #: What produced the report, as lm-eval records it (`stancebench.evaluation.provenance`).
    provenance: dict[str, Any] = field(default_factory=dict)
    stancebench_version: str = ""
    created: str = ""
    schema_version: int = REPORT_SCHEMA_VERSION
    #: `ids` and `articles` as pyarrow string arrays, when the report was built from Arrow data (saves converting
    #: a million ids back to Arrow when the report is written).
    id_array: Any = field(default=None, repr=False, compare=False)
    article_array: Any = field(default=None, repr=False, compare=False)

    # -- JSON ------------------------------------------------------------------------------------

    def to_dict(self, *, include_predictions: bool = True, reproducible: bool = False) -> dict[str, Any]:
        """The JSON report as plain data; `reproducible` leaves out the creation time and the timings."""
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "stancebench_version": self.stancebench_version,
            "created": self.created,
            "dataset": self.dataset,
            "model": self.model,
            "options": self.options,
            "headline": {name: est.as_dict() for name, est in self.headline.items()},
            "per_class": {
                label: {k: (v.as_dict() if isinstance(v, Estimate) else v) for k, v in scores.items()}
                for label, scores in self.per_class.items()
            },
            "confusion_matrix": {"rows": list(STANCE_LABELS), "columns": list(_COLUMNS),
                                 "counts": np.asarray(self.confusion).tolist()},
            "coverage": self.coverage,
            "breakdowns": self.breakdowns,
            "timings": self.timings,
            "warnings": self.warnings,
        }
        if reproducible:
            del out["created"], out["timings"]
        if include_predictions:
            names = np.array([*STANCE_LABELS, None], dtype=object)
            out["predictions"] = [
                {"id": i, "gold": g, "pred": p}
                for i, g, p in zip(self.ids, names[self.gold].tolist(), names[self.pred].tolist(), strict=True)
            ]
            if self.articles is not None:
                for item, article in zip(out["predictions"], self.articles, strict=True):
                    item["article_id"] = article
            if self.folds is not None:
                for item, fold in zip(out["predictions"], self.folds, strict=True):
                    item["fold"] = fold
        if self.provenance:
            out["provenance"] = self.provenance
        return out

    def _json_parts(self, reproducible: bool) -> list[bytes | memoryview]:
        # The figures as indented JSON; the predictions one object a line, built in Arrow: a million
        # items through json.dumps(indent=...) would take seconds and a gigabyte of dicts.
        head = json.dumps(self.to_dict(include_predictions=False, reproducible=reproducible), ensure_ascii=False, indent=1)
        if len(self.gold) == 0:
            return [head[:-2].encode("utf-8"), b',\n "predictions": []\n}\n']
        return [head[:-2].encode("utf-8"), b',\n "predictions": [\n', joined_bytes(self._prediction_lines())[:-2],
                b"\n ]\n}\n"]

    def _prediction_lines(self) -> pa.Array:
        names = strings([json.dumps(name) for name in STANCE_LABELS] + ["null"], large=True)
        ids = self.id_array if self.id_array is not None else strings([str(i) for i in self.ids])
        parts = [literal('{"id": ', large=True), json_strings(ids), literal(', "gold": ', large=True),
                 names.take(from_numpy(self.gold)), literal(', "pred": ', large=True), names.take(from_numpy(self.pred))]
        if self.articles is not None:
            articles = self.article_array if self.article_array is not None else strings(self.articles)
            parts += [literal(', "article_id": ', large=True), json_strings(articles)]
        if self.folds is not None:
            parts += [literal(', "fold": ', large=True), pa.array(self.folds, type=pa.int64()).cast(pa.large_string())]
        return pc.binary_join_element_wise(*parts, literal("},\n", large=True), literal("", large=True))

    def to_json(self, *, reproducible: bool = False) -> str:
        """The JSON report as text (`reproducible`: the same bytes on every re-run, see `to_dict`)."""
        return b"".join(self._json_parts(reproducible)).decode("utf-8")

    def save(self, path: str | Path, *, reproducible: bool = False) -> None:
        """Write the JSON report atomically."""
        write_bytes_atomic(path, self._json_parts(reproducible))

    @classmethod
    def from_dict(cls, data: Any, path: str | Path = "<report>") -> Report:
        """Rebuild a report from its JSON (what `compare` reads); malformed input raises InputError."""
        try:
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            version = data.get("schema_version")
            if not isinstance(version, int) or version > REPORT_SCHEMA_VERSION:
                raise ValueError(f"unsupported schema_version {version!r}")
            codes = {name: code for code, name in enumerate(STANCE_LABELS)}
            items = data["predictions"]
            if not isinstance(items, list):
                raise ValueError("'predictions' must be a list")
            ids = [str(item["id"]) for item in items]
            gold = np.array([codes[item["gold"]] for item in items], dtype=np.uint8)
            pred = np.array([MISSING if item["pred"] is None else codes[item["pred"]] for item in items], dtype=np.uint8)
            has_articles = bool(items) and all(isinstance(item.get("article_id"), str) for item in items)
            articles = [item["article_id"] for item in items] if has_articles else None
            headline = {name: Estimate(float(v["value"]), float(v["ci_low"]), float(v["ci_high"]))
                        for name, v in data["headline"].items()}
            dataset = data["dataset"]
            if not isinstance(dataset, dict) or not isinstance(dataset.get("content_hash"), str):
                raise ValueError("'dataset.content_hash' is missing")
            return cls(
                dataset=dataset, model=dict(data.get("model") or {}), options=dict(data.get("options") or {}),
                headline=headline, per_class=dict(data.get("per_class") or {}),
                confusion=np.array(data["confusion_matrix"]["counts"]), coverage=dict(data.get("coverage") or {}),
                breakdowns=dict(data.get("breakdowns") or {}), ids=ids, gold=gold, pred=pred, articles=articles,
                timings=dict(data.get("timings") or {}), warnings=list(data.get("warnings") or []),
                provenance=dict(data.get("provenance") or {}),
                stancebench_version=str(data.get("stancebench_version", "")), created=str(data.get("created", "")),
                schema_version=version,
            )
        except KeyError as err:
            raise InputError(path, 0, f"not a stancebench report (missing {err.args[0]!r})") from None
        except (ValueError, TypeError, AttributeError) as err:
            raise InputError(path, 0, f"not a stancebench report ({first_line(err, with_type=False)})") from None

    # -- terminal ------------------------------------------------------------------------------------

    @property
    def model_label(self) -> str:
        """A short name for the model: its spec, path, model name or class."""
        for key in ("spec", "model_name", "path", "name", "class"):
            if self.model.get(key):
                return str(self.model[key])
        return "predictions"

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table

        n = self.coverage.get("n_items", len(self.ids))
        title = f"{self.model_label} on {self.dataset.get('name')} ({self.dataset.get('split') or 'all'}, n={n})"
        head = Table(title=title, title_justify="left")
        if self.options.get("bootstrap_scheme"):
            head.caption, head.caption_justify = f"95% CI: bootstrap over {self.options['bootstrap_scheme']}", "left"
        head.add_column("metric")
        head.add_column("value", justify="right")
        head.add_column("95% CI", justify="right")
        for name, est in self.headline.items():
            head.add_row(_TITLES.get(name, name), f"{est.value:.3f}", f"[{est.ci_low:.3f}, {est.ci_high:.3f}]")
        cov = self.coverage
        head.add_row("Coverage", f"{cov.get('coverage', 1.0):.3f}",
                     f"{cov.get('n_predicted', n)}/{n} predicted")
        if cov.get("n_unknown_ids"):
            head.add_row("Unknown ids", str(cov["n_unknown_ids"]), "ignored")
        if "unparsable_rate" in cov:
            head.add_row("Unparsable answers", f"{cov['unparsable_rate']:.3f}", f"{cov.get('n_unparsable', 0)}/{n} items")
        per_class = Table(title="Per class", title_justify="left")
        for column in ("label", "precision", "recall", "F1", "support"):
            per_class.add_column(column, justify="left" if column == "label" else "right")
        for label, scores in self.per_class.items():
            per_class.add_row(label, *(f"{_value(scores[k]):.3f}" for k in ("precision", "recall", "f1")),
                              str(scores["support"]))
        confusion = Table(title="Confusion matrix (rows gold, columns predicted)", title_justify="left")
        columns = _COLUMNS if np.asarray(self.confusion)[:, MISSING].any() else STANCE_LABELS
        confusion.add_column("gold \\ pred")
        for column in columns:
            confusion.add_column(column, justify="right")
        for label, row in zip(STANCE_LABELS, np.asarray(self.confusion).tolist(), strict=True):
            confusion.add_row(label, *(str(x) for x in row[: len(columns)]))
        parts: list[Any] = [head, per_class, confusion]
        for name, groups in self.breakdowns.items():
            table = Table(title=f"By {name}", title_justify="left")
            for column in (name, "n", "accuracy [95% CI]", "macro-F1 [95% CI]"):
                table.add_column(column, justify="left" if column == name else "right")
            for group in groups[:12]:
                table.add_row(str(group["value"]), str(group["n"]), _with_ci(group, "accuracy"), _with_ci(group, "macro_f1"))
            if len(groups) > 12:
                table.add_row(f"… {len(groups) - 12} more (see the JSON report)", "", "", "")
            parts.append(table)
        return Group(*parts)

    def as_table(self, width: int = 100) -> str:
        """The report as plain text tables (what `stancebench eval` prints)."""
        from rich.console import Console

        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False).print(self)
        return buffer.getvalue()

    # -- plot ------------------------------------------------------------------------------------

    def plot(self, path: str | Path) -> None:
        """Confusion-matrix heatmap (row-normalised colours, counts in the cells) as PNG, written atomically."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        counts = np.asarray(self.confusion, dtype=float)
        columns = list(_COLUMNS) if counts[:, MISSING].any() else list(STANCE_LABELS)
        counts = counts[:, : len(columns)]
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
        fig, ax = plt.subplots(figsize=(1.4 * len(columns) + 1.6, 4.2))
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for r in range(N_CLASSES):
            for c in range(len(columns)):
                ax.text(c, r, f"{int(counts[r, c])}\n{share[r, c]:.0%}", ha="center", va="center",
                        color="white" if share[r, c] > 0.6 else "black", fontsize=9)
        ax.set_xticks(range(len(columns)), columns)
        ax.set_yticks(range(N_CLASSES), STANCE_LABELS)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        macro = self.headline.get("macro_f1")
        subtitle = f" — macro-F1 {macro.value:.3f}" if macro else ""
        ax.set_title(f"{self.model_label}{subtitle}", fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        plt.close(fig)
        write_bytes_atomic(path, buffer.getvalue())


def _value(score: Any) -> float:
    return score.value if isinstance(score, Estimate) else float(score["value"]) if isinstance(score, dict) else float(score)


def now() -> str:
    """UTC timestamp for reports."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def load_report(path: str | Path) -> Report:
    """Read a JSON report written by `Report.save`; anything else raises a one-line InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    try:
        data = json.loads(check_json_depth(read_bytes(path), path))
    except UnicodeDecodeError:
        raise InputError(path, 0, "not UTF-8 text") from None
    except ValueError as err:  # a syntax error, or an integer past Python's 4,300 digits
        raise InputError(path, getattr(err, "lineno", 0), f"not valid JSON ({json_problem(err)})") from None
    return Report.from_dict(data, path)


def _with_ci(group: dict[str, Any], name: str) -> str:
    # Reports written before breakdowns had intervals show the value alone.
    interval = group.get(f"{name}_ci")
    text = f"{group[name]:.3f}"
    return f"{text} [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else text
