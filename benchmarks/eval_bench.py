"""Benchmark `stancebench eval` on 1,000,000 predictions against 1,000,000 gold rows.

    python benchmarks/eval_bench.py [--rows 1000000] [--resamples 1000] [--naive-iterations 3]

Writes a synthetic release (parquet) and a predictions CSV to a temporary folder, then runs each
path in a fresh subprocess so the peak memory (ru_maxrss) of one path does not leak into the other:

- fast:  `stancebench.evaluation.scoring(preds.csv, release=...)` — pyarrow CSV reader with the label as a
         dictionary, Arrow hash join, bincount confusion matrix, multinomial bootstrap (1,000
         resamples), breakdowns, gold content hash: everything `stancebench eval` does but print.
- naive: pandas read_csv + read_parquet + merge, four scikit-learn calls on string labels, and a
         bootstrap loop around f1_score: a few iterations are timed and extrapolated to
         `--resamples` (reported as such).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def make_data(folder: Path, rows: int, seed: int = 0) -> tuple[Path, Path]:
    """A release folder with `rows` test items and a shuffled predictions CSV (~70% correct, 1% missing)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    ids = np.char.add("s", np.arange(rows).astype(str))
    gold = rng.integers(0, 3, rows)
    affiliations = np.array(["Ukraine", "Russia", "United States", "United Kingdom", "Germany", "France", "NATO"])
    table = pa.table({
        "id": ids,
        "text": np.char.add("Statement number ", np.arange(rows).astype(str)),
        "speaker": np.char.add("speaker ", (np.arange(rows) % 5000).astype(str)),
        "speaker_affiliation": affiliations[rng.integers(0, len(affiliations), rows)],
        "quote_type": np.array(["direct", "indirect"])[rng.integers(0, 2, rows)],
        "article_id": np.char.add("a", (np.arange(rows) // 8).astype(str)),
        "label": pa.array(gold, type=pa.int64()),
    })
    release = folder / "release"
    (release / "default").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, release / "default" / "test.parquet")
    (release / "release.json").write_text(json.dumps({"name": "bench", "version": "0", "content_hash": "sha256:x"}))
    pred = np.where(rng.random(rows) < 0.7, gold, rng.integers(0, 3, rows))
    names = np.array(["SUPPORT", "oppose", "Hedge"])[pred]
    keep = rng.random(rows) >= 0.01
    order = rng.permutation(np.flatnonzero(keep))
    path = folder / "preds.csv"
    pcsv.write_csv(pa.table({"id": ids[order], "label": names[order]}), path)
    return release, path


def run_fast(release: Path, preds: Path, resamples: int) -> dict:
    """The whole evaluate() path in this process."""
    before = _rss_mb()
    start = time.perf_counter()
    import stancebench

    report = stancebench.evaluation.scoring(str(preds), release=release, resamples=resamples)
    seconds = time.perf_counter() - start
    macro = report.headline["macro_f1"]
    return {"seconds": seconds, "peak_rss_mb": _rss_mb(), "rss_before_mb": before,
            "stages": {k: round(v, 4) for k, v in report.timings.items()},
            "macro_f1": [macro.value, macro.ci_low, macro.ci_high], "coverage": report.coverage["coverage"]}


def run_naive(release: Path, preds: Path, resamples: int, iterations: int) -> dict:
    """What a user would otherwise write: pandas + scikit-learn, bootstrap as a loop."""
    start = time.perf_counter()
    import numpy as np
    import pandas as pd
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    labels = ["support", "oppose", "hedge"]
    gold = pd.read_parquet(release / "default" / "test.parquet", columns=["id", "label"])
    gold["gold"] = np.array(labels)[gold["label"].to_numpy()]
    pred = pd.read_csv(preds, dtype={"id": str, "label": str})
    pred["pred"] = pred["label"].str.lower()
    merged = gold.merge(pred[["id", "pred"]], on="id", how="left")
    merged["pred"] = merged["pred"].fillna("missing")
    read_join = time.perf_counter() - start
    t = time.perf_counter()
    y, p = merged["gold"].to_numpy(), merged["pred"].to_numpy()
    accuracy_score(y, p)
    f1_score(y, p, labels=labels, average="macro", zero_division=0)
    precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    confusion_matrix(y, p, labels=[*labels, "missing"])
    metrics_seconds = time.perf_counter() - t
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(iterations):
        rows = rng.integers(0, len(y), len(y))
        f1_score(y[rows], p[rows], labels=labels, average="macro", zero_division=0)
    per_iteration = (time.perf_counter() - t) / iterations
    return {"read_join_seconds": read_join, "metrics_seconds": metrics_seconds,
            "bootstrap_seconds_per_resample": per_iteration,
            "bootstrap_seconds_extrapolated": per_iteration * resamples,
            "seconds_extrapolated": read_join + metrics_seconds + per_iteration * resamples,
            "peak_rss_mb": _rss_mb(), "iterations_timed": iterations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--naive-iterations", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--child", choices=["make", "fast", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder = Path(args.folder)
        if args.child == "make":  # in a child too, so the parent stays small (ru_maxrss survives fork+exec)
            make_data(folder, args.rows)
            print("{}")
            return
        release, preds = folder / "release", folder / "preds.csv"
        result = (run_fast(release, preds, args.resamples) if args.child == "fast"
                  else run_naive(release, preds, args.resamples, args.naive_iterations))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child", "make", "--folder", tmp, "--rows", str(args.rows)],
                       check=True, capture_output=True)
        print(f"data: {args.rows:,} gold rows (parquet), predictions CSV "
              f"{(folder / 'preds.csv').stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - t:.1f} s")
        paths = ["fast"] if args.skip_naive else ["fast", "naive"]
        for child in paths:
            out = subprocess.run(
                [sys.executable, __file__, "--child", child, "--folder", tmp, "--resamples", str(args.resamples),
                 "--naive-iterations", str(args.naive_iterations)],
                capture_output=True, text=True, check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if child == "fast":
                print(f"fast  (stancebench.evaluation.scoring, {args.resamples} resamples): {result['seconds']:.2f} s, "
                      f"peak RSS {result['peak_rss_mb']:.0f} MB (bare interpreter {result['rss_before_mb']:.0f} MB)")
                print(f"      stages: {result['stages']}")
                print(f"      macro-F1 {result['macro_f1'][0]:.4f} [{result['macro_f1'][1]:.4f}, "
                      f"{result['macro_f1'][2]:.4f}], coverage {result['coverage']:.3f}")
            else:
                print(f"naive (pandas + sklearn; bootstrap extrapolated from {result['iterations_timed']} iterations): "
                      f"{result['seconds_extrapolated']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB")
                print(f"      read+merge {result['read_join_seconds']:.2f} s, metrics {result['metrics_seconds']:.2f} s, "
                      f"bootstrap {result['bootstrap_seconds_per_resample']:.2f} s/resample "
                      f"-> {result['bootstrap_seconds_extrapolated']:.0f} s")


if __name__ == "__main__":
    main()
