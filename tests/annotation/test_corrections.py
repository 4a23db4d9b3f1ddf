"""Corrections as data: `e`/`m`/`t` on the annotate screen, `stancebench correct`, undo, re-extract, build."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from stancebench.annotation.corrections import apply_corrections, correction_counts, make_correction, sentence_span
from stancebench.errors import StancebenchError
from stancebench.logs import read_label_log, read_label_logs
from stancebench.store import read_statements
from tests.support import make_corpus, write_log


def statements_of(project: Path):
    return read_statements(project / "annotations" / "statements.jsonl")


def log(project: Path, name: str = "a"):
    return read_label_log(project / "annotations" / "labels" / f"{name}.jsonl")


def test_skip_with_a_note_saves_the_note(seeded, stancebench):
    first = statements_of(seeded)[0]
    result = stancebench("annotate", "--annotator", "a", input="n\nwrong speaker\nk\nq\n")
    assert result.exit_code == 0, result.output
    assert "skipped, note saved" in result.output
    [event] = log(seeded)
    assert (event.statement_id, event.note, event.label, event.correction) == (first.id, "wrong speaker", None, {"kind": "skip"})
    status = json.loads(stancebench("status", "--json").output)
    assert status["labelled"] == 0  # a skip is not a label


def test_edit_speaker_mark_and_trim_from_the_screen_with_undo(seeded, stancebench):
    third = statements_of(seeded)[2]  # "the U.S. is weighing ... in Ukraine", within one sentence
    keys = "k\nk\ne\nDavid Cameron\nt\ne\nu\nm\nq\n"
    result = stancebench("annotate", "--annotator", "a", input=keys)
    assert result.exit_code == 0, result.output
    assert f"{third.id}: speaker is now David Cameron" in result.output
    assert "Speaker: David Cameron (Foreign Secretary, United Kingdom)  [corrected: speaker]" in result.output
    assert f"undone: your span correction of {third.id} is withdrawn" in result.output
    assert f"{third.id}: marked not a statement" in result.output
    assert "0 labels saved this session, 1 undone, 3 corrections" in result.output
    kinds = [(e.correction["kind"], e.is_retraction) for e in log(seeded)]
    assert kinds == [("speaker", False), ("span", False), ("span", True), ("not_statement", False)]
    span = log(seeded)[1].correction
    assert span["text"].endswith("in Ukraine.") and span["end"] == third.end + 1  # extended to the full stop
    fixed = {s.id: s for s in apply_corrections(statements_of(seeded), read_label_logs(seeded / "annotations" / "labels"))}
    assert fixed[third.id].speaker == "David Cameron" and fixed[third.id].is_stale  # not a statement: left out
    assert fixed[third.id].text == third.text  # the span fix was undone


def test_edit_speaker_by_number_offers_the_articles_speakers_first(seeded, stancebench):
    result = stancebench("annotate", "--annotator", "a", input="e\n1\nq\n")
    assert result.exit_code == 0, result.output
    assert "  1 Biden administration officials\n" in result.output
    assert log(seeded)[0].correction["speaker"] == "Biden administration officials"


def test_correct_command_for_scripts(seeded, stancebench):
    first, second = statements_of(seeded)[:2]
    ok = stancebench("correct", first.id[:6], "--annotator", "a", "--speaker", "Jens Stoltenberg", "--note", "byline")
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == f"a: {first.id} speaker correction = Jens Stoltenberg"
    assert stancebench("correct", second.id, "--annotator", "a", "--not-statement").exit_code == 0
    assert stancebench("correct", second.id, "--annotator", "a", "--undo", "not_statement").exit_code == 0
    events = log(seeded)
    assert events[0].correction == {"kind": "speaker", "speaker": "Jens Stoltenberg", "speaker_role": "NATO Secretary General",
                                    "speaker_affiliation": "NATO"} and events[0].note == "byline"
    assert correction_counts(read_label_logs(seeded / "annotations" / "labels")) == {
        "speaker": 1, "not_statement": 0, "span": 0}


def test_correct_command_errors_are_one_line(seeded, stancebench):
    sid = statements_of(seeded)[0].id
    cases = [
        ((sid, "--annotator", "a"), "give exactly one of --speaker, --not-statement, --span, --undo"),
        ((sid, "--annotator", "a", "--speaker", "X", "--not-statement"), "give exactly one of"),
        (("nope", "--annotator", "a", "--not-statement"), "unknown statement id 'nope'"),
        ((sid, "--annotator", "a", "--span", "sideways"), "bad span 'sideways' (expected trim, extend, start or START:END)"),
        ((sid, "--annotator", "a", "--span", "5:999999"), "span 5:999999 is outside article"),
        ((sid, "--annotator", "a", "--speaker", "  "), "the corrected speaker is empty"),
        ((sid, "--annotator", "../x", "--not-statement"), "invalid annotator name '../x'"),
    ]
    for args, message in cases:
        result = stancebench("correct", *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: ") and message in result.output, (args, result.output)
    assert not (seeded / "annotations" / "labels" / "a.jsonl").exists()


def test_a_bad_correction_in_a_log_names_file_and_line(seeded, stancebench):
    sid = statements_of(seeded)[0].id
    base = {"statement_id": sid, "label": None, "timestamp": "2026-01-01T00:00:00Z", "guidelines_version": "1.0"}
    for correction, message in [
        ({"kind": "colour"}, "unknown correction kind 'colour'"),
        ({"kind": "speaker"}, "field 'correction.speaker' must be a string"),
        ({"kind": "span", "start": 9, "end": 3, "text": "x"}, "corrected span end 3 is not after start 9"),
        ("speaker", "field 'correction' must be a JSON object"),
    ]:
        path = write_log(seeded, "a", {**base, "label": "support"}, {**base, "correction": correction})
        result = stancebench("status")
        assert result.exit_code == 1
        assert f"a.jsonl:2: {message}" in result.output, result.output
        path.unlink()


def test_corrections_survive_a_re_extract(seeded, stancebench):
    before = statements_of(seeded)
    first, second = before[0], before[1]
    stancebench("correct", first.id, "--annotator", "a", "--speaker", "David Cameron")
    stancebench("correct", second.id, "--annotator", "a", "--not-statement")
    again = stancebench("extract")
    assert again.exit_code == 0 and "23 unchanged" in again.output
    after = statements_of(seeded)
    assert [s.id for s in after] == [s.id for s in before]
    screen = stancebench("annotate", "--annotator", "b", input="q\n").output
    assert "Speaker: David Cameron (Foreign Secretary, United Kingdom)  [corrected: speaker]" in screen
    assert second.id not in screen and "[0/22 labelled by b]" in screen  # the non-statement is out of the queue
    fixed = {s.id: s for s in apply_corrections(after, read_label_logs(seeded / "annotations" / "labels"))}
    assert fixed[first.id].speaker == "David Cameron" and fixed[second.id].is_stale


def test_build_applies_corrections(project, stancebench):
    make_corpus(project)
    assert stancebench("correct", "s000", "--annotator", "a", "--speaker", "Antony Blinken").exit_code == 0
    assert stancebench("correct", "s003", "--annotator", "a", "--not-statement").exit_code == 0
    result = stancebench("build")
    assert result.exit_code == 0, result.output
    rows = {}
    for split in ("train", "test"):
        for row in pq.read_table(project / "release" / "default" / f"{split}.parquet").to_pylist():
            rows[row["id"]] = row
    assert rows["s000"]["speaker"] == "Antony Blinken" and rows["s000"]["speaker_affiliation"] == "United States"
    assert "s003" not in rows and "s001" in rows


def test_a_correction_the_reader_would_refuse_is_never_written(seeded):
    with pytest.raises(StancebenchError, match="bad correction: field 'correction.text' is empty"):
        make_correction("s1", "a", {"kind": "span", "start": 1, "end": 4, "text": "  "}, "1.0")


def test_sentence_span_modes():
    text = "The U.S. said no. Then it said maybe, and later yes. Done."
    assert sentence_span(text, 18, 36, "extend") == (18, 52)  # to "yes."
    assert sentence_span(text, 0, 36, "trim") == (0, 17)  # "U.S." is not a sentence end
    assert sentence_span(text, 23, 36, "start") == (18, 36)
    assert sentence_span(text, 53, 58, "extend") == (53, 58)  # nothing further: unchanged
