"""Load: four processes labelling at once, into one annotator's log and into four logs; nothing lost, nothing torn."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import Counter
from pathlib import Path

import pytest

from stancebench.logs import append_label, read_label_log, read_label_logs
from stancebench.schema import LABELS, LabelEvent

PROCESSES = 4
ITEMS = 2_500


def label_many(log_path: str, annotator: str, worker: int, items: int, start) -> None:
    """One annotator process: `items` labels, one locked append each (what a labelling session does)."""
    start.wait()
    for i in range(items):
        event = LabelEvent(
            statement_id=f"w{worker}-{i:05d}",
            annotator=annotator,
            label=LABELS[i % len(LABELS)],
            timestamp=f"2024-06-01T00:00:00.{i % 1000:03d}Z",
            guidelines_version="1.1",
            note=f"process {worker}, item {i} — «ünïcode» keeps lines multi-byte" if i % 7 == 0 else None,
        )
        append_label(log_path, event)


def run_workers(targets: list[tuple[Path, str]]) -> float:
    """Start one process per (log, annotator), release them at once, wait; returns the seconds taken."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [
        context.Process(target=label_many, args=(str(log), annotator, worker, ITEMS, start))
        for worker, (log, annotator) in enumerate(targets)
    ]
    for process in processes:
        process.start()
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join(timeout=300)
    elapsed = time.perf_counter() - began
    for process in processes:
        if process.is_alive():  # pragma: no cover - a hung writer
            process.kill()
        assert process.exitcode == 0, f"a labelling process exited with {process.exitcode}"
    return elapsed


def check_log(path: Path, workers: list[int], annotator: str) -> list[LabelEvent]:
    """Every line is whole JSON; every event of `workers` is there once, in each worker's own order."""
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[:-1]
    assert len(lines) == len(workers) * ITEMS
    for line in lines:
        assert isinstance(json.loads(line.decode("utf-8")), dict)
    problems: list[str] = []
    events = read_label_log(path, annotator=annotator, problems=problems)
    assert problems == []
    ids = [event.statement_id for event in events]
    counts = Counter(ids)
    assert len(counts) == len(ids) == len(workers) * ITEMS
    assert set(counts) == {f"w{w}-{i:05d}" for w in workers for i in range(ITEMS)}
    for worker in workers:  # appends of one process stay in its order
        mine = [sid for sid in ids if sid.startswith(f"w{worker}-")]
        assert mine == sorted(mine)
    by_id = {event.statement_id: event for event in events}
    assert by_id[f"w{workers[0]}-00007"].note is not None and "«ünïcode»" in by_id[f"w{workers[0]}-00007"].note
    assert by_id[f"w{workers[-1]}-00002"].label == LABELS[2]
    return events


def test_four_processes_label_into_one_annotators_log(tmp_path: Path):
    log = tmp_path / "labels" / "alice.jsonl"
    elapsed = run_workers([(log, "alice")] * PROCESSES)
    events = check_log(log, list(range(PROCESSES)), "alice")
    assert len(events) == PROCESSES * ITEMS == 10_000
    print(f"\none log: {len(events)} events from {PROCESSES} processes in {elapsed:.1f} s")


def test_four_processes_label_into_four_logs(tmp_path: Path):
    folder = tmp_path / "labels"
    targets = [(folder / f"ann{w}.jsonl", f"ann{w}") for w in range(PROCESSES)]
    elapsed = run_workers(targets)
    for worker, (log, annotator) in enumerate(targets):
        check_log(log, [worker], annotator)
    logs = read_label_logs(folder, problems=[])
    assert {name: len(events) for name, events in logs.items()} == {f"ann{w}": ITEMS for w in range(PROCESSES)}
    print(f"\nfour logs: {PROCESSES * ITEMS} events from {PROCESSES} processes in {elapsed:.1f} s")


@pytest.mark.parametrize("annotator", ["alice"])
def test_lock_files_are_hidden_from_the_logs_folder(tmp_path: Path, annotator: str):
    log = tmp_path / "labels" / f"{annotator}.jsonl"
    append_label(log, LabelEvent(statement_id="s1", annotator=annotator, label="support", timestamp="t",
                                 guidelines_version="1"))
    assert list(read_label_logs(log.parent, problems=[])) == [annotator]  # .alice.jsonl.lock is not a log
