"""Time the annotation hot paths against lean comparators, as whole processes, paired runs (A B A B ...).

    python benchmarks/label_bench.py                      # 100,000 statements, 10,000 appends
    python benchmarks/label_bench.py --statements 20000 --appends 2000 --runs 3
    python benchmarks/label_bench.py --session            # also: seconds per label, with and without --suggest

Targets (issue 18): `label` and `annotate`'s first screen flat in corpus size, <= 0.1 s of work at
100,000 statements (the in-process lines), and whole-process times close to a lean script that
finds the id by one bytes scan. Label appends (lock + fsync) against bare open+flock+write+fsync.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stancebench.annotation.labelling import make_event, read_statement
from stancebench.annotation.opening import open_annotation_session
from stancebench.logs import append_label, log_lock, read_label_log
from stancebench.project import load_project
from stancebench.schema import Statement

try:
    from stancebench.id_index import write_id_index
except ImportError:  # a stancebench from before the id index, for before/after runs
    write_id_index = None

REPO = Path(__file__).resolve().parent.parent
_CONFIG = """[corpus]
name = "bench"
target_id = "lift-ukraine-strike-restrictions"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
"""
_TEXT = "the allies were weighing whether Ukraine may strike military sites inside Russia with their weapons"
_CONTEXT = "On Wednesday, officials said that {text}, according to two people familiar with the talks. It was {i}."

# The lean comparators: what a careful script does for the same result.
_LEAN_LABEL = r"""
import fcntl, json, os, sys
sid = sys.argv[1]
data = open("annotations/statements.jsonl", "rb").read()
pos = data.find(b'"id": "' + sid.encode() + b'"')
line = data[data.rfind(b"\n", 0, pos) + 1 : data.find(b"\n", pos)]
record = json.loads(line)
os.makedirs("lean", exist_ok=True)  # outside annotations/labels: its records are not label events
with open("lean/.lean.jsonl.lock", "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    fd = os.open("lean/lean.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, (json.dumps({"statement_id": record["id"], "label": sys.argv[2]}) + "\n").encode())
    os.fsync(fd)
    os.close(fd)
print(record["id"], sys.argv[2])
"""
_LEAN_SCREEN = r"""
import json, re
data = open("annotations/statements.jsonl", "rb").read()
ids = re.findall(rb'"id": "([^"]*)"', data)
pos = data.find(b'"id": "' + ids[0] + b'"')
record = json.loads(data[data.rfind(b"\n", 0, pos) + 1 : data.find(b"\n", pos)])
print(record["speaker"], record["text"], record["context"], sep="\n")
"""


def write_corpus(folder: Path, n: int, name: str = "corpus") -> Path:
    """A corpus folder with `n` statements (about 600 bytes each) and a codebook."""
    root = folder / f"{name}{n}"
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(_CONFIG, encoding="utf-8")
    (root / "annotations" / "GUIDELINES.md").write_text("Version: 1.0\n", encoding="utf-8")
    with (root / "annotations" / "statements.jsonl").open("w", encoding="utf-8") as out:
        for i in range(n):
            text = f"{_TEXT} ({i})"
            out.write(Statement(f"{i:016x}", f"a{i // 20:05d}", "Jane Doe", text, _CONTEXT.format(text=text, i=i),
                                0, len(text), "indirect", "lift-ukraine-strike-restrictions").to_json() + "\n")
    return root


def _env(folder: Path) -> dict[str, str]:
    # Byte-code cached in the temporary folder, as an installed package has it (and nothing written elsewhere).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}


_ENV: dict[str, str] = {}


def _run(command: list[str], cwd: Path, stdin: str = "") -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, input=stdin, text=True, env=_ENV or None)
    return time.perf_counter() - start


def _until_screen(command: list[str], cwd: Path, stdin: str = "") -> float:
    """Seconds until the annotate screen's legend is printed (then the session is quit)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=_ENV or None)
    seen = b""
    while b"[q]uit" not in seen:
        chunk = process.stdout.read1(65536)
        if not chunk:
            raise SystemExit(f"no screen from {command}")
        seen += chunk
    elapsed = time.perf_counter() - start
    process.communicate(b"q\n")
    return elapsed


def paired(a: list[str], b: list[str], cwd: Path, runs: int, stdin: str = "") -> tuple[float, float]:
    """Median wall times of two commands run in turn (A B A B ...), after one warm-up run of each."""
    time_a = _until_screen if "annotate" in a else _run
    time_a(a, cwd, stdin)
    _run(b, cwd, stdin)
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(time_a(a, cwd, stdin))
        times_b.append(_run(b, cwd, stdin))
    return statistics.median(times_a), statistics.median(times_b)


def _line(what: str, ours: float, theirs: float, comparator: str) -> None:
    print(f"{what}: stancebench {ours:.3f} s, {comparator} {theirs:.3f} s, ratio {ours / theirs:.2f}")


def bench_corpus(folder: Path, n: int, runs: int) -> None:
    """`label` and the first screen at `n` statements: in process and as whole processes."""
    root = write_corpus(folder, n)
    project = load_project(root)
    start = time.perf_counter()
    if write_id_index is not None:
        write_id_index(project.statements_path)  # what extract does after writing statements.jsonl
    build = time.perf_counter() - start
    middle = f"{n // 2:016x}"
    label_times, screen_times, rest_times, scan_times = [], [], [], []
    for _ in range(max(runs, 3)):
        start = time.perf_counter()
        read_statement(project, middle)
        label_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        session = open_annotation_session(project, "inproc")
        session.render()
        screen_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        session.prepare()  # what the CLI builds in the background while the first screen is read
        session._ready()
        rest_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        data = (root / "annotations" / "statements.jsonl").read_bytes()
        re.findall(rb'"id": "([^"]*)"', data)  # the lean comparator's core: ids by one bytes scan
        scan_times.append(time.perf_counter() - start)
    screen, scan = statistics.median(screen_times), statistics.median(scan_times)
    print(f"{n:,} statements, in process (medians): resolve one id {statistics.median(label_times) * 1e3:.1f} ms; "
          f"first screen {screen * 1e3:.1f} ms vs read + ids scan {scan * 1e3:.1f} ms, ratio {screen / scan:.2f}; "
          f"rest of the queue, built while the screen is read {statistics.median(rest_times) * 1e3:.1f} ms; "
          f"id index built once (by extract, or the first reader after a change) {build * 1e3:.0f} ms")
    cli = [sys.executable, "-c", "from stancebench.cli import main; main()"]
    ours, lean = paired([*cli, "label", middle, "support", "--annotator", "bench"],
                        [sys.executable, "-c", _LEAN_LABEL, middle, "support"], root, runs)
    _line(f"label, {n:,} statements (whole process)", ours, lean, "lean bytes scan + flock + fsync")
    ours, lean = paired([*cli, "annotate", "--annotator", "fresh"], [sys.executable, "-c", _LEAN_SCREEN], root, runs,
                        stdin="q\n")
    _line(f"annotate first screen, {n:,} statements (whole process, until the screen is printed)", ours, lean,
          "lean ids scan + one record")


def bench_appends(folder: Path, count: int, block: int = 500) -> None:
    """`count` label appends through the store against bare open+flock+write+fsync, in alternating blocks.

    (fsync time swings with what else the disk is doing; alternating blocks of `block` appends
    gives both the same weather.)
    """
    (folder / "labels").mkdir(exist_ok=True)
    events = [make_event(f"s{i:06d}", "bench", "hedge", "1.0") for i in range(count)]
    log, bare_log, bare_lock = (folder / "labels" / name for name in ("bench.jsonl", "bare.jsonl", ".bare.lock"))
    ours = bare = 0.0
    for first in range(0, count, block):
        chunk = events[first : first + block]
        start = time.perf_counter()
        for event in chunk:
            append_label(log, event)
        ours += time.perf_counter() - start
        start = time.perf_counter()
        for event in chunk:
            with open(bare_lock, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                fd = os.open(bare_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.write(fd, (event.to_json() + "\n").encode("utf-8"))
                os.fsync(fd)
                os.close(fd)
        bare += time.perf_counter() - start
    if len(read_label_log(log)) != count:
        raise SystemExit("appends lost events")
    _line(f"{count:,} label appends (lock + fsync)", ours, bare, "bare open+flock+write+fsync")
    start = time.perf_counter()
    for _ in range(count):
        with log_lock(log):
            pass
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(count):
        with open(bare_lock, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
    _line(f"{count:,} lock cycles alone (no fsync weather)", ours, time.perf_counter() - start, "bare open+flock+close")


def bench_session(folder: Path, labels: int) -> None:
    """Seconds per label in a scripted (piped) session, with and without --suggest (each on a fresh corpus)."""
    cli = [sys.executable, "-c", "from stancebench.cli import main; main()", "annotate"]
    keys = "".join("soh"[i % 3] + "\n" for i in range(labels)) + "q\n"
    model = ["--suggest", str(REPO / "baselines" / "tfidf_logreg.py")]
    for name, extra in (("without --suggest", []), ("with --suggest tfidf_logreg --refit-every 50", model)):
        root = write_corpus(folder, 1000, f"session{len(extra)}-")
        _run([*cli, "--annotator", "warm-up", *extra], root, "q\n")  # byte-code compiled, caches warm
        startup = statistics.median(_run([*cli, "--annotator", "empty", *extra], root, "q\n") for _ in range(3))
        refit = ["--refit-every", "50"] if extra else []
        total = _run([*cli, "--annotator", "scripted", *extra, *refit], root, keys)
        print(f"scripted session, {labels} labels {name}: {total:.2f} s in all, start-up {startup:.2f} s, "
              f"{(total - startup) / labels * 1e3:.1f} ms per label")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="paired runs per command (medians reported)")
    parser.add_argument("--session", action="store_true", help="also time a scripted session with/without --suggest")
    parser.add_argument("--labels", type=int, default=200, help="labels in the scripted session")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _ENV.update(_env(folder))
        for n in sorted({1000, options.statements}):
            bench_corpus(folder, n, options.runs)
        bench_appends(folder, options.appends)
        if options.session:
            bench_session(folder, options.labels)


if __name__ == "__main__":
    main()
