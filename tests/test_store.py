"""Label logs: names, appends under a lock, torn lines, retractions, two writers, a killed writer."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancebench import store
from stancebench.annotation.labels import label_log_path, latest_labels
from stancebench.errors import InputError, StancebenchError
from stancebench.logs import (
    TornLineWarning,
    append_label,
    append_labels,
    lock_path,
    read_label_log,
    read_label_logs,
    validate_annotator,
)
from stancebench.project import load_project
from stancebench.schema import LabelEvent
from tests.support import write_log


def event(sid: str, label: str | None = "support", annotator: str = "alice", note: str | None = None) -> LabelEvent:
    return LabelEvent(sid, annotator, label, "2026-01-01T00:00:00.000Z", "1.0", note, label is None)


# --- annotator names -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alice", "Bob_2", "a.b-c", "x" * 64])
def test_good_annotator_names_pass(name):
    assert validate_annotator(name) == name


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "..", "a..b", ".hidden", "a b", "é", "x" * 65, "a:b"])
def test_bad_annotator_names_are_refused(name):
    with pytest.raises(StancebenchError, match="invalid annotator name"):
        validate_annotator(name)


def test_empty_annotator_name_is_refused():
    with pytest.raises(StancebenchError, match="annotator name is empty"):
        validate_annotator("")


def test_label_log_path_is_one_file_per_annotator(project):
    assert label_log_path(load_project(), "alice") == project / "annotations" / "labels" / "alice.jsonl"
    with pytest.raises(StancebenchError, match="invalid annotator name '../x'"):
        label_log_path(load_project(), "../x")


# --- append and read -----------------------------------------------------------------------------


def test_append_then_read_round_trips(tmp_path):
    log = tmp_path / "labels" / "alice.jsonl"
    append_label(log, event("s1", note="hard one"))
    append_labels(log, [event("s2", "oppose"), event("s3", "hedge")])
    events = read_label_log(log, annotator="alice")
    assert [(e.statement_id, e.label, e.note) for e in events] == [
        ("s1", "support", "hard one"), ("s2", "oppose", None), ("s3", "hedge", None),
    ]
    assert log.read_bytes().endswith(b"\n") and log.read_bytes().count(b"\n") == 3
    assert lock_path(log) == tmp_path / "labels" / ".alice.jsonl.lock"


def test_append_nothing_writes_nothing(tmp_path):
    log = tmp_path / "alice.jsonl"
    append_labels(log, [])
    assert not log.exists()


@settings(max_examples=30, deadline=None)
@given(note=st.text(max_size=40), sid=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20))
def test_any_note_and_id_survive_the_log(tmp_path_factory, note, sid):
    if not sid.strip():
        return
    log = tmp_path_factory.mktemp("log") / "alice.jsonl"
    append_label(log, event(sid, note=note or None))
    (read,) = read_label_log(log)
    assert read.statement_id == sid and read.note == (note or None)


def test_failed_write_leaves_no_part_of_the_batch(tmp_path, monkeypatch):
    log = tmp_path / "alice.jsonl"
    append_label(log, event("s0"))
    before = log.read_bytes()
    real_write = os.write

    def write_half_then_fail(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "write", write_half_then_fail)
    with pytest.raises(OSError):
        append_labels(log, [event(f"s{i}") for i in range(1, 20)])
    monkeypatch.undo()
    assert log.read_bytes() == before


def test_latest_event_wins_and_retraction_removes_the_pair():
    events = [
        event("s1", "support"), event("s1", "oppose"), event("s2", "hedge"),
        event("s2", None), event("s1", "support", annotator="bob"),
    ]
    latest = latest_labels(events)
    assert {key: e.label for key, e in latest.items()} == {("alice", "s1"): "oppose", ("bob", "s1"): "support"}


def test_read_label_logs_reads_every_annotator(project):
    write_log(project, "alice", event("s1").to_json())
    write_log(project, "bob", event("s1", "oppose", annotator="bob").to_json())
    logs = read_label_logs(project / "annotations" / "labels")
    assert sorted(logs) == ["alice", "bob"]
    assert logs["bob"][0].label == "oppose"
    assert read_label_logs(project / "nowhere") == {}


# --- bad logs ------------------------------------------------------------------------------------


def test_empty_log_is_reported_and_has_no_events(project):
    log = write_log(project, "alice")
    log.write_text("", encoding="utf-8")
    problems: list[str] = []
    assert read_label_log(log, problems=problems) == []
    assert problems == [f"{log}: empty label log (no events)"]


def test_malformed_line_mid_file_names_file_and_line(project):
    log = write_log(project, "alice", event("s1").to_json(), "this is not json", event("s2").to_json())
    with pytest.raises(InputError, match=r"alice\.jsonl:2: not valid JSON \(Expecting value\)"):
        read_label_log(log)


def test_unknown_label_in_log_names_file_and_line(project):
    log = write_log(project, "alice", event("s1").to_json(), {"statement_id": "s1", "label": "maybe"})
    with pytest.raises(InputError, match=r"alice\.jsonl:2: unknown label 'maybe'"):
        read_label_log(log)


def test_event_of_another_annotator_is_refused(project):
    log = write_log(project, "alice", event("s1", annotator="bob").to_json())
    with pytest.raises(InputError, match=r"alice\.jsonl:1: event by 'bob' in the log of 'alice'"):
        read_label_log(log, annotator="alice")


def test_missing_log_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.jsonl: file not found"):
        read_label_log(tmp_path / "nope.jsonl")


def test_torn_final_line_is_reported_and_skipped(project):
    log = write_log(project, "alice", event("s1").to_json(), event("s2").to_json())
    with log.open("ab") as handle:
        handle.write(event("s3").to_json().encode()[:37])
    with pytest.warns(TornLineWarning, match=r"alice\.jsonl:3: torn line \(an interrupted write\) skipped"):
        events = read_label_log(log)
    assert [e.statement_id for e in events] == ["s1", "s2"]


def test_torn_final_line_cut_inside_a_multibyte_character(project):
    log = write_log(project, "alice", event("s1").to_json())
    with log.open("ab") as handle:
        handle.write(event("s2", note="naïve").to_json().encode()[:-15].rsplit(b"\xc3", 1)[0] + b"\xc3")
    problems: list[str] = []
    assert [e.statement_id for e in read_label_log(log, problems=problems)] == ["s1"]
    assert problems == [f"{log}:2: torn line (an interrupted write) skipped"]


def test_writer_sets_a_torn_tail_aside_before_appending(project):
    log = write_log(project, "alice", event("s1").to_json())
    with log.open("ab") as handle:
        handle.write(b'{"annotator": "alice", "guidelines_ver')
    with pytest.warns(TornLineWarning, match=r"alice\.jsonl:2: 38 bytes of an interrupted write moved to alice\.jsonl\.torn"):
        append_label(log, event("s2", "oppose"))
    assert (log.parent / "alice.jsonl.torn").read_bytes() == b'{"annotator": "alice", "guidelines_ver\n'
    lines = log.read_bytes().split(b"\n")
    assert json.loads(lines[1])["statement_id"] == "s2"
    problems: list[str] = []
    assert [e.statement_id for e in read_label_log(log, problems=problems)] == ["s1", "s2"]
    assert problems == []


# --- two writers, a killed writer ------------------------------------------------------------------


def _append_many(log: str, annotator: str, count: int) -> None:
    for i in range(count):
        append_label(Path(log), event(f"{annotator}-{i}", annotator=annotator))


def test_two_processes_appending_at_once_lose_nothing(tmp_path):
    log = tmp_path / "shared.jsonl"
    count = 300
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(log), name, count)) for name in ("alice", "bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with_warnings: list[str] = []
    events = read_label_log(log, problems=with_warnings)
    assert with_warnings == []
    assert len(events) == 2 * count
    for name in ("alice", "bob"):
        mine = [e.statement_id for e in events if e.annotator == name]
        assert mine == [f"{name}-{i}" for i in range(count)]  # each writer's order kept


_WRITER = """
import sys
from pathlib import Path
from stancebench.schema import LabelEvent
from stancebench.logs import append_label
log = Path(sys.argv[1])
i = 0
while True:
    append_label(log, LabelEvent(f"s{i}", "alice", "hedge", "2026-01-01T00:00:00Z", "1.0", "x" * 200))
    i += 1
"""


def test_killed_writer_loses_nothing_already_written(tmp_path):
    log = tmp_path / "alice.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(log)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and log.read_bytes().count(b"\n") >= 50:
                break
            time.sleep(0.01)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    problems: list[str] = []
    events = read_label_log(log, annotator="alice", problems=problems)
    assert len(events) >= 50
    assert [e.statement_id for e in events] == [f"s{i}" for i in range(len(events))]
    assert len(problems) <= 1  # at most one torn last line
    # A torn last line made by hand, as a crash mid-write would leave it:
    with log.open("ab") as handle:
        handle.write(b'{"annotator": "alice", "label": "sup')
    problems = []
    assert len(read_label_log(log, problems=problems)) == len(events)
    assert problems[-1].endswith("torn line (an interrupted write) skipped")
    append_label(log, event("after-crash"))
    assert read_label_log(log, problems=[])[-1].statement_id == "after-crash"


def test_hand_broken_line_mid_file_is_an_error_not_a_torn_line(project):
    log = write_log(project, "alice", event("s1").to_json(), '{"statement_id": "s2", "label": "hedge"', event("s3").to_json())
    with pytest.raises(InputError, match=r"alice\.jsonl:2: not valid JSON"):
        read_label_log(log)


def test_statements_with_unicode_line_separators_inside_strings_read(tmp_path):
    from stancebench.store import read_statements
    from tests.support import make_statement

    odd = "Ukraine\u2028must\u0085strike\x1cback."
    path = tmp_path / "statements.jsonl"
    path.write_text(make_statement("s1", odd).to_json() + "\r\n" + make_statement("s2").to_json() + "\n", encoding="utf-8")
    assert [s.text for s in read_statements(path)] == [odd, "We must lift the limits."]
