"""The build's columnar paths agree with their slow, per-record oracles: readers, agreement, hash, schema."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from stancebench import logs, store
from stancebench.annotation.agreement import agreement_from_codes, summarise
from stancebench.annotation.labels import latest_labels
from stancebench.errors import InputError
from stancebench.frames import Batch, frame_line, unframed_lines
from stancebench.project import load_project
from stancebench.release import dataset, inputs
from stancebench.schema import LABELS, LabelEvent, gold_columns_hash, gold_content_hash
from tests.support import REPO, make_corpus, make_statement, write_log

GOOD = make_statement("s1").to_json()


def _statements_file(project, *lines: str | bytes) -> None:
    data = b"".join((line.encode("utf-8") if isinstance(line, str) else line) + b"\n" for line in lines)
    data = data.replace(b"__NO_NEWLINE__\n", b"")
    (project / "annotations" / "statements.jsonl").write_bytes(data)


def _fast_or_error(read):
    try:
        return read()
    except InputError as err:
        return str(err)


def _slow_statements(project):
    try:
        records = store.read_statements(project / "annotations" / "statements.jsonl")
    except InputError as err:
        return str(err)
    table = inputs._columns(records, tuple(inputs._STATEMENT_SCHEMA.names), inputs._STATEMENT_SCHEMA)
    return table


def _same(fast, slow) -> bool:
    if isinstance(fast, str) or isinstance(slow, str):
        return fast == slow
    return fast.select(slow.column_names).to_pylist() == slow.to_pylist()


CASES = {
    "good": [GOOD, make_statement("s2").to_json()],
    "explicit null is_stale": [GOOD.replace('"is_stale": false', '"is_stale": null')],
    "missing is_stale": [GOOD.replace(', "is_stale": false', "").replace('"is_stale": false, ', "")],
    "null optional field": [GOOD.replace('"cue": "said"', '"cue": null')],
    "null required field": [GOOD.replace('"speaker": "Jane Doe"', '"speaker": null')],
    "blank speaker": [GOOD.replace('"speaker": "Jane Doe"', '"speaker": "\\u2003 "')],
    "two objects on a line": [GOOD + " " + make_statement("s2").to_json()],
    "blank line between": [GOOD, "", make_statement("s2").to_json()],
    "indented line": ["  " + GOOD],
    "byte order mark": ["\ufeff" + GOOD],
    "crlf line ends": [GOOD + "\r", make_statement("s2").to_json() + "\r"],
    "lone carriage return": [GOOD.replace(', "cue"', ',\r"cue"')],
    "unknown key": [GOOD.replace('{"', '{"extra": [1, 2], "', 1)],
    "float start": [GOOD.replace('"start": 0', '"start": 0.0')],
    "bool end": [GOOD.replace('"end": 24', '"end": true')],
    "huge int": [GOOD.replace('"start": 0', '"start": 123456789012345678901234567890')],
    "negative start": [GOOD.replace('"start": 0', '"start": -1')],
    "end before start": [GOOD.replace('"start": 0', '"start": 30')],
    "bad quote type": [GOOD.replace('"quote_type": "direct"', '"quote_type": "both"')],
    "duplicate id": [GOOD, GOOD],
    "duplicate key": [GOOD.replace('{"', '{"id": "other", "', 1)],
    "null line": [GOOD, "null"],
    "null first": ["null", GOOD],
    "array line": [GOOD, "[1, 2]"],
    "deep nesting": [GOOD.replace('{"', '{"extra": ' + "[" * 30000 + "]" * 30000 + ', "', 1)],
    "escaped key": [GOOD.replace('"is_stale": false', '"is_st\\u0061le": null')],
    "not utf-8": [GOOD.encode("utf-8").replace(b"Jane", b"J\xffne")],
    "torn last line": [GOOD, GOOD[:40]],
    # The null checks count `null`s instead of scanning: a defaulted key's null among allowed ones, or hidden.
    "null is_stale beside a null cue": [
        GOOD.replace('"is_stale": false', '"is_stale": null').replace('"cue": "said"', '"cue": null'),
    ],
    "null is_stale without a space": [GOOD.replace('"is_stale": false', '"is_stale":null')],
    "null in a text, is_stale missing": [
        GOOD.replace(', "is_stale": false', "").replace("We must", 'He said \\"x\\": null and annulled'),
    ],
    "null cue, is_stale missing": [GOOD.replace(', "is_stale": false', "").replace('"cue": "said"', '"cue": null')],
    "no newline at the end": [GOOD, make_statement("s2").to_json() + "__NO_NEWLINE__"],
}


@pytest.mark.parametrize("lines", CASES.values(), ids=CASES.keys())
def test_statements_fast_path_agrees_with_the_per_line_reader(project, lines):
    _statements_file(project, *lines)
    fast = _fast_or_error(lambda: inputs.read_statements(load_project()))
    slow = _slow_statements(project)
    if not isinstance(slow, str):
        slow = slow.set_column(slow.schema.get_field_index("is_stale"), "is_stale",
                               pa.array([bool(x) for x in slow.column("is_stale").to_pylist()]))
    assert _same(fast, slow), (fast, slow)


GOLD = '{"adjudicator": null, "annotations": {"alice": "support"}, "label": "support", "method": "single", ' \
       '"notes": {}, "statement_id": "s1", "target_id": null}'
GOLD_CASES = {
    "good": [GOLD],
    "missing notes and annotations": ['{"label": "support", "method": "single", "statement_id": "s1"}'],
    "null notes": [GOLD.replace('"notes": {}', '"notes": null')],
    "null annotation": [GOLD.replace('"alice": "support"', '"alice": null')],
    "unknown annotator": [GOLD.replace('"alice"', '"zed"')],
    "bad annotation label": [GOLD.replace('{"alice": "support"}', '{"alice": "maybe"}')],
    "note that is a number": [GOLD.replace('"notes": {}', '"notes": {"alice": 3}')],
    "wrong target": [GOLD.replace('"target_id": null', '"target_id": "other"')],
    "unknown statement": [GOLD.replace('"s1"', '"s9"')],
    "label outside corpus labels": [GOLD.replace('"label": "support"', '"label": "maybe"')],
    "duplicate": [GOLD, GOLD],
}


@pytest.mark.parametrize("lines", GOLD_CASES.values(), ids=GOLD_CASES.keys())
def test_gold_fast_path_agrees_with_the_per_line_reader(project, lines):
    _statements_file(project, GOOD)
    (project / "annotations" / "gold.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    corpus = load_project()
    statements = inputs.read_statements(corpus)
    fast = _fast_or_error(lambda: inputs.read_gold(corpus, statements, ["alice"]))
    slow = _fast_or_error(lambda: inputs._gold_from_records(inputs._read_gold_per_line(corpus, statements)))
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
    else:
        for ours, theirs in zip(fast, slow, strict=True):
            assert ours.select(theirs.column_names).to_pylist() == theirs.to_pylist()


EVENT = {"statement_id": "s1", "annotator": "alice", "label": "support", "timestamp": "t", "guidelines_version": "1"}
LOG_CASES = {
    "good": [EVENT, {**EVENT, "label": None, "is_retraction": True}],
    "relabelled after a retraction, twice": [
        EVENT, {**EVENT, "label": None, "is_retraction": True},
        {**EVENT, "label": "hedge"}, {**EVENT, "label": "oppose", "note": "n"},
        {**EVENT, "statement_id": "s2"}, {**EVENT, "statement_id": "s2", "label": None, "is_retraction": True},
    ],
    "missing annotator": [{k: v for k, v in EVENT.items() if k != "annotator"}],
    "null annotator": [{**EVENT, "annotator": None}],
    "other annotator": [{**EVENT, "annotator": "bob"}],
    "null schema version": [{**EVENT, "schema_version": None}],
    "future schema version": [{**EVENT, "schema_version": 99}],
    "null label, no retraction": [{**EVENT, "label": None}],
    "unknown label": [{**EVENT, "label": "maybe"}],
    "torn last line": [EVENT, json.dumps(EVENT)[:30]],
    "framed or unknown key": [{**EVENT, "_frame": "00000000:10"}],
    "null annotator beside a null note": [{**EVENT, "annotator": None, "note": None}],
    "missing annotator, null note": [{k: v for k, v in {**EVENT, "note": None}.items() if k != "annotator"}],
    "relabelled, no retraction": [EVENT, {**EVENT, "statement_id": "s2"}, {**EVENT, "label": "hedge"}],
    "only whitespace": [" ", "\t"],
}


@pytest.mark.parametrize("lines", LOG_CASES.values(), ids=LOG_CASES.keys())
def test_label_log_fast_path_agrees_with_the_per_line_reader(project, lines):
    path = write_log(project, "alice", *lines)
    fast_problems: list[str] = []
    slow_problems: list[str] = []
    fast = _fast_or_error(lambda: inputs._read_log(path, "alice", fast_problems))
    try:
        records = logs.read_label_log(path, annotator="alice", problems=slow_problems)
        names = ("statement_id", "label", "guidelines_version", "note", "is_retraction")
        slow = inputs._columns(records, names, inputs._EVENT_SCHEMA)
        current = [(e.statement_id, e.label, e.note) for e in latest_labels(records).values()]
    except InputError as err:
        slow = current = str(err)
    if isinstance(fast, str):
        assert fast == slow and fast_problems == slow_problems
        return
    events, now = fast
    assert _same(events, slow) and fast_problems == slow_problems
    assert sorted(zip(*(now.column(c).to_pylist() for c in ("statement_id", "label", "note")), strict=True)) == sorted(current)


def _framed(*events: dict, batch: str = "") -> list[bytes]:
    count = len(events)
    return [frame_line(json.dumps(e, sort_keys=True), Batch(batch, i, count) if batch else None)
            for i, e in enumerate(events, start=1)]


RETRACT = {**EVENT, "label": None, "is_retraction": True}
FRAMED_CASES = {
    "framed": _framed(EVENT, {**EVENT, "statement_id": "s2", "note": "n"}, RETRACT, {**EVENT, "label": "hedge"}),
    "framed, torn last line": [*_framed(EVENT), _framed({**EVENT, "statement_id": "s2"})[0][:-9]],
    "framed, changed since written": [_framed(EVENT)[0].replace(b"support", b"oppose!")],
    "framed, a byte longer": [_framed(EVENT)[0].replace(b'"t"', b'"tt"')],
    "framed, one plain line": [*_framed(EVENT), json.dumps(EVENT).encode()],
    "framed, whole batch": _framed(EVENT, {**EVENT, "statement_id": "s2"}, batch="0123456789abcdef"),
    "framed, interrupted batch": _framed(EVENT, {**EVENT, "statement_id": "s2"}, batch="0123456789abcdef")[:1],
    "framed, not utf-8": [
        frame_line(json.dumps({**EVENT, "note": "caf\u00e9"}, ensure_ascii=False)).replace(b"\xc3\xa9", b"\xff"),
    ],
    "framed, unknown key": _framed({**EVENT, "extra": 1}),
    "framed, two batches and a single": [
        *_framed(EVENT, RETRACT, batch="aaaaaaaa"), *_framed({**EVENT, "label": "hedge"}),
        *_framed({**EVENT, "statement_id": "s3"}, {**EVENT, "statement_id": "s4"}, {**EVENT, "statement_id": "s5"},
                 batch="bbbbbbbbbbbbbbbb"),
    ],
    "framed, a batch cut short in the middle": [
        *_framed(EVENT, {**EVENT, "statement_id": "s2"}, {**EVENT, "statement_id": "s3"}, batch="aaaaaaaa")[:2],
        *_framed({**EVENT, "label": "hedge"}),
    ],
    "framed, batch lines swapped": _framed(EVENT, {**EVENT, "statement_id": "s2"}, batch="aaaaaaaa")[::-1],
    "framed, batch numbered past its size": [
        frame_line(json.dumps(EVENT, sort_keys=True), Batch("aaaaaaaa", 1, 1)),
        frame_line(json.dumps(EVENT, sort_keys=True), Batch("aaaaaaaa", 2, 1)),
    ],
    "framed, batch line in another batch's run": [
        _framed(EVENT, RETRACT, batch="aaaaaaaa")[0], _framed(EVENT, RETRACT, batch="bbbbbbbb")[1],
    ],
    "framed, frame twice": [_framed(EVENT)[0].replace(b'"annotator"', b'"_frame": "x", "annotator"')],
}


@pytest.mark.parametrize("lines", FRAMED_CASES.values(), ids=FRAMED_CASES.keys())
def test_framed_label_log_fast_path_agrees_with_the_per_line_reader(project, lines):
    path = project / "annotations" / "labels" / "alice.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    fast_problems: list[str] = []
    slow_problems: list[str] = []
    fast = _fast_or_error(lambda: inputs._read_log(path, "alice", fast_problems))
    try:
        records = logs.read_label_log(path, annotator="alice", problems=slow_problems)
        slow = inputs._columns(records, ("statement_id", "label", "guidelines_version", "note", "is_retraction"),
                               inputs._EVENT_SCHEMA)
        current = [(e.statement_id, e.label, e.note) for e in latest_labels(records).values()]
    except InputError as err:
        slow = current = str(err)
    if isinstance(fast, str):
        assert fast == slow and fast_problems == slow_problems
        return
    events, now = fast
    assert _same(events, slow) and fast_problems == slow_problems
    assert sorted(zip(*(now.column(c).to_pylist() for c in ("statement_id", "label", "note")), strict=True)) == sorted(current)


def test_framed_log_as_label_writes_it_takes_the_fast_path(project):
    path = project / "annotations" / "labels" / "alice.jsonl"
    logs.append_label(path, LabelEvent.from_dict(EVENT))
    logs.append_label(path, LabelEvent.from_dict({**EVENT, "statement_id": "s2", "note": "é \u2028 \"q\""}))
    logs.append_labels(path, [LabelEvent.from_dict({**EVENT, "statement_id": f"b{i}"}) for i in range(3)])
    unframed = unframed_lines(path.read_bytes())
    assert unframed is not None
    assert [json.loads(line)["statement_id"] for line in unframed.splitlines()] == ["s1", "s2", "b0", "b1", "b2"]


# ---------------------------------------------------------------- agreement, hash, schema


def test_agreement_from_codes_matches_summarise():
    rng = random.Random(0)
    names = ["alice", "bob", "carol", "dan"]
    for _ in range(200):
        k = rng.randint(2, 4)
        used = rng.sample(LABELS, rng.randint(1, 4))
        current = {}
        for item in range(rng.randint(1, 40)):
            labels = {a: rng.choice(used) for a in names[:k] if rng.random() < 0.7}
            if labels:
                current[f"s{item:03d}"] = labels
        if len({a for labels in current.values() for a in labels}) < 2:
            continue
        expected = summarise(current).to_dict()
        items = sorted(current)
        rows = [(items.index(sid), names.index(a), LABELS.index(lab)) for sid in items for a, lab in current[sid].items()]
        item, annotator, label = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
        ours = agreement_from_codes(item, annotator, label, names)
        assert ours.pop("disagreements") == len(expected.pop("disagreements"))
        assert json.dumps(ours, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_content_hash_matches_gold_content_hash():
    texts = ['plain', 'a "quote"', '"], ["', '\\', 'back\\"slash', 'é ü 中 \u2028', 'tab\tnew\nline', '', 'x'] * 3
    ids = [f"id{i:02d}" + ("é" if i % 4 == 0 else "") for i in range(len(texts))]
    labels = [("support", "oppose", "hedge")[i % 3] for i in range(len(texts))]
    order = random.Random(1).sample(range(len(texts)), len(texts))
    columns = [pa.chunked_array([pa.array([values[i] for i in order])]) for values in (ids, texts, labels)]
    assert gold_columns_hash(*columns) == gold_content_hash(zip(ids, texts, labels, strict=True))


@pytest.mark.parametrize("escapes", [False, True])
def test_content_hash_over_many_slices_and_chunks_matches_gold_content_hash(escapes):
    n = 140_000  # more than two of the slices the hash is built in
    ids = [f"s{i:06d}" for i in range(n)]
    texts = [f"text {i}" + ('"q"' if escapes and i % 1000 == 7 else "") for i in range(n)]
    labels = [("support", "oppose", "hedge")[i % 3] for i in range(n)]
    order = random.Random(2).sample(range(n), n)
    half = n // 2
    columns = [pa.chunked_array([pa.array([values[i] for i in order[:half]]), pa.array([values[i] for i in order[half:]])])
               for values in (ids, texts, labels)]
    assert gold_columns_hash(*columns) == gold_content_hash(zip(ids, texts, labels, strict=True))
    assert gold_columns_hash(*(pa.array(values) for values in (ids, texts, labels))) == gold_columns_hash(*columns)


@pytest.mark.parametrize("config", ["default", "annotations"])
def test_the_arrow_schema_and_card_features_equal_datasets_features(config):
    features = dataset.features(config)
    assert dataset.arrow_schema(config).equals(features.arrow_schema, check_metadata=True)
    assert dataset.feature_yaml(config) == features._to_yaml_list()


def test_a_build_imports_neither_datasets_nor_sklearn_nor_statsmodels(project):
    make_corpus(project)
    write_log(project, "alice", {**EVENT, "statement_id": "s000"})
    write_log(project, "bob", {**EVENT, "annotator": "bob", "statement_id": "s000", "label": "hedge"})
    code = (
        "import sys; from stancebench.project import load_project; from stancebench.release import build; "
        "info = build.build(load_project()).info; assert info['agreement']['status'] == 'measured', info['agreement']; "
        "print(sorted(m for m in ('datasets', 'sklearn', 'statsmodels', 'krippendorff') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
