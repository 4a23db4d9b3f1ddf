"""pyarrow arrays to and from numpy and Python values without pulling in pandas.

pyarrow imports pandas (half a second) the first time it converts Python or numpy values
(`pa.array`, `pa.scalar`, a Python literal given to a compute function, `Array.to_numpy`,
`pq.read_table`). At the bundled release's size that import would be most of an `eval`, so the
evaluation path builds and reads arrays through their buffers here instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = [
    "strings", "from_numpy", "to_numpy", "is_valid", "literal", "read_parquet", "needs_json_escape", "json_strings",
    "joined_bytes",
]


def strings(values: Sequence[str | None], *, large: bool = False) -> pa.Array:
    """A string array (large_string with `large`) of Python strings; None is null."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if large else np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    nulls = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    validity = pa.py_buffer(np.packbits(~nulls, bitorder="little")) if nulls.any() else None
    kind = pa.large_string() if large else pa.string()
    return pa.Array.from_buffers(kind, len(encoded), [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))],
                                 null_count=int(nulls.sum()))


def from_numpy(values: np.ndarray) -> pa.Array:
    """A 1-d numpy array of numbers or booleans as an Arrow array (no nulls), sharing its memory when it can."""
    values = np.ascontiguousarray(values)
    if values.dtype == bool:
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def _combined(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a number or boolean array (whatever sits in a null slot: check `is_valid`)."""
    array = _combined(array)
    if pa.types.is_dictionary(array.type):
        array = array.indices
    data = array.buffers()[1]
    if pa.types.is_boolean(array.type):
        if data is None:
            return np.zeros(len(array), dtype=bool)
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        return bits[array.offset:array.offset + len(array)].astype(bool)
    dtype = np.dtype(array.type.to_pandas_dtype())
    if data is None:
        return np.zeros(len(array), dtype=dtype)
    return np.frombuffer(data, dtype=dtype, count=array.offset + len(array))[array.offset:]


def is_valid(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where the array holds a value, False where it is null."""
    array = _combined(array)
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    return to_numpy(array.is_valid())


def literal(text: str, *, large: bool = False) -> Any:
    """A string scalar for compute functions (a Python literal there would import pandas)."""
    return strings([text], large=large)[0]


def read_parquet(path: Any) -> pa.Table:
    """A whole parquet file as a Table (`pq.read_table` goes through pyarrow.dataset, which imports pandas)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read()


def _data_bytes(array: pa.Array) -> np.ndarray:
    # The bytes of a (large_)string array's values, as uint8, without copying.
    offsets_buffer, data = array.buffers()[1:3]
    if data is None or len(array) == 0:
        return np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if pa.types.is_large_string(array.type) else np.int32)
    start, end = int(offsets[array.offset]), int(offsets[array.offset + len(array)])
    return np.frombuffer(data, dtype=np.uint8)[start:end]


def needs_json_escape(array: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Rows whose text JSON escapes (control characters, `"`, `\\`): None when no row does (one pass over the bytes)."""
    import pyarrow.compute as pc

    array = _combined(array)
    raw = _data_bytes(array)
    step = 1 << 24  # in slices, so the temporaries stay small however long the column
    parts = (raw[i:i + step] for i in range(0, len(raw), step))
    if not any(((part < 0x20) | (part == 0x22) | (part == 0x5C)).any() for part in parts):
        return None
    return to_numpy(pc.match_substring_regex(array, r'[\x00-\x1f"\\]')) & is_valid(array)


def json_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`json.dumps(s, ensure_ascii=False)` of every string as a large_string array (null -> `null`)."""
    from json.encoder import encode_basestring

    import pyarrow.compute as pc

    values = _combined(values)
    if pa.types.is_dictionary(values.type):  # encode each distinct value once
        return json_strings(values.dictionary).take(values.indices).fill_null(literal("null", large=True))
    values = values.cast(pa.large_string())
    quote = literal('"', large=True)
    quoted = pc.binary_join_element_wise(quote, values, quote, literal("", large=True))
    escape = needs_json_escape(values)
    if escape is not None:
        mask = from_numpy(escape)
        escaped = [encode_basestring(v) for v in values.filter(mask).to_pylist()]
        quoted = pc.replace_with_mask(quoted, mask, strings(escaped, large=True))
    return quoted.fill_null(literal("null", large=True)) if values.null_count else quoted


def joined_bytes(lines: pa.Array) -> memoryview:
    """The values of a (large_)string array laid end to end, without copying."""
    return memoryview(_data_bytes(lines))
