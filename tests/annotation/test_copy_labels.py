"""Syndicated copies are one statement: labels given to any copy count for the canonical statement."""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner

from stancebench import store
from stancebench.annotation.adjudication import adjudicate_corpus
from stancebench.annotation.labels import (
    LabelState,
    canonical_events,
    copy_conflicts,
    current_labels,
    latest_decisions,
    latest_labels,
    read_label_state,
)
from stancebench.annotation.opening import open_annotation_session
from stancebench.annotation.reports import corpus_agreement, corpus_status
from stancebench.cli import cli
from stancebench.corpus.dedup import canonical_statements, copy_links, read_copy_links
from stancebench.project import load_project
from stancebench.schema import LabelEvent
from tests.support import stmt, write_article, write_log, write_statements


def event(sid: str, annotator: str, label: str | None, minute: int, **extra) -> dict:
    return {"statement_id": sid, "annotator": annotator, "label": label, "timestamp": f"2024-06-01T10:{minute:02d}:00Z",
            "guidelines_version": "1", "is_retraction": label is None, **extra}


def ev(sid: str, annotator: str, label: str | None, minute: int = 0, **extra) -> LabelEvent:
    return LabelEvent.from_dict(event(sid, annotator, label, minute, **extra))


def corpus_statements() -> list:
    """Two copy groups (c1 with k1a, k1b; c2 with k2), a unique statement, a stale copy, a copy of a stale one."""
    s = [
        stmt("c1", "We must lift the limits.", 0, article_id="a1", copies=("k1a", "k1b")),
        stmt("c2", "Such strikes would escalate the war.", 40, article_id="a1", copies=("k2",)),
        stmt("c3", "No decision has been taken.", 90, article_id="a1", copies=("k3",)),
        stmt("c4", "The ban stays in place.", 130, article_id="a1", is_stale=True),
        stmt("k1a", "We must lift the limits.", 0, article_id="a2", canonical_id="c1"),
        stmt("k2", "Such strikes would escalate the war.", 40, article_id="a2", canonical_id="c2"),
        stmt("k3", "No decision has been taken.", 90, article_id="a2", canonical_id="c3", is_stale=True),
        stmt("k4", "The ban stays in place.", 130, article_id="a2", canonical_id="c4"),
        stmt("u", "A headline of its own, says Kyiv.", 200, article_id="a2"),
        stmt("k1b", "We must lift the limits.", 0, article_id="a3", canonical_id="c1"),
    ]
    return s


def test_copy_links_keep_live_copies_of_live_statements_only():
    links = copy_links(corpus_statements())
    # k3 is stale (no copy any more); k4's canonical statement is stale, so k4 stands on its own.
    assert links == {"k1a": "c1", "k1b": "c1", "k2": "c2"}
    assert [s.id for s in canonical_statements(corpus_statements())] == ["c1", "c2", "c3", "c4", "k3", "k4", "u"]


def test_a_label_on_any_copy_counts_for_the_canonical_statement():
    links = copy_links(corpus_statements())
    logs = {"alice": [ev("k1a", "alice", "support")], "bob": [ev("c1", "bob", "support")],
            "carol": [ev("k1b", "carol", "oppose")]}
    assert current_labels(logs, links) == {"c1": {"alice": "support", "bob": "support", "carol": "oppose"}}
    assert current_labels(logs) == {"c1": {"bob": "support"}, "k1a": {"alice": "support"}, "k1b": {"carol": "oppose"}}
    assert [e.statement_id for e in canonical_events(logs["alice"], links)] == ["c1"]


@pytest.mark.parametrize(("first", "second"), [("c1", "k1a"), ("k1a", "c1"), ("k1a", "k1b")])
def test_one_annotator_labelling_two_copies_differently_latest_wins_and_is_reported(first, second):
    links = copy_links(corpus_statements())
    logs = {"alice": [ev(first, "alice", "support", 1), ev(second, "alice", "oppose", 2)]}
    assert current_labels(logs, links) == {"c1": {"alice": "oppose"}}
    (line,) = copy_conflicts(logs, links)
    assert line.startswith("alice labelled syndicated copies of statement c1 differently")
    assert f"'support' on {first}" in line and f"'oppose' on {second}" in line and "'oppose', counts" in line
    same = {"alice": [ev(first, "alice", "hedge", 1), ev(second, "alice", "hedge", 2)]}
    assert copy_conflicts(same, links) == [] and current_labels(same, links) == {"c1": {"alice": "hedge"}}


def test_a_retraction_on_a_copy_retracts_the_group_label():
    links = copy_links(corpus_statements())
    events = [ev("c1", "dave", "oppose", 1), ev("k1b", "dave", None, 2)]
    assert latest_labels(events, links) == {}
    # Relabelling after the retraction, on yet another copy, counts again.
    later = [*events, ev("k1a", "dave", "hedge", 3)]
    assert {k: e.label for k, e in latest_labels(later, links).items()} == {("dave", "c1"): "hedge"}
    conflicted = {"dave": [ev("c1", "dave", "support", 1), ev("k1a", "dave", "oppose", 2), ev("k1a", "dave", None, 3)]}
    assert current_labels(conflicted, links) == {}
    assert copy_conflicts(conflicted, links) == []  # only c1 is still labelled by dave, as written


def test_corrections_stay_on_the_copy_and_decisions_fold():
    links = copy_links(corpus_statements())
    fix = ev("k2", "alice", None, 1, correction={"kind": "speaker", "speaker": "Dmitry Peskov"})
    assert next(canonical_events([fix], links)).statement_id == "k2"
    assert latest_decisions([ev("k2", "judge", "oppose", 2)], links)["c2"].label == "oppose"


def test_copy_links_from_the_file_match_the_parsed_statements(project):
    statements = corpus_statements()
    path = write_statements(project, statements)
    assert read_copy_links(path) == copy_links(statements)
    # A file extract did not write (keys in another order) is read properly, with the same answer.
    import json

    path.write_text("".join(json.dumps(dict(reversed(list(json.loads(s.to_json()).items())))) + "\n"
                            for s in statements), encoding="utf-8")
    assert read_copy_links(path) == copy_links(statements)
    parquet = project / "annotations" / "statements.parquet"
    store.write_statements_atomic(parquet, statements)
    assert read_copy_links(parquet) == copy_links(statements)
    write_statements(project, [replace(s, canonical_id=None, copies=()) for s in statements])
    assert read_copy_links(path) == {}
    assert read_copy_links(project / "annotations" / "missing.jsonl") == {}


@pytest.fixture
def copies_corpus(project):
    """The statements above, labelled by four annotators on canonical statements and copies alike."""
    write_article(project, "a1")
    write_statements(project, corpus_statements())
    write_log(project, "alice", event("c1", "alice", "support", 1), event("k2", "alice", "hedge", 2),
              event("k3", "alice", "support", 3), event("k4", "alice", "oppose", 4))
    write_log(project, "bob", event("k1a", "bob", "support", 1), event("c2", "bob", "oppose", 2))
    write_log(project, "carol", event("k1b", "carol", "support", 1))
    write_log(project, "dave", event("c1", "dave", "oppose", 1), event("k1b", "dave", None, 2))
    return project


def test_status_counts_a_group_once(copies_corpus):
    status = corpus_status(load_project()).to_dict()
    # c1 c2 c3 k4 u are to label; k1a k1b k2 are copies; c4 and k3 are stale.
    assert (status["statements"], status["stale_statements"], status["syndicated_copies"]) == (5, 2, 3)
    assert status["with_3_or_more_labels"] == 1  # c1: alice, bob, carol (dave retracted on a copy)
    assert status["disputed_items"] == {"c2": {"alice": "hedge", "bob": "oppose"}}
    assert status["annotators"]["bob"]["labelled"] == 2 and status["annotators"]["carol"]["labelled"] == 1
    assert status["unlabelled"] == 2  # c3 (its only label is on a stale copy) and u
    assert status["annotators"]["alice"]["labelled"] == 3  # c1, c2 (through k2), k4 (on its own)


def test_agreement_and_gold_see_the_folded_labels(copies_corpus):
    project = load_project()
    summary = corpus_agreement(project).summary.to_dict()
    assert summary["labelled_items"] == 3  # c1, c2, k4: the copies are not items of their own
    assert [d["statement_id"] for d in summary["disagreements"]] == ["c2"]
    result = adjudicate_corpus(project)
    by_id = {g.statement_id: g for g in result.gold}
    assert set(by_id) == {"c1", "k4"} and result.unresolved == ["c2"]
    assert by_id["c1"].method == "unanimous" and by_id["c1"].annotations == {n: "support" for n in ("alice", "bob", "carol")}
    write_log(copies_corpus, "judge", event("k2", "judge", "oppose", 5))  # a decision given on a copy
    (copies_corpus / "annotations" / "labels" / "judge.jsonl").rename(project.adjudications_path)
    assert {g.statement_id: g.method for g in adjudicate_corpus(project).gold}["c2"] == "adjudicated"


def test_conflicting_labels_on_copies_are_a_warning_of_every_command(copies_corpus):
    write_log(copies_corpus, "bob", event("k1b", "bob", "oppose", 9))
    state = read_label_state(load_project())
    assert state.labels["c1"]["bob"] == "oppose"
    assert any("bob labelled syndicated copies of statement c1 differently" in w for w in state.warnings)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0 and "bob labelled syndicated copies of statement c1" in result.output


def test_annotate_counts_a_label_given_on_a_copy_as_done(copies_corpus):
    session = open_annotation_session(load_project(), "bob")
    assert "c1" in session.done and "k1a" not in session.done
    assert "k1a" not in list(session.queue) and "c1" not in list(session.queue)
    state = read_label_state(load_project())
    assert isinstance(state, LabelState) and state.history("bob") == ["c1", "c2"]


def test_a_copy_of_a_statement_marked_not_a_statement_stands_on_its_own(copies_corpus):
    fix = event("c2", "carol", None, 7, correction={"kind": "not_statement"})
    write_log(copies_corpus, "carol", {**fix, "is_retraction": False})
    project = load_project()
    assert "k2" not in read_label_state(project).canonical
    status = corpus_status(project).to_dict()
    assert status["syndicated_copies"] == 2 and status["statements"] == 5  # k2 in, c2 out (now stale)
    assert status["disputed_items"] == {}  # alice's k2 and bob's c2 are no longer one statement
    by_id = {g.statement_id: g for g in adjudicate_corpus(project).gold}
    assert by_id["k2"].annotations == {"alice": "hedge"} and "c2" not in by_id
