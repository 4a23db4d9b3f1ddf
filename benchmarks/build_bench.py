"""`stancebench build` against the comparators in ../shared/perf: time and peak memory, whole processes.

    python benchmarks/build_bench.py [--sizes 10000,100000,1000000] [--repeats 2] [--perf ../shared/perf]
                                     [--limit-python /path/to/venv/bin/python]

For each size it writes a synthetic corpus (`write_corpus`: seeds, statements.jsonl, two label
logs, gold.jsonl) and then runs, in turn and `--repeats` times (A B C A B C ...):

- stancebench: `release.build` of the corpus (reading, agreement, split, card, both configs);
- typical: `typical_build.py` (stdlib json, dict join, `Dataset.from_list(features=...)`, to_parquet);
- limit: `limit_build.py` (polars + pyarrow, no agreement, card or annotations config; needs
  polars, so it runs under `--limit-python` if given, else is skipped when polars is missing).

It prints the median wall time and peak RSS of each, the ratios stancebench/typical and
stancebench/limit, memory per statement, and whether the targets hold (faster than typical at
every size; 1M statements in <= 20 s and <= 2 GB). Times on a shared machine drift: the runs are
interleaved so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LABELS = ("support", "oppose", "hedge", "off_target")
CONFIG = """[corpus]
name = "synthetic"
target_id = "lift-ukraine-strike-restrictions"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
release_dir = "release"
"""
REPO = Path(__file__).resolve().parent.parent
_BUILD = "import sys; from stancebench.project import load_project; from stancebench.release import build; " \
         "build.build(load_project(sys.argv[1]))"


def write_corpus(root: Path, statements: int, articles: int = 1_000, speakers: int = 5_000) -> None:
    """A corpus folder with synthetic seeds, statements, label logs (alice, bob) and gold."""
    import random

    rng = random.Random(0)
    (root / "seeds").mkdir(parents=True)
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(CONFIG, encoding="utf-8")
    for a in range(articles):
        (root / "seeds" / f"a{a:05d}.txt").write_text(f"Synthetic article {a}\n\nBody of article {a}.\n", encoding="utf-8")
    with (
        (root / "annotations" / "statements.jsonl").open("w", encoding="utf-8") as st,
        (root / "annotations" / "gold.jsonl").open("w", encoding="utf-8") as gold,
        (root / "annotations" / "labels" / "alice.jsonl").open("w", encoding="utf-8") as alice,
        (root / "annotations" / "labels" / "bob.jsonl").open("w", encoding="utf-8") as bob,
    ):
        for i in range(statements):
            sid = f"s{i:07d}"
            text = f"Statement {i}: officials said the limits on long-range strikes should be reviewed soon."
            speaker = rng.randrange(speakers)
            st.write(json.dumps({
                "id": sid, "article_id": f"a{i % articles:05d}", "speaker": f"Speaker {speaker}",
                "speaker_role": "Minister", "speaker_affiliation": f"Country {speaker % 40}",
                "text": text, "context": text + " The context sentence.", "start": 0, "end": len(text),
                "quote_type": "direct" if i % 3 else "indirect", "target_id": "lift-ukraine-strike-restrictions",
                "cue": "said", "is_stale": False,
            }) + "\n")
            first = LABELS[rng.randrange(4)]
            second = first if rng.random() < 0.8 else LABELS[rng.randrange(4)]
            event = {"statement_id": sid, "timestamp": "2024-06-01T00:00:00Z", "guidelines_version": "1.0", "schema_version": 1}
            alice.write(json.dumps({**event, "annotator": "alice", "label": first}) + "\n")
            bob.write(json.dumps({**event, "annotator": "bob", "label": second}) + "\n")
            record = {"statement_id": sid, "label": first, "annotations": {"alice": first, "bob": second}}
            if first == second:
                record["method"] = "unanimous"
            else:
                record.update(method="adjudicated", adjudicator="carol")
            gold.write(json.dumps(record) + "\n")


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:3]} failed: {child.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _has_polars(python: str) -> bool:
    return subprocess.run([python, "-c", "import polars"], capture_output=True).returncode == 0


def _commands(corpus: Path, out: Path, perf: Path, limit_python: str | None) -> dict[str, list[str]]:
    commands = {
        "stancebench": [sys.executable, "-c", _BUILD, str(corpus)],
        "typical": [sys.executable, str(perf / "typical_build.py"), str(corpus), str(out / "typical")],
    }
    if limit_python:
        commands["limit"] = [limit_python, str(perf / "limit_build.py"), str(corpus), str(out / "limit")]
    return commands


def bench(size: int, repeats: int, perf: Path, limit_python: str | None) -> dict[str, tuple[float, float]]:
    """Median (seconds, MB) per contender at one corpus size."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        started = time.perf_counter()
        write_corpus(corpus, size)
        print(f"  wrote {size:,} statements in {time.perf_counter() - started:.1f} s", flush=True)
        commands = _commands(corpus, Path(tmp), perf, limit_python)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                runs[name].append(_run(command, {**env, "HF_DATASETS_CACHE": str(Path(tmp) / "hf")}))
        return {name: (statistics.median(t for t, _ in r), statistics.median(m for _, m in r)) for name, r in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated statement counts")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--perf", default=str(REPO.parent / "shared" / "perf"), help="folder of the comparator scripts")
    parser.add_argument("--limit-python", help="a Python with polars for limit_build.py (default: this one, if it has it)")
    args = parser.parse_args()
    perf = Path(args.perf)
    limit_python = args.limit_python or (sys.executable if _has_polars(sys.executable) else None)
    if limit_python is None:
        print("limit_build.py skipped: no polars here (pass --limit-python PY)")
    verdicts = []
    print(f"{'statements':>10} {'contender':<12} {'seconds':>8} {'peak MB':>8} {'KB/stmt':>8}  ratio")
    for size in (int(s) for s in args.sizes.split(",")):
        result = bench(size, args.repeats, perf, limit_python)
        ours_t, ours_m = result["stancebench"]
        for name, (seconds, mb) in result.items():
            ratio = f"stancebench/{name} = {ours_t / seconds:.2f}x time, {ours_m / mb:.2f}x memory"
            ratio = "" if name == "stancebench" else ratio
            print(f"{size:>10,} {name:<12} {seconds:>8.2f} {mb:>8.0f} {mb * 1024 / size:>8.2f}  {ratio}", flush=True)
        verdicts.append(f"{size:,}: faster than typical: {'yes' if ours_t < result['typical'][0] else 'NO'}")
        if size >= 1_000_000:
            verdicts.append(f"{size:,}: <= 20 s and <= 2 GB: {'yes' if ours_t <= 20 and ours_m <= 2048 else 'NO'}")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
