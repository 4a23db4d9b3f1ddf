"""Records parse themselves and report the file and line of a bad record."""

from __future__ import annotations

import dataclasses
import inspect
import json
import pickle

import numpy as np
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


_AWKWARD = ["", "plain", 'a "quoted" \\ back\tslash', "line\nbreak \u2028 \u0085 \x1b \x7f", "\u00e9\U0001F600\ufeff",
            "\ud800 lone surrogate"]


@pytest.mark.parametrize("seed", range(40))
def test_statement_line_is_json_dumps_of_its_fields_with_every_field_set_or_unset(seed):
    import random

    from stancebench.schema import _statement_json

    rng = random.Random(seed)
    values = {f.name: rng.choice(_AWKWARD) for f in dataclasses.fields(Statement)}
    values.update(start=rng.choice([0, 7, 2**70]), end=rng.choice([7, 10**30]), is_stale=rng.random() < 0.5,
                  copies=tuple(rng.sample(_AWKWARD, rng.randint(0, 3))))
    for name in ("speaker_role", "speaker_affiliation", "cue", "speaker_source", "source_file", "source_record",
                 "url", "canonical_id"):
        if rng.random() < 0.4:
            values[name] = None
    statement = Statement(**values)
    assert statement.to_json() == _statement_json(statement)


@pytest.mark.parametrize("odd", [{"start": True}, {"end": 3.0}, {"is_stale": 1}, {"copies": "s2"}, {"copies": ["s2", 3]},
                                 {"cue": 5}, {"text": None}, {"canonical_id": 7}, {"start": np.int64(2)}])
def test_statement_line_of_values_of_other_types_is_still_json_dumps(odd):
    from stancebench.schema import _statement_json

    statement = dataclasses.replace(make_statement("s1"), **odd)
    try:
        expected = _statement_json(statement)
    except TypeError:  # json.dumps cannot write it: neither can to_json
        with pytest.raises(TypeError):
            statement.to_json()
        return
    assert statement.to_json() == expected


_ODD_VALUES = [None, "", " \u3000", "x", "direct", "named", 0, -1, 5, True, 2.0, [], ["s2"], [""], ["s2", 1], ("s3",), {}]


@pytest.mark.parametrize("seed", range(60))
def test_statement_from_dict_accepts_and_refuses_exactly_what_the_field_by_field_checks_do(seed):
    import random

    rng = random.Random(seed)
    data = make_statement("s1", copies=("s2",), canonical_id="s0", source_file="a.txt").to_dict()
    data["copies"] = list(data["copies"])
    for _ in range(rng.randint(0, 3)):
        change = rng.random()
        if change < 0.15:
            del data[rng.choice(list(data))]
        elif change < 0.25:
            data[rng.choice(["extra", "schema_version"])] = 1
        else:
            data[rng.choice(list(data))] = rng.choice(_ODD_VALUES)
    try:
        expected = Statement._checked(dict(data), "s.jsonl", 3)
    except InputError as err:
        with pytest.raises(InputError) as raised:
            Statement.from_dict(dict(data), "s.jsonl", 3)
        assert str(raised.value) == str(err)
        return
    before = dict(data)
    found = Statement.from_dict(data, "s.jsonl", 3)
    assert found == expected and type(found.copies) is tuple and data == before  # the caller's dict is left alone


def test_statement_is_a_frozen_dataclass_whose_init_checks_its_arguments():
    statement = make_statement("s1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        statement.id = "s2"  # type: ignore[misc]
    assert Statement(**statement.to_dict()) == statement and hash(Statement(**statement.to_dict())) == hash(statement)
    assert Statement(*statement.to_dict().values()) == statement
    assert str(inspect.signature(Statement)).startswith("(id: 'str', article_id: 'str'")
    assert inspect.signature(Statement).parameters["copies"].default == ()
    with pytest.raises(TypeError, match="missing"):
        Statement(id="s1")
    with pytest.raises(TypeError, match="unexpected keyword"):
        Statement(**statement.to_dict(), bogus=1)
    assert pickle.loads(pickle.dumps(statement)) == statement


def test_articles_and_label_events_keep_their_dataclass_init():
    from stancebench.schema import Article

    article = Article("a1", "Title", "Text.", url="https://x.example")
    assert (article.language, article.record, article.url) == ("en", None, "https://x.example")
    assert str(inspect.signature(Article)).startswith("(id: 'str', title: 'str', text: 'str', outlet: 'str | None' = None")
    event = LabelEvent("s1", "alice", "support", "2026-11-25T08:00:00+00:00", "1.0", seconds=2.5)
    assert event.schema_version == 1 and event.seconds == 2.5 and event == LabelEvent.from_dict(event.to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.label = "oppose"  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing"):
        Article("a1")


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


def test_a_json_line_parses_as_json_loads_has_it_or_is_refused():
    import itertools
    import math

    from stancebench.schema import parse_json_line

    pieces = ['{"a": 1}', " ", "\r", "\ufeff", "[1]", "1", '"s"', "{", "}", "null", '{"a": NaN}', '{"a": "\\ud800"}',
              '{"b": 2}', "\t", "x", '{"a": 1, "a": 2}', '{"a": 1e999}', '{"a": [' * 3]
    for count in (1, 2, 3):
        for line in ("".join(combo) for combo in itertools.product(pieces, repeat=count)):
            try:
                expected = json.loads(line)
            except (ValueError, RecursionError):
                expected = None
            if not isinstance(expected, dict):
                with pytest.raises(InputError, match=r"^s\.jsonl:7: "):
                    parse_json_line(line, "s.jsonl", 7)
                continue
            found = parse_json_line(line, "s.jsonl", 7)
            assert found.keys() == expected.keys() and all(
                a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)) for a, b in
                zip(found.values(), expected.values(), strict=True)), line
