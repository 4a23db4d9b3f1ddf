"""Prompts for language models: a template over an item's fields, the codebook as instructions, k-shot examples.

A template is plain text with `{name}` placeholders (`{{` and `}}` for literal braces):

| variable | value |
| --- | --- |
| `{text}` | the statement |
| `{context}` | its surrounding sentence(s) |
| `{speaker}` | the speaker, with role and affiliation when known: "Jane Doe (Minister, Ruritania)" |
| `{target}` | the statement's target, in words |
| `{label_definitions}` | one line per label, "- support: …", from `stancebench.codebook` for the item's target |
| `{labels}` | "support, oppose or hedge" |

A line whose placeholders all come out empty (say `Context: {context}` for an item with no
context) is left out. `DEFAULT_TEMPLATE` is the prompt stancebench has always sent.

k-shot examples come from the rows a model is fitted on (the train split, or `--train FILE`),
never from the items scored: each item draws its own `shots` examples with a generator seeded by
(seed, item id), so a run is reproducible whatever order the items come in, and an item never
sees itself.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebench import codebook
from stancebench.errors import InputError, StancebenchError

__all__ = ["DEFAULT_TEMPLATE", "VARIABLES", "LABELS", "PromptTemplate", "FewShot", "item_fields", "sha256_text"]

LABELS: tuple[str, ...] = ("support", "oppose", "hedge")
VARIABLES: tuple[str, ...] = ("text", "context", "speaker", "target", "label_definitions", "labels")
DEFAULT_TEMPLATE = """Target: {target}
Speaker: {speaker}
Context: {context}
Statement: {text}
Stance of the statement toward the target (support, oppose or hedge):"""


def sha256_text(text: str) -> str:
    """sha256 of UTF-8 text, as reports record prompts and templates."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def item_fields(example: Mapping[str, Any], target: str = codebook.TARGET) -> dict[str, str]:
    """The template variables for one item."""
    speaker = str(example.get("speaker") or "unknown")
    extra = ", ".join(str(example[k]) for k in ("speaker_role", "speaker_affiliation") if example.get(k))
    if extra:
        speaker = f"{speaker} ({extra})"
    definitions = codebook.label_definitions(example.get("target_id"))
    return {
        "text": str(example.get("text") or ""),
        "context": str(example.get("context") or ""),
        "speaker": speaker,
        "target": str(example.get("target") or target),
        "label_definitions": "\n".join(f"- {label}: {definitions[label]}" for label in LABELS),
        "labels": f"{', '.join(LABELS[:-1])} or {LABELS[-1]}",
    }


@dataclass(frozen=True)
class PromptTemplate:
    """A user-prompt template; `render(example)` fills it, `source` says where it came from."""

    text: str = DEFAULT_TEMPLATE
    source: str = "default"
    _fields: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lines = []
        for lineno, line in enumerate(self.text.splitlines(), start=1):
            try:
                names = tuple(name for _, name, _, _ in string.Formatter().parse(line) if name is not None)
            except ValueError as err:
                raise InputError(self.source, lineno, f"bad template ({err})") from None
            for name in names:
                if name not in VARIABLES:
                    raise InputError(self.source, lineno, f"unknown template variable {{{name}}} "
                                                          f"(known: {', '.join(VARIABLES)})")
            lines.append(names)
        object.__setattr__(self, "_fields", tuple(lines))

    @classmethod
    def from_file(cls, path: str | Path) -> PromptTemplate:
        """Read a template file (UTF-8 text)."""
        from stancebench.store import read_bytes

        try:
            text = read_bytes(path).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(path, 0, "not UTF-8 text") from None
        except OSError as err:
            raise InputError(path, 0, f"cannot read ({err.strerror or err})") from None
        if not text.strip():
            raise InputError(path, 0, "empty prompt template")
        return cls(text.strip("\n"), str(path))

    @property
    def sha256(self) -> str:
        """The template's sha256 (reports record it)."""
        return sha256_text(self.text)

    def render(self, example: Mapping[str, Any], target: str = codebook.TARGET) -> str:
        """The prompt for one item; lines whose placeholders are all empty are left out."""
        values = item_fields(example, target)
        out = []
        for line, names in zip(self.text.splitlines(), self._fields, strict=True):
            if names and not any(values[name] for name in names):
                continue
            out.append(line.format_map(values))
        return "\n".join(out)


@dataclass
class FewShot:
    """k examples per item from a pool of labelled rows (what `fit` was given), seeded by (seed, item id)."""

    shots: int = 0
    seed: int = 0
    pool: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def fit(self, examples: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> None:
        """Keep the labelled rows to draw from."""
        self.pool = [(dict(e), str(label)) for e, label in zip(examples, labels, strict=True)]
        if self.shots and len(self.pool) < self.shots:
            raise StancebenchError(f"--shots {self.shots}: only {len(self.pool)} training rows to draw examples from")

    def draw(self, example: Mapping[str, Any]) -> list[tuple[dict[str, Any], str]]:
        """The item's examples: never the item itself."""
        if not self.shots:
            return []
        if not self.pool:
            raise StancebenchError(f"--shots {self.shots} needs training rows to draw examples from (none were given)")
        item = str(example.get("id"))
        candidates = [pair for pair in self.pool if str(pair[0].get("id")) != item]
        rng = random.Random(f"{self.seed}:{item}")
        return rng.sample(candidates, min(self.shots, len(candidates)))
