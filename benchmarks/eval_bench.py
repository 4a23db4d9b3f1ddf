"""The speed targets of `stancebench eval` and `stancebench baselines`, each a line: stancebench, comparator, ratio.

    python benchmarks/eval_bench.py [--rows 1000000] [--rounds 3] [--perf-dir ../shared/perf] [--skip-baselines]
    python benchmarks/eval_bench.py --skip-eval          # only the baselines line

Every figure is a whole process, timed with its peak memory (the child's own ru_maxrss, from wait4);
the two sides of a ratio run in turn (A B A B ...) and the ratio is the median of the pairs, because
absolute times on a shared machine drift.

- eval 1M: `stancebench eval --gold gold.jsonl --predictions preds.csv -o report.json` (1,000 resamples)
  against `limit_eval.py --full --out=...` (polars; same outputs: breakdowns with intervals, the gold
  content hash, a JSON report with every prediction). Targets: <= 1.5x its time, <= 0.8 GB.
  The comparator needs polars (`pip install polars`; not a stancebench dependency): without it, the
  line says so and only stancebench's figures are printed.
- eval at the bundled size: the bundled test split and a predictions file; target: pandas never imported.
- baselines: a fresh process on the bundled release, embedding cache filled (target <= 3 s, torch not
  imported), and with an empty embedding cache (torch needed, for the record).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, stdout) of one child process; raises if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024 / 1024, out.read().decode()


def stancebench_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from stancebench.cli import main; sys.argv[0] = 'stancebench'; main()", *args]


def make_eval_data(folder: Path, rows: int, perf_dir: Path) -> tuple[Path, Path]:
    """Gold JSONL and shuffled predictions CSV, from the comparators' generator when it is there."""
    generator = perf_dir / "gen_eval.py"
    if generator.is_file():
        subprocess.run([sys.executable, str(generator), str(folder), str(rows)], check=True, capture_output=True)
        return folder / f"gold_{rows}.jsonl", folder / f"pred_{rows}.csv"
    import numpy as np

    rng = np.random.default_rng(0)
    labels = np.array(["support", "oppose", "hedge"])
    gold = rng.integers(0, 3, rows)
    affiliations = np.array(["United States", "Russia", "Ukraine", "United Kingdom", "France", "Germany"])
    with open(folder / "gold.jsonl", "w", encoding="utf-8") as out:
        for i in range(rows):
            out.write(json.dumps({"id": f"s{i:07d}", "text": "statement", "speaker": "X",
                                  "speaker_affiliation": str(affiliations[i % 6]),
                                  "quote_type": "direct" if i % 2 else "indirect", "label": str(labels[gold[i]])}) + "\n")
    pred = np.where(rng.random(rows) < 0.7, gold, rng.integers(0, 3, rows))
    with open(folder / "pred.csv", "w", encoding="utf-8") as out:
        out.write("id,label\n")
        out.writelines(f"s{i:07d},{labels[pred[i]]}\n" for i in rng.permutation(rows))
    return folder / "gold.jsonl", folder / "pred.csv"


def has_polars() -> bool:
    return subprocess.run([sys.executable, "-c", "import polars"], capture_output=True).returncode == 0


def bench_eval_1m(rows: int, rounds: int, perf_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gold, pred = make_eval_data(folder, rows, perf_dir)
        ours = stancebench_command("eval", "--gold", str(gold), "--predictions", str(pred), "--split", "all",
                                   "-o", str(folder / "report.json"), "--resamples", "1000")
        limit = perf_dir / "limit_eval.py"
        theirs = [sys.executable, str(limit), str(gold), str(pred), "--full", f"--out={folder / 'limit.json'}"]
        compare = limit.is_file() and has_polars()
        mine, other = [], []
        for _ in range(rounds):
            mine.append(timed(ours))
            if compare:
                other.append(timed(theirs))
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert len(report["predictions"]) == rows
    seconds, memory = statistics.median(m[0] for m in mine), max(m[1] for m in mine)
    line = f"eval {rows:,} rows (JSONL gold, CSV predictions, -o, 1,000 resamples): stancebench {seconds:.2f} s, {memory:.2f} GB"
    if not compare:
        why = "polars is not installed (pip install polars)" if limit.is_file() else f"{limit} not found"
        print(f"{line} | limit_eval.py --full skipped: {why} | targets <= 1.5x the limit, <= 0.8 GB")
        return
    ratio = statistics.median(m[0] / o[0] for m, o in zip(mine, other, strict=True))
    limit_seconds, limit_memory = statistics.median(o[0] for o in other), max(o[1] for o in other)
    print(f"{line} | limit_eval.py --full {limit_seconds:.2f} s, {limit_memory:.2f} GB | ratio {ratio:.2f}x "
          f"(target <= 1.5x), memory {memory:.2f} GB (target <= 0.8 GB)")


_BUNDLED = """
import json, sys, tempfile, time
from pathlib import Path
start = time.perf_counter()
from stancebench.evaluation.gold import load_gold
from stancebench.evaluation.scoring import evaluate
folder = Path(tempfile.mkdtemp())
ids = load_gold("test").ids.to_pylist()
(folder / "p.jsonl").write_text("".join(json.dumps({"id": i, "label": "support"}) + "\\n" for i in ids))
evaluate(predictions=str(folder / "p.jsonl")).save(folder / "r.json")
print(json.dumps({"seconds": time.perf_counter() - start, "pandas": "pandas" in sys.modules, "n": len(ids)}))
"""


def bench_eval_bundled(rounds: int) -> None:
    runs = [json.loads(timed([sys.executable, "-c", _BUNDLED])[2]) for _ in range(rounds)]
    pandas = any(run["pandas"] for run in runs)
    print(f"eval at the bundled size ({runs[0]['n']} items, predictions file, in-process): "
          f"{statistics.median(r['seconds'] for r in runs):.3f} s, pandas imported: {'yes' if pandas else 'no'} "
          f"(target: no)")


def bench_baselines(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        command = stancebench_command("baselines", "--output-dir", str(out))
        probe = [sys.executable, "-X", "importtime", *command[1:]]
        warm_cache = {"STANCEBENCH_CACHE": str(Path(tmp) / "cache")}
        timed(command, warm_cache)  # fills the embedding cache
        warm = [timed(command, warm_cache)[0] for _ in range(rounds)]
        imports = subprocess.run(probe, capture_output=True, text=True, env={**os.environ, **warm_cache}).stderr
        torch = any(line.rstrip().endswith("| torch") for line in imports.splitlines())
        cold = []
        for i in range(rounds):
            cache = Path(tmp) / f"empty{i}"
            cold.append(timed(command, {"STANCEBENCH_CACHE": str(cache)})[0])
            shutil.rmtree(cache, ignore_errors=True)
    seconds, empty = statistics.median(warm), statistics.median(cold)
    print(f"baselines on the bundled release, fresh process, embeddings on disk: {seconds:.2f} s (target <= 3 s), "
          f"torch imported: {'yes' if torch else 'no'} | empty embedding cache (torch needed): {empty:.2f} s | "
          f"ratio {empty / seconds:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--perf-dir", type=Path, default=REPO.parent / "shared" / "perf",
                        help="Folder of the comparator scripts (limit_eval.py, gen_eval.py).")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--skip-eval", action="store_true", help="only the baselines line")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    # Byte-code cached (in a folder of its own) as an installed package has it, so no child compiles stancebench.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = pycache = tempfile.mkdtemp(prefix="eval-bench-pycache-")
    try:
        if not args.skip_eval:
            bench_eval_1m(args.rows, args.rounds, args.perf_dir)
            bench_eval_bundled(args.rounds)
        if not args.skip_baselines:
            bench_baselines(args.rounds)
    finally:
        shutil.rmtree(pycache, ignore_errors=True)


if __name__ == "__main__":
    main()
