"""Two reports on the same gold, compared item by item: paired bootstrap and McNemar's exact test.

    >>> from stancebench.evaluation.comparison import compare
    >>> result = compare("tfidf.json", "mine.json")
    >>> result.metrics["macro_f1"]     # {a, b, difference (B − A), ci_low, ci_high, p_value}

Only items both reports cover are compared; reports scored on different gold (different
dataset content hashes) are refused. `bootstrap="article"` on fewer than `metrics.MIN_CLUSTERS`
articles falls back to the item bootstrap, with a warning saying how many there are.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stancebench.errors import StancebenchError
from stancebench.evaluation import metrics
from stancebench.evaluation.report import Report, load_report
from stancebench.store import write_text_atomic

__all__ = ["Comparison", "compare"]

_TITLES = {"accuracy": "Accuracy", "macro_f1": "Macro-F1", "f_avg": "F_avg"}


@dataclass
class Comparison:
    """B against A: per-metric differences with 95% intervals and p-values, and McNemar's test."""

    a: dict[str, Any]
    b: dict[str, Any]
    dataset: dict[str, Any]
    n_common: int
    n_only_a: int
    n_only_b: int
    metrics: dict[str, dict[str, float]]
    mcnemar: dict[str, float]
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"a": self.a, "b": self.b, "dataset": self.dataset, "n_common": self.n_common,
                "n_only_a": self.n_only_a, "n_only_b": self.n_only_b, "metrics": self.metrics,
                "mcnemar": self.mcnemar, "options": self.options, "warnings": self.warnings}

    def save(self, path: str | Path) -> None:
        """Write the comparison as JSON, atomically."""
        write_text_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n")

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        unit = self.options.get("bootstrap_scheme") or metrics.ITEM_SCHEME
        table = Table(title=f"B − A on {self.n_common} common items (paired bootstrap over {unit})", title_justify="left")
        for column in ("metric", "A", "B", "B − A", "95% CI", "p"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for name, row in self.metrics.items():
            table.add_row(_TITLES.get(name, name), f"{row['a']:.3f}", f"{row['b']:.3f}", f"{row['difference']:+.3f}",
                          f"[{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]", f"{row['p_value']:.3g}")
        m = self.mcnemar
        lines = [
            f"A: {self.a.get('label')}   B: {self.b.get('label')}",
            f"McNemar exact test: only A right {m['only_a_correct']}, only B right {m['only_b_correct']}, "
            f"p = {m['p_value']:.3g}",
        ]
        if self.n_only_a or self.n_only_b:
            lines.append(f"Left out: {self.n_only_a} item(s) only in A, {self.n_only_b} only in B")
        return Group(table, *(Text(line) for line in lines))

    def as_table(self, width: int = 100) -> str:
        """The comparison as plain text."""
        from rich.console import Console

        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False).print(self)
        return buffer.getvalue()


def _side(report: Report, source: str) -> dict[str, Any]:
    return {"source": source, "label": report.model_label, "model": report.model}


def compare(
    a: Report | str | Path, b: Report | str | Path, *, resamples: int = 1000, seed: int = 0, bootstrap: str = "items"
) -> Comparison:
    """Paired comparison of report B against report A on the items both cover.

    `bootstrap="article"` resamples whole articles (both reports must record each item's article).
    """
    if bootstrap not in ("items", "stratified", "article"):
        raise StancebenchError(f"unknown bootstrap {bootstrap!r} (expected items, stratified or article)")
    source_a, source_b = (str(x) if not isinstance(x, Report) else "<report>" for x in (a, b))
    report_a = a if isinstance(a, Report) else load_report(a)
    report_b = b if isinstance(b, Report) else load_report(b)
    hash_a, hash_b = report_a.dataset.get("content_hash"), report_b.dataset.get("content_hash")
    if hash_a != hash_b:
        raise StancebenchError(
            f"{source_a} and {source_b} were scored on different gold ({hash_a} vs {hash_b}); "
            "compare reports on the same dataset and split"
        )
    import pyarrow as pa
    import pyarrow.compute as pc

    ids_a, ids_b = pa.array(report_a.ids, type=pa.string()), pa.array(report_b.ids, type=pa.string())
    rows = pc.index_in(ids_a, value_set=ids_b)
    in_b = rows.is_valid().to_numpy(zero_copy_only=False)
    rows_b = rows.filter(rows.is_valid()).to_numpy(zero_copy_only=False)
    if not in_b.any():
        raise StancebenchError(f"{source_a} and {source_b} have no items in common")
    gold = report_a.gold[in_b]
    if not np.array_equal(gold, report_b.gold[rows_b]):
        raise StancebenchError(f"{source_a} and {source_b} disagree on gold labels of common items")
    pred_a, pred_b = report_a.pred[in_b], report_b.pred[rows_b]
    clusters, too_few = None, None
    if bootstrap == "article":
        if report_a.articles is None:
            raise StancebenchError(f"{source_a}: no article ids per item; --bootstrap article needs a report made by "
                                   "stancebench 0.1 or later on gold with article_id")
        clusters = np.asarray(report_a.articles, dtype=object)[in_b].astype(str)
        too_few = metrics.check_clusters(clusters)
    warnings = [too_few] if too_few else []
    if clusters is not None and not too_few:
        scheme = f"articles ({len(np.unique(clusters))} clusters; resamples holding every gold class)"
        paired = metrics.paired_cluster_bootstrap(gold, pred_a, pred_b, clusters, resamples=resamples, seed=seed)
    else:
        stratified = bootstrap == "stratified"
        scheme = metrics.STRATIFIED_SCHEME if stratified else metrics.ITEM_SCHEME
        paired = metrics.paired_bootstrap(metrics.paired_cells(gold, pred_a, pred_b), resamples=resamples, seed=seed,
                                          stratified=stratified)
    return Comparison(
        a=_side(report_a, source_a), b=_side(report_b, source_b),
        dataset={k: report_a.dataset.get(k) for k in ("name", "version", "split", "content_hash")},
        n_common=int(in_b.sum()), n_only_a=int((~in_b).sum()), n_only_b=len(report_b.ids) - int(in_b.sum()),
        metrics=paired,
        mcnemar=metrics.mcnemar_exact(pred_a == gold, pred_b == gold),
        options={"resamples": resamples, "seed": seed, "bootstrap": bootstrap, "bootstrap_scheme": scheme},
        warnings=warnings,
    )
