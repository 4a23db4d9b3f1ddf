"""The label-log lock: an flock on `.NAME.jsonl.lock` that other writers wait for, never a special file."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stancebench.errors import InputError
from stancebench.logs import append_label, lock_path, log_lock, read_label_log
from stancebench.schema import LabelEvent
from tests.support import REPO

pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock, FIFOs")


def _event(sid: str = "s0") -> LabelEvent:
    return LabelEvent(sid, "alice", "support", "2026-01-01T00:00:00.000Z", "1.0")


def test_an_append_waits_for_the_lock_another_process_holds(project: Path):
    log = project / "annotations" / "labels" / "alice.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('held', flush=True); time.sleep(1.0)", str(lock_path(log))],
        stdout=subprocess.PIPE, cwd=REPO)
    assert holder.stdout.readline() == b"held\n"
    start = time.monotonic()
    append_label(log, _event())
    waited = time.monotonic() - start
    holder.wait()
    assert waited > 0.3  # it could not write while the other process held the lock
    assert [e.statement_id for e in read_label_log(log)] == ["s0"]


def test_the_lock_is_released_after_each_append(project: Path):
    log = project / "annotations" / "labels" / "alice.jsonl"
    append_label(log, _event())
    with open(lock_path(log), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if still held


def test_a_missing_labels_folder_is_created_on_the_first_append(project: Path):
    log = project / "annotations" / "labels" / "alice.jsonl"
    log.parent.rmdir()
    append_label(log, _event())
    assert [e.statement_id for e in read_label_log(log)] == ["s0"]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_lock_path_that_is_not_a_regular_file_is_refused(project: Path, kind: str):
    log = project / "annotations" / "labels" / "alice.jsonl"
    lock = lock_path(log)
    lock.mkdir() if kind == "folder" else os.mkfifo(lock)
    with pytest.raises(InputError, match=r"\.alice\.jsonl\.lock: "):
        append_label(log, _event())
    assert not log.exists()


def test_log_lock_is_the_same_lock(project: Path):
    log = project / "annotations" / "labels" / "alice.jsonl"
    with log_lock(log), open(lock_path(log), "a") as handle, pytest.raises(BlockingIOError):
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
