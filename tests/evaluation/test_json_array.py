"""JSON-array predictions streamed in bounded memory: same rows as json.loads, the right lines, one-line errors."""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancebench.errors import InputError
from stancebench.evaluation import json_array
from stancebench.evaluation.json_array import JsonArrayLines, read_json_array
from stancebench.evaluation.predictions import read_predictions, read_table

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text that stresses the scanner: brackets, commas, quotes and backslashes inside strings, any Unicode.
_TEXT = st.text(alphabet=st.sampled_from(list('[]{},"\\\n\r\t :ab\u00e9\u2028\U0001f600')) | st.characters(
    blacklist_categories=("Cs",)), max_size=12)
_VALUE = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | _TEXT,
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
                      max_leaves=8)
_ITEMS = st.lists(st.dictionaries(_TEXT, _VALUE, max_size=4), max_size=12)


def _dump(items: list[dict], rng: random.Random) -> tuple[bytes, list[int]]:
    """A JSON array of `items` laid out at random (indent, blank lines, ASCII or not), and each item's line."""
    ascii_only = rng.random() < 0.5
    indent = rng.choice([None, None, 0, 2, 4])
    text, lines = "[" + rng.choice(["", "\n", " \r\n"]), []
    for i, item in enumerate(items):
        if i:
            text += rng.choice([",", ", ", ",\n", "\n,\n\n", " ,\t"])
        text += rng.choice(["", " ", "\n  "])
        lines.append(text.count("\n") + 1)
        text += json.dumps(item, ensure_ascii=ascii_only, indent=indent)
    text += rng.choice(["", "\n"]) + "]" + rng.choice(["", "\n", "\n\n  "])
    return text.encode("utf-8"), lines


def _stream(path: Path, segment: int) -> tuple[list, list[int]]:
    with JsonArrayLines(path, segment_bytes=segment) as stream:
        out = stream.read()
        return [json.loads(line) for line in out.split(b"\n") if line.strip()], stream.item_lines().tolist()


@_SETTINGS
@given(items=_ITEMS, seed=st.integers(0, 2**32 - 1), segment=st.sampled_from([1, 2, 7, 64, 1 << 20]))
def test_any_array_of_objects_streams_to_the_same_items_and_lines(tmp_path, items, seed, segment):
    data, lines = _dump(items, random.Random(seed))
    path = tmp_path / "p.json"
    path.write_bytes(data)
    assert _stream(path, segment) == (items, lines)


@_SETTINGS
@given(items=_ITEMS.filter(bool), seed=st.integers(0, 2**32 - 1), edit=st.sampled_from(["drop", "insert", "swap"]),
       byte=st.sampled_from(list(b'[]{},":\\ \nx0')), segment=st.sampled_from([3, 1 << 20]))
def test_a_broken_array_is_an_input_error_or_a_line_json_refuses(tmp_path, items, seed, edit, byte, segment):
    rng = random.Random(seed)
    data, _ = _dump(items, rng)
    at = rng.randrange(len(data))
    data = {"drop": data[:at] + data[at + 1:], "insert": data[:at] + bytes([byte]) + data[at:],
            "swap": data[:at] + bytes([byte]) + data[at + 1:]}[edit]
    path = tmp_path / "p.json"
    path.write_bytes(data)
    try:
        expected = json.loads(data)
    except (ValueError, RecursionError):
        expected = None
    if not (isinstance(expected, list) and all(isinstance(item, dict) for item in expected)):
        expected = None
    try:
        with JsonArrayLines(path, segment_bytes=segment) as stream:
            out = stream.read()
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith(f"{path}:")
        assert expected is None  # a valid array of objects is never refused
        return
    try:
        got = [json.loads(line) for line in out.split(b"\n") if line.strip()]
    except ValueError:
        assert expected is None  # pyarrow, then the line-by-line reader, refuses the item in one line
        return
    assert got == expected  # every item parses: then the whole file was valid, and these are its items


@pytest.mark.parametrize(("content", "line", "problem"), [
    (b'[\n{"id": "a"},\n{"id": "b"},\n]', 4, "expected an object, found ']'"),
    (b'[\n{"id": "a"}\n{"id": "b"}]', 3, "expected ',', found an object"),
    (b'[{"id": "a"},\n null]', 2, "expected a JSON array of objects"),
    (b'[null, {"id": "a"}]', 1, "expected a JSON array of objects"),  # pyarrow would segfault on it
    (b'[{"id": "a"},\n\n["b"]]', 3, "expected a JSON array of objects"),
    (b'[{"id": "a"}]\n{"id": "b"}', 2, "expected a JSON array of objects"),
    (b'[{"id": "a"},\n{"id": "b"}', 2, "the array is not closed"),
    (b'[{"id": "a"},\n{"id": "b\nc"}]', 2, "a line break inside a string"),
    (b'[{"id": "a"},\n{"id": "b\\"}]', 2, "unterminated string"),
    (b'[{"id": "a"},\n{"id": "\xff"}]', 2, "not UTF-8 text"),
    (b'[{"id": "a"},\n' + b'[' * 50_000 + b']' * 50_000 + b']', 2, "JSON nested more than 200 levels deep"),
    (b'[{"id": "a"},\n{"x": ' + b'{"y": ' * 300 + b'1' + b'}' * 301 + b']', 2, "JSON nested more than 200 levels deep"),
])
def test_broken_arrays_are_one_line_errors_naming_the_line(tmp_path, content, line, problem):
    path = tmp_path / "preds.json"
    path.write_bytes(content)
    for segment in (5, 1 << 20):
        with pytest.raises(InputError) as caught, JsonArrayLines(path, segment_bytes=segment) as stream:
            stream.read()
        assert str(caught.value).startswith(f"{path}:{line}: ") and problem in str(caught.value), str(caught.value)
    with pytest.raises(InputError, match=f"^{path}:{line}: .*{problem[:20]}"):
        read_predictions(path)


def test_array_predictions_read_like_json_lines_and_name_the_right_line(tmp_path):
    rows = [{"id": f"s{i}", "label": ["support", "oppose", "hedge"][i % 3], "score": i / 7} for i in range(50)]
    lines = tmp_path / "p.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    array = tmp_path / "a.json"
    array.write_text(json.dumps(rows, indent=2), encoding="utf-8")  # "[" on line 1, each item 5 lines
    a, b = read_predictions(lines), read_predictions(array)
    assert a.ids.to_pylist() == b.ids.to_pylist() and a.codes.tolist() == b.codes.tolist()
    rows[3]["label"] = "maybe"
    array.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match=r"a.json:17: unknown label 'maybe'"):  # the line the item opens on
        read_predictions(array)


def test_types_seen_late_and_numeric_ids_still_read(tmp_path):
    rows = [{"id": i, "label": "support", "score": 1} for i in range(30_000)]
    rows[-1].update(score=0.5, extra="late")  # past pyarrow's first block: the streamed reads give up
    path = tmp_path / "p.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    table = read_table(path).table
    assert table["id"].to_pylist()[:2] == ["0", "1"] and table["score"].to_pylist()[-1] == 0.5
    assert table["extra"].to_pylist()[-1] == "late"


def test_an_empty_array_is_an_empty_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("[ ]\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        read_predictions(path)
    table, lines = read_json_array(path)
    assert table.num_rows == 0 and len(lines) == 0


@pytest.mark.slow
def test_a_large_array_is_read_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(json_array, "SEGMENT_BYTES", 1 << 20)
    path = tmp_path / "big.json"
    rationale = "the speaker says \\\"we must\\\" [x] {ok}, and more: " * 3
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        out.write(",\n".join(f'{{"id": "s{i:07d}", "label": "support", "score": 0.5, "why": "{rationale}"}}'
                             for i in range(200_000)))
        out.write("\n]\n")
    size = path.stat().st_size
    small = tmp_path / "small.json"
    small.write_text('[{"id": "s1", "label": "support"}]\n', encoding="utf-8")
    read_predictions(small)  # the readers' lazy imports happen here, not in the traced read (their modules are no data)
    tracemalloc.start()
    try:
        loaded = read_predictions(path)
        _, peak = tracemalloc.get_traced_memory()  # Python and numpy allocations (pyarrow's buffers are not traced)
    finally:
        tracemalloc.stop()
    assert len(loaded) == 200_000 and size > 30 << 20
    # Bounded by the segment, not the file (json.loads of the whole array took ~10x the file): 19 MB traced when run
    # alone, up to 25 MB inside the whole suite; either is well under one copy of the 40 MB file.
    assert peak < 32 * json_array.SEGMENT_BYTES < size, f"{peak >> 20} MB traced for a {size >> 20} MB file"
