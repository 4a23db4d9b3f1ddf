"""`stancebench.columns`: Arrow arrays to and from numpy and Python without pandas, checked against pyarrow's own."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancebench.columns import from_numpy, is_valid, joined_bytes, json_strings, needs_json_escape, strings, to_numpy


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | st.text(max_size=12), max_size=30), st.integers(0, 3))
def test_strings_and_json_strings_match_pyarrow_and_json(values, cut):
    array = strings(values)
    assert array.equals(pa.array(values, type=pa.string()))
    assert strings(values, large=True).equals(pa.array(values, type=pa.large_string()))
    assert is_valid(array).tolist() == [v is not None for v in values]
    part = array.slice(min(cut, len(values)))
    assert json_strings(part).to_pylist() == [json.dumps(v, ensure_ascii=False) for v in values[min(cut, len(values)):]]
    escape = needs_json_escape(part)
    expected = [v is not None and json.dumps(v, ensure_ascii=False)[1:-1] != v for v in values[min(cut, len(values)):]]
    assert (escape is None and not any(expected)) or escape.tolist() == expected


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, np.uint64, np.float64, bool])
def test_numpy_round_trip_and_slices(dtype):
    values = (np.arange(20) % 3 == 0) if dtype is bool else np.arange(20).astype(dtype)
    array = from_numpy(values)
    assert array.equals(pa.array(values))
    assert to_numpy(array).tolist() == values.tolist()
    assert to_numpy(array.slice(5, 9)).tolist() == values[5:14].tolist()
    assert to_numpy(pa.chunked_array([array.slice(0, 3), array.slice(3)])).tolist() == values.tolist()


def test_joined_bytes_of_a_slice():
    lines = strings(["ab", "c", "def"])
    assert bytes(joined_bytes(lines)) == b"abcdef" and bytes(joined_bytes(lines.slice(1))) == b"cdef"


def test_none_of_it_imports_pandas():
    code = ("import sys, numpy as np\nfrom stancebench.columns import *\n"
            "a = strings(['x', None]); b = from_numpy(np.arange(3)); to_numpy(b); is_valid(a); json_strings(a)\n"
            "print('pandas' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
