"""Hypothesis at realistic sizes: label logs of MB written in random batches and cut short
anywhere in the last write; frames under every single-byte change; JSON nesting up to 1,500
levels with brackets and escaped quotes inside strings."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancebench.errors import InputError
from stancebench.frames import frame_line, inspect_line
from stancebench.logs import append_labels, read_label_log
from stancebench.schema import LabelEvent
from stancebench.store import check_json_depth

_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def _events(rng: random.Random, start: int, count: int, chunk: str) -> list[LabelEvent]:
    out = []
    for i in range(start, start + count):
        label = rng.choice(["support", "oppose", "hedge", "off_target", None])
        note = chunk * rng.randint(0, 2000) if rng.random() < 0.5 else None
        out.append(LabelEvent(f"s{i}", "alice", label, "2026-01-01T00:00:00.000Z", "1.1", note, label is None))
    return out


@pytest.mark.slow
@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), chunk=_TEXT.filter(bool), writes=st.integers(1, 12), cut=st.floats(0, 1))
def test_a_log_cut_anywhere_in_its_last_write_keeps_every_earlier_write(tmp_path_factory, seed, chunk, writes, cut):
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("log")
    log = Path(folder) / "alice.jsonl"
    written: list[LabelEvent] = []
    for _ in range(writes - 1):
        batch = _events(rng, len(written), rng.choice([1, 1, 2, rng.randint(1, 300)]), chunk)
        append_labels(log, batch)
        written.extend(batch)
    before = log.stat().st_size if log.exists() else 0
    last = _events(rng, len(written), rng.choice([1, rng.randint(2, 300)]), chunk)
    append_labels(log, last)
    size = log.stat().st_size
    assert size < 64 << 20
    cut_at = before + int(cut * (size - before))  # the last write, killed somewhere inside
    with open(log, "r+b") as handle:
        handle.truncate(cut_at)
    problems: list[str] = []
    got = read_label_log(log, annotator="alice", problems=problems)
    assert got == written or got == written + last
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        append_labels(log, _events(rng, 10**6, 1, chunk))  # the next writer sets any leftovers aside
    assert read_label_log(log, problems=(after := []))[: len(got)] == got and after == []


@_SETTINGS
@given(
    body=st.dictionaries(st.text(max_size=20), _TEXT, min_size=1, max_size=8),
    position=st.integers(0),
    byte=st.integers(0, 255),
)
def test_any_single_byte_change_of_a_framed_line_is_caught(body, position, byte):
    line = frame_line(json.dumps(body, ensure_ascii=False, sort_keys=True))
    position %= len(line)
    changed = line[:position] + bytes([byte]) + line[position + 1:]
    if changed != line:
        assert inspect_line(changed).kind != "framed"  # CRC-32 catches every single-byte error
    assert inspect_line(line).kind == "framed"


def _nested(rng: random.Random, depth: int, chunk: str):
    value: object = chunk
    for _ in range(depth):
        value = [value, chunk] if rng.random() < 0.5 else {chunk + "[{": value, "x": '"]}\\'}
    return value


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(0, 1500), chunk=_TEXT, lines=st.integers(1, 2000))
def test_depth_check_agrees_with_the_true_depth(seed, depth, chunk, lines):
    rng = random.Random(seed)
    deep = json.dumps({"id": "x", "v": _nested(rng, depth, chunk)}, ensure_ascii=False)
    rows = [json.dumps({"id": str(i), "label": chunk + "[{"}, ensure_ascii=False) for i in range(lines)]
    rows.insert(rng.randint(0, len(rows)), deep)
    data = "\n".join(rows).encode()
    true_depth = depth + 1  # the wrapping object
    if true_depth > 200:
        with pytest.raises(InputError, match="JSON nested more than 200 levels deep"):
            check_json_depth(data, "p.jsonl")
    else:
        assert check_json_depth(data, "p.jsonl") is data
    array = ("[" + ",".join(rows) + "]").encode()
    if true_depth + 1 > 200:
        with pytest.raises(InputError):
            check_json_depth(array, "p.json")
    else:
        check_json_depth(array, "p.json")
