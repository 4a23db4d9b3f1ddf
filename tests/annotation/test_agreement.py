"""Agreement against published worked examples, current labels, status and adjudication."""

from __future__ import annotations

import pytest

from stancebench.annotation.adjudication import ADJUDICATOR_NOTE_KEY, adjudicate
from stancebench.annotation.agreement import summarise
from stancebench.annotation.labels import current_labels, current_notes, latest_decisions
from stancebench.annotation.reports import labelling_status
from stancebench.schema import LabelEvent
from tests.support import TARGET_ID, make_statement


def event(sid, label, annotator="alice", note=None):
    return LabelEvent(sid, annotator, label, "2026-01-01T00:00:00Z", "1.0", note, label is None)


def from_rows(rows: dict[str, str], missing: str) -> dict[str, dict[str, str]]:
    """Reliability data written as one string per coder (columns are units)."""
    current: dict[str, dict[str, str]] = {}
    for coder, row in rows.items():
        for unit, value in enumerate(row.split(), start=1):
            if value != missing:
                current.setdefault(f"u{unit:02d}", {})[coder] = value
    return current


# --- known values ----------------------------------------------------------------------------------


def test_krippendorff_alpha_matches_the_2011_nominal_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    # 4 observers, 12 units, missing data, nominal alpha = 0.743.
    current = from_rows(
        {
            "A": "1 2 3 3 2 1 4 1 2 . . .",
            "B": "1 2 3 3 2 2 4 1 2 5 . 3",
            "C": ". 3 3 3 2 3 4 2 2 5 1 .",
            "D": "1 2 3 3 2 4 4 1 2 5 1 .",
        },
        missing=".",
    )
    summary = summarise(current)
    assert summary.krippendorff_alpha.value == pytest.approx(0.743, abs=5e-4)
    assert summary.krippendorff_alpha.items == 11  # unit 12 has one value and is not pairable
    assert summary.fleiss_kappa.items == 8  # units 2-9 are the ones all four observers coded


def test_fleiss_kappa_matches_the_textbook_example():
    # Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories; kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    current = {}
    for item, counts in enumerate(table):
        labels = [f"c{category}" for category, n in enumerate(counts) for _ in range(n)]
        current[f"s{item}"] = {f"r{rater:02d}": label for rater, label in enumerate(labels)}
    summary = summarise(current)
    assert summary.fleiss_kappa.value == pytest.approx(0.210, abs=5e-4)
    assert summary.fleiss_kappa.items == 10
    # Wikipedia's P-bar (mean per-subject agreement) is 0.378.
    assert summary.observed.value == pytest.approx(0.378, abs=5e-4)


def test_cohen_kappa_hand_computed():
    # 50 items: both support 20, alice support/bob oppose 5, alice oppose/bob support 10, both oppose 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4.
    current, n = {}, 0
    cells = [("support", "support", 20), ("support", "oppose", 5), ("oppose", "support", 10), ("oppose", "oppose", 15)]
    for a, b, count in cells:
        for _ in range(count):
            current[f"s{n:03d}"] = {"alice": a, "bob": b}
            n += 1
    summary = summarise(current)
    (pair,) = summary.pairs
    assert pair.annotators == ("alice", "bob")
    assert pair.cohen_kappa.value == pytest.approx(0.4)
    assert pair.observed.value == pytest.approx(0.7)
    assert pair.cohen_kappa.items == 50
    assert len(summary.disagreements) == 15


def test_krippendorff_agrees_with_the_package_on_stance_labels():
    import krippendorff
    import numpy as np

    rows = {
        "A": "* * * * * * 3 4 1 2 1 1 3 3 * 3",
        "B": "1 * 2 1 3 3 4 3 * * * * * * * *",
        "C": "* * 2 1 3 4 4 * 2 1 1 3 3 * 4 *",
    }
    names = {"1": "support", "2": "oppose", "3": "hedge", "4": "off_target"}
    current = {sid: {c: names[v] for c, v in labels.items()} for sid, labels in from_rows(rows, "*").items()}
    data = [[np.nan if v == "*" else int(v) for v in row.split()] for row in rows.values()]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert summarise(current).krippendorff_alpha.value == pytest.approx(expected)


# --- edge cases ------------------------------------------------------------------------------------


def test_fewer_than_two_annotators_gives_a_reason_not_numbers():
    summary = summarise({"s1": {"alice": "support"}, "s2": {"alice": "oppose"}})
    data = summary.to_dict()
    assert data["reason"] == "agreement needs at least two annotators; found 1 (alice)"
    assert data["krippendorff_alpha"]["value"] is None
    assert data["fleiss_kappa"] == {"value": None, "items": 0, "reason": "agreement needs at least two annotators"}
    assert "agreement needs at least two annotators" in summary.as_table()


def test_all_same_label_is_undefined_not_nan():
    summary = summarise({"s1": {"a": "hedge", "b": "hedge"}, "s2": {"a": "hedge", "b": "hedge"}})
    assert summary.observed.value == 1.0
    assert summary.pairs[0].cohen_kappa.value is None
    assert "one and the same label" in summary.pairs[0].cohen_kappa.reason
    assert summary.krippendorff_alpha.value is None
    assert summary.fleiss_kappa.value is None


def test_pair_with_no_common_items():
    summary = summarise({"s1": {"a": "hedge"}, "s2": {"b": "oppose"}})
    assert summary.pairs[0].cohen_kappa.to_dict() == {"value": None, "items": 0, "reason": "no statement labelled by both"}
    assert "n/a" in summary.as_table()


def test_disagreements_carry_text_snippets():
    statements = [make_statement("s1", "We must lift the limits " + "now " * 40)]
    summary = summarise({"s1": {"a": "support", "b": "hedge"}}, statements)
    (item,) = summary.disagreements
    assert item.labels == {"a": "support", "b": "hedge"}
    assert item.text.startswith("We must lift the limits") and item.text.endswith("…") and len(item.text) == 80


# --- current labels, status, adjudication ------------------------------------------------------------


def test_current_labels_and_notes_follow_the_latest_event():
    logs = {
        "alice": [
            event("s1", "support", note="first"), event("s1", "hedge", note="changed my mind"),
            event("s2", "oppose"), event("s2", None),
        ],
        "bob": [event("s1", "hedge", "bob")],
    }
    assert current_labels(logs) == {"s1": {"alice": "hedge", "bob": "hedge"}}
    assert current_notes(logs) == {"s1": {"alice": "changed my mind"}}


def test_labelling_status_counts():
    statements = [make_statement(f"s{i}") for i in range(1, 6)] + [make_statement("old", is_stale=True)]
    current = {
        "s1": {"a": "support"},
        "s2": {"a": "support", "b": "support"},
        "s3": {"a": "support", "b": "oppose", "c": "oppose"},
        "old": {"a": "hedge"},
    }
    status = labelling_status(statements, current)
    assert status["statements"] == 5 and status["stale_statements"] == 1
    assert (status["with_1_label"], status["with_2_labels"], status["with_3_or_more_labels"]) == (1, 1, 1)
    assert status["unlabelled"] == 2 and status["labelled"] == 3 and status["disputed"] == 1
    assert status["labels_on_unknown_or_stale_statements"] == 1
    assert status["annotators"]["a"] == {"labelled": 3, "remaining": 2, "disputed": 1, "by_label": {"support": 3}}
    assert status["annotators"]["c"]["labelled"] == 1


def test_adjudicate_methods():
    statements = [make_statement(sid) for sid in ("s1", "s2", "s3", "s4", "s5", "s6")]
    current = {
        "s1": {"a": "support"},
        "s2": {"a": "oppose", "b": "oppose"},
        "s3": {"a": "hedge", "b": "hedge", "c": "oppose"},
        "s4": {"a": "hedge", "b": "oppose"},
        "s5": {"a": "hedge", "b": "hedge", "c": "oppose"},
    }
    decisions = latest_decisions([
        event("s5", "oppose", "judge", note="the threat decides it"),
        event("s6", "off_target", "judge"),
        event("s6", None, "judge"),
    ])
    gold, unresolved = adjudicate(statements, current, decisions, TARGET_ID, notes={"s3": {"c": "threat?"}})
    by_id = {g.statement_id: g for g in gold}
    assert [g.statement_id for g in gold] == ["s1", "s2", "s3", "s5"]
    assert (by_id["s1"].method, by_id["s1"].label) == ("single", "support")
    assert (by_id["s2"].method, by_id["s2"].label) == ("unanimous", "oppose")
    assert (by_id["s3"].method, by_id["s3"].label, by_id["s3"].notes) == ("majority", "hedge", {"c": "threat?"})
    assert (by_id["s5"].method, by_id["s5"].label, by_id["s5"].adjudicator) == ("adjudicated", "oppose", "judge")
    assert by_id["s5"].notes == {ADJUDICATOR_NOTE_KEY: "the threat decides it"}
    assert by_id["s5"].annotations == {"a": "hedge", "b": "hedge", "c": "oppose"}
    assert by_id["s1"].target_id == TARGET_ID
    assert unresolved == ["s4"]


def test_adjudicate_skips_stale_statements():
    gold, unresolved = adjudicate([make_statement("s1", is_stale=True)], {"s1": {"a": "hedge"}}, {}, TARGET_ID)
    assert gold == [] and unresolved == []
