"""The topic filter for dumps and crawls: keep the articles that mention the corpus target."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["TopicFilter"]


class TopicFilter:
    """Keyword groups; an article matches when its title or text has a word of every group."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups = tuple(tuple(group) for group in groups)
        self._patterns = [re.compile(_alternation(group), re.IGNORECASE) for group in self.groups]

    @property
    def is_active(self) -> bool:
        """Does the filter drop anything at all?"""
        return bool(self._patterns)

    def matches(self, text: str) -> bool:
        """Does `text` mention a keyword of every group?"""
        return all(pattern.search(text) for pattern in self._patterns)


def _alternation(words: Sequence[str]) -> str:
    # Whole words; `strike*` also matches strikes/striking; a space matches any run of spaces.
    parts = []
    for word in sorted(words, key=len, reverse=True):
        stem = word.rstrip("*")
        body = r"\s+".join(re.escape(piece) for piece in stem.split())
        parts.append(body + (r"\w*" if word.endswith("*") else ""))
    return r"\b(?:" + "|".join(parts) + r")\b"
