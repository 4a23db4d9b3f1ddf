"""Torn records are always recognised: framed lines cut at every byte, unfinished batches,
damaged lines, the issue's `}`-ending repro, and `stancebench fsck` repairing them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.errors import InputError
from stancebench.frames import Batch, frame_line, inspect_line
from stancebench.logs import append_label, append_labels, read_label_log
from stancebench.schema import LabelEvent
from tests.support import make_statement, write_log, write_statements


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def event(sid: str, label: str = "support", note: str | None = None) -> LabelEvent:
    return LabelEvent(sid, "alice", label, "2026-01-01T00:00:00.000Z", "1.1", note)


@pytest.fixture
def corpus(project: Path) -> Path:
    write_statements(project, [make_statement(f"s{i}") for i in range(5)])
    return project


def _ids(log: Path, problems: list[str] | None = None) -> list[str]:
    return [e.statement_id for e in read_label_log(log, problems=[] if problems is None else problems)]


# --- the repro ---------------------------------------------------------------------------


_TORN = b'{"annotator": "alice", "guidelines_version": "1.1", "is_retraction": false, "label": "support", "note": "see {x}'


def test_a_torn_line_ending_in_a_brace_no_longer_bricks_the_log(corpus):
    assert run("label", "s0", "support", "--annotator", "alice").exit_code == 0
    log = corpus / "annotations" / "labels" / "alice.jsonl"
    with log.open("ab") as handle:
        handle.write(_TORN)
    labelled = run("label", "s1", "oppose", "--annotator", "alice")
    assert labelled.exit_code == 0
    assert "bytes of an interrupted write moved to alice.jsonl.torn" in labelled.stderr
    status = run("status")
    assert status.exit_code == 0, status.output
    assert "labelled: 2" in status.stdout
    assert (log.parent / "alice.jsonl.torn").read_bytes() == _TORN + b"\n"


def test_a_log_an_old_writer_bricked_is_named_and_fsck_repairs_it(corpus):
    log = write_log(corpus, "alice", event("s0").to_json(), _TORN.decode(), event("s1").to_json())
    status = run("status")
    assert status.exit_code == 1
    assert "alice.jsonl:2: not valid JSON" in status.output and "stancebench fsck --repair" in status.output
    assert run("fsck").exit_code == 1
    repaired = run("fsck", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: " in repaired.output and "alice.jsonl:2: torn line" in repaired.output
    assert _ids(log) == ["s0", "s1"]
    assert run("status").exit_code == 0
    assert run("fsck").exit_code == 0


# --- framed lines: every cut is recognised --------------------------------------------------------------


@pytest.mark.parametrize("note", [None, "see {x}", "ends with a brace }", "naïve \u4e2d\u6587 " * 50])
def test_a_framed_line_cut_at_any_byte_is_torn_wherever_it_lies(project, note):
    line = frame_line(event("s1", note=note).to_json())
    assert inspect_line(line).kind == "framed"
    for cut in range(1, len(line)):
        assert inspect_line(line[:cut]).kind == "torn", cut
        log = write_log(project, "alice")
        log.write_bytes(event("s0").to_json().encode() + b"\n" + line[:cut] + b"\n" + frame_line(event("s2").to_json()) + b"\n")
        problems: list[str] = []
        assert _ids(log, problems) == ["s0", "s2"], cut
        assert problems == [f"{log}:2: torn line (an interrupted write) skipped"], cut


def test_a_changed_framed_line_is_damaged_not_silently_read(project):
    log = write_log(project, "alice")
    append_label(log, event("s0", "support"))
    log.write_bytes(log.read_bytes().replace(b"2026-01-01", b"2027-01-01"))  # same length, other bytes
    with pytest.raises(InputError, match=r"alice\.jsonl:1: checksum mismatch: the line was changed after it was written; "
                                         r"'stancebench fsck --repair' sets it aside"):
        read_label_log(log)
    log.write_bytes(log.read_bytes()[:-2] + b', "x": 1}\n')  # longer than written
    with pytest.raises(InputError, match=r"alice\.jsonl:1: line is 8 bytes longer than its frame says"):
        read_label_log(log)


def test_framed_lines_stay_json_with_the_event_fields():
    line = frame_line(event("s0", note="x").to_json(), Batch("0123456789abcdef", 2, 3))
    record = json.loads(line)
    assert record["_frame"].endswith(":0123456789abcdef:2/3")
    assert LabelEvent.from_dict(record) == event("s0", note="x")


# --- batches: all or nothing ----------------------------------------------------------------------------


def test_a_batch_cut_anywhere_is_skipped_whole_and_set_aside_by_the_next_writer(project):
    log = write_log(project, "alice")
    append_label(log, event("before"))
    size = log.stat().st_size
    append_labels(log, [event(f"b{i}", note="n" * (i * 7)) for i in range(40)])
    whole = log.read_bytes()
    breaks = [i + 1 for i in range(size, len(whole) - 1) if whole[i] == ord("\n")]
    cuts = sorted(set(breaks) | set(range(size + 1, len(whole) - 1, 97)))
    for cut in cuts:
        log.write_bytes(whole[:cut])
        problems: list[str] = []
        assert _ids(log, problems) == ["before"], cut
        assert problems and "interrupted" in problems[-1] or "torn" in problems[-1]
        with pytest.warns(UserWarning, match="bytes of an interrupted write moved to alice.jsonl.torn"):
            append_label(log, event("after"))
        assert _ids(log, problems := []) == ["before", "after"] and problems == [], cut
        (log.parent / "alice.jsonl.torn").unlink()
    log.write_bytes(whole)
    assert _ids(log) == ["before"] + [f"b{i}" for i in range(40)]


# --- import-labels: idempotent ------------------------------------------------------------------------


def test_import_labels_twice_adds_nothing_the_second_time(corpus, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("statement_id,label,note\ns0,support,\ns1,oppose,why\ns2,hedge,\n", encoding="utf-8")
    first = run("import-labels", str(rows), "--annotator", "alice")
    assert first.exit_code == 0 and "imported 3 label(s)" in first.output
    second = run("import-labels", str(rows), "--annotator", "alice")
    assert second.exit_code == 0 and "imported 0 label(s)" in second.output
    log = corpus / "annotations" / "labels" / "alice.jsonl"
    assert _ids(log) == ["s0", "s1", "s2"]
    assert run("label", "s1", "hedge", "--annotator", "alice").exit_code == 0
    third = run("import-labels", str(rows), "--annotator", "alice")  # s1 changed since: re-applied
    assert "imported 1 label(s)" in third.output
    assert _ids(log) == ["s0", "s1", "s2", "s1", "s1"]


# --- fsck -----------------------------------------------------------------------------------------------


def test_fsck_on_a_clean_corpus(corpus):
    append_label(corpus / "annotations" / "labels" / "alice.jsonl", event("s0"))
    result = run("fsck")
    assert result.exit_code == 0, result.output
    assert "ok: 2 file(s) checked" in result.output
    assert "note: " in result.output  # no release built yet


def test_fsck_repairs_torn_tails_unfinished_batches_damage_and_debris(corpus):
    labels = corpus / "annotations" / "labels"
    append_label(labels / "alice.jsonl", event("s0"))
    append_labels(labels / "alice.jsonl", [event("s1"), event("s2")])
    log = labels / "alice.jsonl"
    log.write_bytes(log.read_bytes()[:-20])  # the batch's last line torn
    append_label(labels / "bob.jsonl", LabelEvent("s0", "bob", "hedge", "t", "1.1"))
    bob = labels / "bob.jsonl"
    bob.write_bytes(bob.read_bytes().replace(b'"hedge"', b'"HEDGE"'))  # damaged
    debris = corpus / "annotations" / ".gold.jsonl.x1y2.tmp"
    debris.write_text("half", encoding="utf-8")
    checked = run("fsck")
    assert checked.exit_code == 1
    assert "alice.jsonl:3: torn line" in checked.stderr and "alice.jsonl:2: an interrupted batch skipped" in checked.stderr
    assert "bob.jsonl:1: damaged line (checksum mismatch" in checked.stderr
    assert ".gold.jsonl.x1y2.tmp: left by an interrupted write" in checked.stderr
    repaired = run("fsck", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert not debris.exists()
    assert _ids(log) == ["s0"] and _ids(bob) == []
    assert (labels / "bob.jsonl.torn").read_bytes().count(b"\n") == 1
    again = run("fsck")
    assert again.exit_code == 0 and "bytes set aside from interrupted writes (review, then delete)" in again.output


def test_fsck_names_a_broken_statements_file(corpus):
    path = corpus / "annotations" / "statements.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + '{"id": "oops"\n', encoding="utf-8")
    result = run("fsck", "--repair")
    assert result.exit_code == 1
    assert "statements.jsonl:6: not valid JSON" in result.stderr and "re-run 'stancebench extract'" in result.stderr


def test_fsck_verifies_the_release_against_its_digests(corpus):
    release = corpus / "release"
    (release / "default").mkdir(parents=True)
    data = release / "default" / "train.parquet"
    data.write_bytes(b"PAR1 pretend")
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    (release / "release.json").write_text(json.dumps({"files": {"default/train.parquet": f"sha256:{digest}"}}))
    assert run("fsck").exit_code == 0
    data.write_bytes(b"PAR1 tampered")
    result = run("fsck")
    assert result.exit_code == 1
    assert "train.parquet: differs from the digest in release.json; re-run 'stancebench build'" in result.stderr
    data.unlink()
    assert "train.parquet: missing from the release" in run("fsck").stderr
