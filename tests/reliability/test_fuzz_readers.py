"""Hypothesis at realistic sizes and depths for the readers a user feeds by hand: the statements
file (MB), predictions as JSON lines, a JSON array or CSV (20,000 rows), and --label-map files
(10,000 entries, nesting to 50,000 levels), each written whole and then changed at random bytes.

Unchanged, a file reads back exactly. Changed, it reads as Python's own parser reads it, or fails
with one InputError line naming the file and a line that exists; never another exception.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stancebench import store
from stancebench.errors import InputError, StancebenchError
from stancebench.evaluation.predictions import parse_label_map, read_predictions
from stancebench.schema import STANCE_LABELS
from tests.support import make_statement

pytestmark = pytest.mark.slow

# STANCEBENCH_FUZZ_EXAMPLES=300 for a longer hunt; the default keeps the file under ~30 s.
_SETTINGS = settings(max_examples=int(os.environ.get("STANCEBENCH_FUZZ_EXAMPLES", "30")), deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Bytes a hand edit or a broken tool puts in: structure, quotes, escapes, line breaks, odd Unicode.
_CHUNK = st.text(alphabet=st.sampled_from(list('[]{},"\\:\n\t x\u00e9\u2028\u0085\U0001f600')) | st.characters(
    blacklist_categories=("Cs",)), min_size=1, max_size=12)
_EDIT = st.tuples(st.sampled_from(["drop", "insert", "swap", "cut", "deep", "line"]), st.floats(0, 1),
                  st.sampled_from(list(b'[]{},":\\ \n0xe\xff\xc3')))


def _edited(data: bytes, edits: list[tuple[str, float, int]]) -> bytes:
    for kind, where, byte in edits:
        at = int(where * len(data))
        if kind == "drop":
            data = data[:at] + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + bytes([byte]) + data[at:]
        elif kind == "swap":
            data = data[:at] + bytes([byte]) + data[at + 1:]
        elif kind == "cut":  # a download or a copy that stopped short
            data = data[:at]
        elif kind == "deep":  # a value nested far past any parser's stack, inside one line
            depth = 200 + int(where * 50_000)
            data = data[:at] + b"[" * depth + b"]" * depth + data[at:]
        else:  # a line break inserted where it need not go
            data = data[:at] + b"\n" + data[at:]
    return data


def _size_event(data: bytes) -> None:
    event(f"{'< 1 MB' if len(data) < 1 << 20 else '1-10 MB' if len(data) < 10 << 20 else '>= 10 MB'}")


def _one_line(err: Exception, path: Path, data: bytes, lone_cr_breaks: bool = False) -> None:
    """One line naming the file and a line that exists (in CSV a lone CR ends a line too, as the csv module and
    editors count them; JSONL lines end at LF only)."""
    message = str(err)
    assert "\n" not in message and len(message) < 1000, message[:300]
    assert message.startswith(f"{path}:"), message[:300]
    line = message[len(str(path)) + 1:].split(":", 1)[0]
    if line.isdigit():
        assert int(line) <= (len(data.splitlines()) if lone_cr_breaks else data.count(b"\n")) + 1, message[:300]


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), count=st.sampled_from([1, 40, 1500, 3000]) | st.integers(1, 3000), chunk=_CHUNK,
       edits=st.lists(_EDIT, max_size=3))
def test_a_statements_file_reads_back_exactly_or_fails_in_one_line(tmp_path_factory, seed, count, chunk, edits):
    rng = random.Random(seed)
    statements = [make_statement(f"s{i:05d}", text="t" + chunk * rng.randint(1, 300), context=chunk * rng.randint(0, 50))
                  for i in range(count)]
    path = tmp_path_factory.mktemp("st") / "statements.jsonl"
    store.write_statements_atomic(path, statements)
    data = _edited(path.read_bytes(), edits)
    _size_event(data)
    path.write_bytes(data)
    try:
        got = store.read_statements(path)
    except InputError as err:
        assert edits, str(err)[:300]
        _one_line(err, path, data)
        return
    if not edits:
        assert got == statements


def _prediction_rows(rng: random.Random, count: int, chunk: str) -> list[dict]:
    names = [*STANCE_LABELS, "SUPPORT", " Oppose "]
    return [{"id": f"p{i:06d}", "label": rng.choice(names), "score": round(rng.random(), 4),
             "why": chunk * rng.randint(0, 20)} for i in range(count)]


def _expected(data: bytes, shape: str) -> list[tuple[str, int]] | None:
    """(id, label code) per row as Python's json reads the file, or None if the file is clearly invalid."""
    try:
        text = data.decode("utf-8-sig")
        rows = json.loads(text) if shape == "array" else [json.loads(line) for line in text.split("\n") if line.strip()]
    except (ValueError, RecursionError):
        return None
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        return None
    out = []
    for row in rows:
        sid, label = row.get("id"), row.get("label")
        if not isinstance(sid, str) or not isinstance(label, str) or label.strip().lower() not in STANCE_LABELS:
            return None
        out.append((sid, STANCE_LABELS.index(label.strip().lower())))
    return out if len({sid for sid, _ in out}) == len(out) else None


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), count=st.sampled_from([1, 500, 20_000]) | st.integers(1, 20_000), chunk=_CHUNK,
       shape=st.sampled_from(["lines", "array", "pretty"]), edits=st.lists(_EDIT, max_size=2))
def test_json_predictions_read_as_pythons_parser_reads_them(tmp_path_factory, seed, count, chunk, shape, edits):
    rows = _prediction_rows(random.Random(seed), count, chunk)
    if shape == "lines":
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    else:
        data = json.dumps(rows, ensure_ascii=False, indent=2 if shape == "pretty" else None).encode()
    data = _edited(data, edits)
    path = tmp_path_factory.mktemp("pr") / "preds.jsonl"
    _size_event(data)
    path.write_bytes(data)
    expected = _expected(data, "lines" if shape == "lines" else "array")
    try:
        got = read_predictions(path)
    except InputError as err:
        assert expected is None, f"a valid file was refused: {str(err)[:300]}"
        _one_line(err, path, data)
        return
    if expected is not None:
        assert list(zip(got.ids.to_pylist(), got.codes.tolist(), strict=True)) == expected
    else:  # accepted although not plainly valid: only integer ids or odd label types may get here
        assert len(got) > 0


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), count=st.sampled_from([1, 500, 20_000]) | st.integers(1, 20_000), chunk=_CHUNK,
       delimiter=st.sampled_from([",", "\t"]), edits=st.lists(_EDIT, max_size=2))
def test_csv_predictions_read_back_exactly_or_fail_in_one_line(tmp_path_factory, seed, count, chunk, delimiter, edits):
    rows = _prediction_rows(random.Random(seed), count, chunk)
    buffer = io.StringIO()
    # CRLF, as RFC 4180 has it: with "\n" the csv module leaves a field holding a lone CR unquoted, and every reader
    # (pyarrow's, the csv module's) ends a line there, so the file it writes is not the one it was given.
    writer = csv.DictWriter(buffer, fieldnames=["id", "label", "score", "why"], delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    data = _edited(buffer.getvalue().encode(), edits)
    _size_event(data)
    path = tmp_path_factory.mktemp("csv") / ("preds.csv" if delimiter == "," else "preds.tsv")
    path.write_bytes(data)
    try:
        got = read_predictions(path)
    except InputError as err:
        assert edits, str(err)[:300]
        _one_line(err, path, data, lone_cr_breaks=True)
        return
    if not edits:
        assert got.ids.to_pylist() == [r["id"] for r in rows]
        assert got.codes.tolist() == [STANCE_LABELS.index(r["label"].strip().lower()) for r in rows]


def _nested(depth: int, leaf: object) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@_SETTINGS
@given(entries=st.sampled_from([1, 10_000]) | st.integers(1, 10_000), chunk=_CHUNK,
       depth=st.sampled_from([0, 0, 5, 199, 201, 5000, 50_000]), edits=st.lists(_EDIT, max_size=2),
       seed=st.integers(0, 2**32 - 1))
def test_a_label_map_file_parses_or_fails_in_one_line(tmp_path_factory, entries, chunk, depth, edits, seed):
    rng = random.Random(seed)
    mapping: dict[str, object] = {f"{chunk}{i}": rng.choice(STANCE_LABELS) for i in range(entries)}
    if depth:
        mapping[chunk] = _nested(depth, "support")
    data = _edited(("{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in mapping.items()) + "}").encode(), edits)
    path = tmp_path_factory.mktemp("map") / "map.json"
    path.write_bytes(data)
    try:
        got = parse_label_map(str(path))
    except StancebenchError as err:
        assert depth or edits, str(err)[:300]
        assert "\n" not in str(err) and len(str(err)) < 1000, str(err)[:300]
        return
    assert not depth and all(label in STANCE_LABELS for label in got.values())
    if not edits:
        assert got == {k.strip().lower(): v for k, v in mapping.items()}


def _dump(value: object) -> str:
    # json.dumps recurses; the deep values are written by hand.
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return "[" * depth + json.dumps(value) + "]" * depth


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_label_map_that_is_a_fifo_or_dev_zero_is_refused_at_once(tmp_path):
    fifo = tmp_path / "map.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        parse_label_map(str(fifo))
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="a device"):
        parse_label_map(str(zero))


_HUGE_INT = "7" * 5000  # past Python's 4,300-digit limit: json.loads raises a plain ValueError
_LONG = "x" * 100_000


def _readers(tmp_path: Path) -> dict[str, tuple[str, object]]:
    """reader name -> (file name, read(path)) for every reader of a hand-fed JSON file."""
    from stancebench.evaluation.report import load_report
    from stancebench.logs import read_label_log

    return {
        "statements": ("statements.jsonl", store.read_statements),
        "gold": ("gold.jsonl", store.read_gold),
        "label log": ("alice.jsonl", lambda p: read_label_log(p, annotator="alice", problems=[])),
        "predictions": ("preds.jsonl", read_predictions),
        "predictions array": ("preds.json", read_predictions),
        "label map": ("map.json", lambda p: parse_label_map(str(p))),
        "report": ("report.json", load_report),
    }


def _statement(**fields: object) -> dict:
    return {**json.loads(make_statement("s1").to_json()), **fields}


_BAD_VALUES = {
    "statements": [f'{{"id": "s1", "start": {_HUGE_INT}}}', json.dumps(_statement(quote_type=_LONG)),
                   json.dumps(_statement(speaker_source=_LONG)),
                   json.dumps(_statement(id=_LONG)) + "\n" + json.dumps(_statement(id=_LONG))],
    "gold": [f'{{"statement_id": {_HUGE_INT}}}', json.dumps({"statement_id": "s1", "label": _LONG, "method": "single"}),
             json.dumps({"statement_id": "s1", "label": "support", "method": _LONG})],
    "label log": [f'{{"statement_id": "s1", "x": {_HUGE_INT}}}', json.dumps({"statement_id": "s1", "label": _LONG}),
                  json.dumps({"statement_id": "s1", "label": "support", "annotator": _LONG})],
    # (pyarrow reads such a number in a column of no use to stancebench as a float: that file is fine)
    "predictions": [f'{{"id": {_HUGE_INT}, "label": "support"}}', json.dumps({"id": "a", "label": _LONG})],
    "predictions array": [f'[{{"id": {_HUGE_INT}, "label": "support"}}]', json.dumps([{"id": "a", "label": _LONG}])],
    "label map": [f'{{"A": {_HUGE_INT}}}', json.dumps({_LONG: "maybe"}), json.dumps({"A": _LONG})],
    "report": [f'{{"schema_version": {_HUGE_INT}}}'],
}


@pytest.mark.parametrize("reader", sorted(_BAD_VALUES))
def test_huge_numbers_and_long_values_give_short_one_line_errors(tmp_path, reader):
    name, read = _readers(tmp_path)[reader]
    for content in _BAD_VALUES[reader]:
        path = tmp_path / name
        path.write_text(content + "\n", encoding="utf-8")
        with pytest.raises(StancebenchError) as caught:
            read(path)
        message = str(caught.value)
        assert "\n" not in message and len(message) < len(str(path)) + 300, message[:400]
