"""Reading a JSON array of predictions against the same rows as JSON lines, each a line: time and peak memory.

    python benchmarks/predictions_bench.py [--mb 130 600] [--rounds 1] [--keep DIR]

Each file is read by `read_predictions` in a fresh process, timed with its peak RSS (the child's
own ru_maxrss, from wait4). Rows look like a model's output: id, label, score and a short rationale
with quotes and brackets in it. Targets: a JSON array in bounded memory (it streams; peak RSS a
fraction of the JSON-lines read's) and at most ~2.5x the JSON-lines time (the array's structure is
found by numpy before pyarrow parses it). Measured on the shared 2-core machine (load ~5), the same
600 MB array read by the code before streaming (commit bb1bb01) and after: 74.9 s / 4.34 GB ->
32.2 s / 1.40 GB; 130 MB: 14.9 s / 1.07 GB -> 5.5 s / 0.45 GB. Most of what remains at 600 MB is
the id and label checks after reading, shared with JSON lines.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_READ = "from stancebench.evaluation.predictions import read_predictions; import sys; print(len(read_predictions(sys.argv[1])))"


def write_files(folder: Path, megabytes: int) -> tuple[Path, Path]:
    """An array file of about `megabytes` MB and the same rows as JSON lines."""
    array, lines = folder / f"preds_{megabytes}mb.json", folder / f"preds_{megabytes}mb.jsonl"
    rng = random.Random(0)
    labels = ("support", "oppose", "hedge")
    target, size, n = megabytes << 20, 0, 0
    with array.open("w", encoding="utf-8") as out_array, lines.open("w", encoding="utf-8") as out_lines:
        out_array.write("[\n")
        while size < target:
            row = (f'{{"id": "s{n:08d}", "label": "{labels[n % 3]}", "score": {rng.random():.4f}, '
                   f'"rationale": "the speaker says \\"we must\\" [{n}] {{ok}}"}}')
            out_array.write((",\n" if n else "") + row)
            out_lines.write(row + "\n")
            size += len(row) + 2
            n += 1
        out_array.write("\n]\n")
    return array, lines


def timed(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in GB) of one child process reading `path`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _READ, str(path)], stdout=out, stderr=subprocess.STDOUT, env=env,
                                 cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if status:
            out.seek(0)
            raise SystemExit(f"reading {path} failed:\n{out.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / (1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, nargs="+", default=[130, 600])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="Write the files here (else a temporary folder).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for megabytes in args.mb:
            array, lines = write_files(folder, megabytes)
            for _ in range(args.rounds):  # in turn: the two sides see the same machine load
                (a_time, a_rss), (l_time, l_rss) = timed(array), timed(lines)
                print(f"predictions {megabytes} MB: JSON array {a_time:.1f} s {a_rss:.2f} GB | "
                      f"JSON lines {l_time:.1f} s {l_rss:.2f} GB | array/lines time {a_time / l_time:.2f}x, "
                      f"memory {a_rss / l_rss:.2f}x", flush=True)


if __name__ == "__main__":
    main()
