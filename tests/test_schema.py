"""Records parse themselves and report the file and line of a bad record."""

from __future__ import annotations

import json

import pytest

from stancebench.errors import InputError
from stancebench.schema import Gold, LabelEvent, Statement, gold_content_hash
from tests.support import make_statement

EVENT = {
    "statement_id": "s1",
    "annotator": "alice",
    "label": "support",
    "timestamp": "2026-11-25T08:00:00+00:00",
    "guidelines_version": "1.0",
}


def test_statement_round_trips_through_json():
    statement = make_statement("s1", speaker_role=None)
    assert Statement.from_json(statement.to_json(), "x.jsonl", 1) == statement


def test_statement_with_span_end_before_start_is_refused():
    line = json.dumps(make_statement("s1", start=10, end=3).to_dict())
    with pytest.raises(InputError, match=r"^s\.jsonl:4: span end 3 is before start 10$"):
        Statement.from_json(line, "s.jsonl", 4)


def test_statement_missing_field_names_it():
    data = make_statement("s1").to_dict()
    del data["speaker"]
    with pytest.raises(InputError, match="s.jsonl:2: missing field 'speaker'"):
        Statement.from_dict(data, "s.jsonl", 2)


def test_statement_unknown_quote_type():
    data = make_statement("s1").to_dict() | {"quote_type": "paraphrase"}
    with pytest.raises(InputError, match="unknown quote_type 'paraphrase'"):
        Statement.from_dict(data, "s.jsonl", 1)


def test_label_event_round_trip_and_retraction():
    event = LabelEvent.from_dict(EVENT, "a.jsonl", 1)
    assert LabelEvent.from_json(event.to_json()) == event
    retraction = LabelEvent.from_dict(EVENT | {"label": None, "is_retraction": True}, "a.jsonl", 2)
    assert retraction.is_retraction and retraction.label is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "maybe"}, "a.jsonl:7: unknown label 'maybe'"),
        ({"label": None}, "a.jsonl:7: missing field 'label'"),
        ({"annotator": 3}, "a.jsonl:7: field 'annotator' must be a string"),
        ({"schema_version": 99}, "a.jsonl:7: unsupported schema_version 99"),
    ],
)
def test_label_event_errors_name_file_and_line(change, message):
    with pytest.raises(InputError) as info:
        LabelEvent.from_dict(EVENT | change, "a.jsonl", 7)
    assert str(info.value).startswith(message)


def test_bad_json_line_names_file_and_line():
    with pytest.raises(InputError, match=r"a\.jsonl:3: not valid JSON"):
        LabelEvent.from_json("{not json", "a.jsonl", 3)
    with pytest.raises(InputError, match=r"a\.jsonl:3: expected a JSON object"):
        LabelEvent.from_json("[1, 2]", "a.jsonl", 3)


def test_gold_validates_method_and_annotations():
    gold = Gold("s1", "hedge", "majority", {"a": "hedge", "b": "hedge", "c": "oppose"})
    assert Gold.from_json(gold.to_json()) == gold
    with pytest.raises(InputError, match="unknown method 'vote'"):
        Gold.from_dict(gold.to_dict() | {"method": "vote"}, "g.jsonl", 1)
    with pytest.raises(InputError, match="unknown label 'meh'"):
        Gold.from_dict(gold.to_dict() | {"annotations": {"a": "meh"}}, "g.jsonl", 1)


def test_content_hash_ignores_order_but_not_content():
    rows = [("s1", "a", "support"), ("s2", "b", "oppose")]
    assert gold_content_hash(rows) == gold_content_hash(list(reversed(rows)))
    assert gold_content_hash(rows) != gold_content_hash([("s1", "a", "support"), ("s2", "b", "hedge")])
    assert gold_content_hash(rows).startswith("sha256:")
