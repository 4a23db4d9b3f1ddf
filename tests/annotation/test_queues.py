"""Team queues: `assign`, `annotate` following a queue, incremental assignment, `status` for a lead."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from stancebench.logs import read_label_log
from stancebench.store import read_statements
from tests.support import DATA, write_log


def queues(project: Path) -> dict[str, list[str]]:
    folder = project / "annotations" / "queues"
    return {p.stem: p.read_text(encoding="utf-8").split() for p in sorted(folder.glob("*.txt"))}


def ids_of(project: Path) -> list[str]:
    return [s.id for s in read_statements(project / "annotations" / "statements.jsonl")]


def test_assign_gives_each_statement_to_one_and_a_seeded_share_to_two(seeded, stancebench):
    result = stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "assigned 28 queue entries (5 statement(s) to two annotators)" in result.output
    got = queues(seeded)
    counts = Counter(sid for ids in got.values() for sid in ids)
    assert set(counts) == set(ids_of(seeded))
    assert sorted(Counter(counts.values()).items()) == [(1, 18), (2, 5)]  # round(0.2 * 23) = 5 overlap
    assert all(len(set(ids)) == len(ids) for ids in got.values())  # never twice to the same annotator
    sizes = sorted(len(ids) for ids in got.values())
    assert sizes[-1] - sizes[0] <= 1  # balanced
    files = {p.name: p.read_bytes() for p in (seeded / "annotations" / "queues").iterdir()}
    shutil.rmtree(seeded / "annotations" / "queues")
    stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2", "--seed", "1")
    assert {p.name: p.read_bytes() for p in (seeded / "annotations" / "queues").iterdir()} == files  # seeded
    shutil.rmtree(seeded / "annotations" / "queues")
    stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2", "--seed", "2")
    assert queues(seeded) != got
    assert not list((seeded / "annotations" / "queues").glob(".*"))  # no temporary files left


def test_annotate_follows_the_annotators_queue(seeded, stancebench):
    stancebench("assign", "--annotators", "a,b", "--overlap", "0")
    queue = queues(seeded)["b"]
    result = stancebench("annotate", "--annotator", "b", input="s\nq\n")
    assert result.exit_code == 0, result.output
    assert f"[0/{len(queue)} labelled by b]  statement {queue[0]}" in result.output
    assert f"[1/{len(queue)} labelled by b]  statement {queue[1]}" in result.output
    outsider = stancebench("annotate", "--annotator", "zed", input="q\n")
    assert "Warning: no queue for 'zed' in annotations/queues (stancebench assign); showing every statement" in outsider.output


def test_new_statements_from_a_later_extract_are_assigned_incrementally(seeded, stancebench):
    stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2")
    before = queues(seeded)
    shutil.copy(DATA / "articles" / "untidy.txt", seeded / "seeds" / "untidy.txt")
    assert stancebench("extract").exit_code in (0, 1)  # untidy.txt warns about a malformed quote
    new = set(ids_of(seeded)) - {sid for ids in before.values() for sid in ids}
    assert new
    assert f"unassigned statements: {len(new)} (new since the last assign" in stancebench("status").output
    result = stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2")
    assert result.exit_code == 0, result.output
    assert "unassigned" not in stancebench("status").output
    after = queues(seeded)
    for name, ids in before.items():
        assert after[name][: len(ids)] == ids  # earlier assignments untouched
    added = Counter(sid for name in after for sid in after[name][len(before[name]):])
    assert set(added) == new
    again = stancebench("assign", "--annotators", "a,b,c", "--overlap", "0.2")
    assert "assigned 0 queue entries" in again.output and queues(seeded) == after


def test_assign_errors(seeded, stancebench):
    for args, message in [
        (("--annotators", "a,a"), "--annotators needs one or more distinct names"),
        (("--annotators", "a"), "an overlap needs at least two annotators (or give --overlap 0)"),
        (("--annotators", "a,../b"), "invalid annotator name '../b'"),
    ]:
        result = stancebench("assign", *args)
        assert result.exit_code == 1 and message in result.output, result.output
    assert stancebench("assign", "--annotators", "a,b", "--overlap", "1.5").exit_code == 2
    assert not (seeded / "annotations" / "queues").exists()
    (seeded / "annotations" / "queues").mkdir()
    (seeded / "annotations" / "queues" / "a.txt").write_text("x1\nx2\nx1\n", encoding="utf-8")
    result = stancebench("annotate", "--annotator", "a", input="q\n")
    assert result.exit_code == 1 and "queues/a.txt:3: statement 'x1' is already queued on line 1" in result.output


def _event(sid: str, label: str, seconds: float) -> dict:
    return {"statement_id": sid, "label": label, "timestamp": "2026-01-01T00:00:00Z",
            "guidelines_version": "1.0", "seconds": seconds}


def test_status_shows_queues_speed_overlap_agreement_and_disputes(seeded, stancebench):
    stancebench("assign", "--annotators", "a,b", "--overlap", "0.2", "--seed", "3")
    got = queues(seeded)
    both = sorted(set(got["a"]) & set(got["b"]))
    write_log(seeded, "a", _event(both[0], "support", 10), _event(both[1], "oppose", 20))
    write_log(seeded, "b", _event(both[0], "support", 30), _event(both[1], "hedge", 30))
    result = stancebench("status")
    assert result.exit_code == 0, result.output
    assert f"  a: labelled 2/{len(got['a'])}, remaining {len(got['a']) - 2}, disputed 1, 240 labels/hour" in result.output
    assert f"  b: labelled 2/{len(got['b'])}, remaining {len(got['b']) - 2}, disputed 1, 120 labels/hour" in result.output
    assert f"overlap set: {len(both)} statements, 2 labelled twice, observed agreement 0.500" in result.output
    assert f"disputed items:\n  {both[1]}  a=oppose, b=hedge" in result.output
    data = json.loads(stancebench("status", "--json").output)
    assert data["annotators"]["a"]["labels_per_hour"] == 240.0 and data["overlap"]["labelled_twice"] == 2
    assert data["disputed_items"] == {both[1]: {"a": "oppose", "b": "hedge"}}


def test_each_label_records_the_seconds_spent(seeded, stancebench):
    stancebench("annotate", "--annotator", "a", input="s\nh\nq\n")
    events = read_label_log(seeded / "annotations" / "labels" / "a.jsonl")
    assert [e.label for e in events] == ["support", "hedge"]
    assert all(isinstance(e.seconds, float) and 0 <= e.seconds < 30 for e in events)
