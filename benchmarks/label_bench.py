"""Time the annotation hot paths: label appends (locked, fsynced) and CLI start-up.

    python benchmarks/label_bench.py            # 10,000 appends + CLI wall times
    python benchmarks/label_bench.py --appends 2000 --runs 3

Targets (DESIGN.md, "Fast paths"): 10,000 appends with fsync in under 10 s; `stancebench --help`
and `stancebench label ...` under 0.3 s of wall time each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stancebench.annotation.labelling import make_event
from stancebench.schema import Statement
from stancebench.store import append_label, read_label_log

_CONFIG = """[corpus]
name = "bench"
target_id = "lift-ukraine-strike-restrictions"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
"""


def time_appends(folder: Path, count: int) -> float:
    """Seconds to append `count` events one by one (each locked and fsynced)."""
    log = folder / "labels" / "bench.jsonl"
    events = [make_event(f"s{i:06d}", "bench", "hedge", "1.0") for i in range(count)]
    start = time.perf_counter()
    for event in events:
        append_label(log, event)
    elapsed = time.perf_counter() - start
    if len(read_label_log(log)) != count:
        raise SystemExit("appends lost events")
    return elapsed


def _corpus(folder: Path) -> Path:
    root = folder / "corpus"
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(_CONFIG, encoding="utf-8")
    (root / "annotations" / "GUIDELINES.md").write_text("Version: 1.0\n", encoding="utf-8")
    lines = []
    for i in range(1000):
        text = f"Statement {i} about the limits."
        lines.append(Statement(f"s{i:04d}", "a1", "Jane Doe", text, text, 0, len(text), "direct",
                               "lift-ukraine-strike-restrictions").to_json())
    (root / "annotations" / "statements.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def time_command(args: list[str], cwd: Path, runs: int) -> float:
    """Median wall time of `stancebench ARGS` in a fresh interpreter."""
    command = [sys.executable, "-c", "from stancebench.cli import main; main()", *args]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="CLI runs per command (median reported)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds = time_appends(folder, options.appends)
        print(f"{options.appends} label appends (lock + O_APPEND + fsync): {seconds:.2f} s "
              f"({seconds / options.appends * 1e3:.2f} ms each)")
        root = _corpus(folder)
        bare = time_command(["--version"], root, options.runs)
        print(f"stancebench --version: {bare:.3f} s")
        print(f"stancebench --help: {time_command(['--help'], root, options.runs):.3f} s")
        label = time_command(["label", "s0001", "support", "--annotator", "bench"], root, options.runs)
        print(f"stancebench label s0001 support --annotator bench (1,000 statements): {label:.3f} s")


if __name__ == "__main__":
    main()
