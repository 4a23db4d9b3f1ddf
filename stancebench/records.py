"""Fast paths for the records of `stancebench.schema`, made per statement read, built or written.

Each keeps the behaviour of the plain dataclass or json code it stands in for (tests/test_schema.py
compares them over every field set and unset and over values of other types); the speed-ups are
named where they are used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import MISSING, fields
from typing import Any

__all__ = ["plain_statement_check", "slot_setting_init", "statement_line"]

_encode_str = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses for a string
_TEXTS = ("id", "article_id", "speaker", "text", "target_id")
_OPTIONAL_TEXTS = ("speaker_role", "speaker_affiliation", "cue", "source_file", "source_record", "url", "canonical_id")


def slot_setting_init(cls: type) -> Callable[..., None]:
    """The dataclass `__init__` of a frozen slots class, setting each slot through its descriptor.

    The generated one calls `object.__setattr__(self, name, value)` per field (a global, an attribute
    and a name lookup each): twice the cost of building a 19-field Statement this way.
    """
    params, lines, scope = [], [], {}
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a default factory is not supported")
        scope[f"__set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"__default_{f.name}"] = f.default
            params.append(f"{f.name}=__default_{f.name}")
        lines.append(f"    __set_{f.name}(self, {f.name})")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(lines), scope)  # noqa: S102 - field names only
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = dict(cls.__init__.__annotations__)
    return init


def plain_statement_check(names: Collection[str], quote_types: Collection[str],
                          speaker_sources: Collection[str]) -> Callable[[dict[str, Any]], bool]:
    """A check that `Statement.from_dict`'s validation accepts a dict as it is: only known keys, of exactly the declared types.

    A quick yes for what `extract` writes (twice as fast as the checks that name a problem); a no leaves it to those.
    """
    names = frozenset(names)

    def is_plain(data: dict[str, Any]) -> bool:
        if not data.keys() <= names:
            return False
        get = data.get
        for name in _TEXTS:
            value = get(name)
            if type(value) is not str or not value or value.isspace():
                return False
        for name in _OPTIONAL_TEXTS:
            value = get(name)
            if value is not None and type(value) is not str:
                return False
        start, end, copies, source = get("start"), get("end"), get("copies"), get("speaker_source")
        if type(start) is not int or type(end) is not int or not 0 <= start <= end or type(get("context")) is not str:
            return False
        if get("quote_type") not in quote_types or type(get("is_stale", False)) is not bool:
            return False
        if source is not None and source not in speaker_sources:
            return False
        if copies is None:
            return "copies" not in data
        return type(copies) is list and all(type(c) is str and c for c in copies)

    return is_plain


def _or_null(value: str | None) -> str:
    return "null" if value is None else _encode_str(value)


def statement_line(s: Any) -> str:
    """`Statement.to_json`'s line built from the fields (3.5x faster than json.dumps of a dict: half of `extract`'s writing).

    The keys in sorted order, optional provenance and copy fields only when set; a value of an unexpected
    type raises TypeError (the caller falls back to json.dumps).
    """
    start, end, stale, copies = s.start, s.end, s.is_stale, s.copies
    if type(start) is not int or type(end) is not int or type(stale) is not bool or (
            copies and type(copies) is not tuple and type(copies) is not list):
        raise TypeError("not the declared types")
    return "".join((
        '{"article_id": ', _encode_str(s.article_id),
        ', "canonical_id": ' + _encode_str(s.canonical_id) if s.canonical_id else "",
        ', "context": ', _encode_str(s.context),
        ', "copies": [' + ", ".join(map(_encode_str, copies)) + "]" if copies else "",
        ', "cue": ', _or_null(s.cue), ', "end": ', int.__repr__(end), ', "id": ', _encode_str(s.id),
        ', "is_stale": ', "true" if stale else "false", ', "quote_type": ', _encode_str(s.quote_type),
        ', "source_file": ' + _encode_str(s.source_file) if s.source_file else "",
        ', "source_record": ' + _encode_str(s.source_record) if s.source_record else "",
        ', "speaker": ', _encode_str(s.speaker), ', "speaker_affiliation": ', _or_null(s.speaker_affiliation),
        ', "speaker_role": ', _or_null(s.speaker_role), ', "speaker_source": ', _or_null(s.speaker_source),
        ', "start": ', int.__repr__(start), ', "target_id": ', _encode_str(s.target_id), ', "text": ', _encode_str(s.text),
        ', "url": ' + _encode_str(s.url) if s.url else "", "}",
    ))
