"""What the annotate screen shows: the statement, its context, the suggestion and the key legend.

Plain text, wrapped at word boundaries to the terminal's width (never mid-word); ANSI styling
only when the CLI asks for colour.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable

__all__ = ["HELP", "LEGEND", "plural", "wrap", "width", "styler", "highlight"]

HELP = """Keys:
  s  support      o  oppose      h  hedge      x  off_target
  n  add a note (saved with your next label of this statement, or when you skip it)
  u  undo your last label or correction (and go back to that statement)
  k  skip this statement for now       b  back to the previous statement
  j  jump to a statement id
  e  edit the speaker    m  mark "not a statement"    t  trim/extend the span
  g  show the guidelines               q  quit (everything is already saved)
  ?  this help"""

#: The key legend, two lines that each fit 80 columns.
LEGEND = (
    "[s]upport [o]ppose [h]edge off-target[x]   [n]ote s[k]ip [u]ndo [b]ack [j]ump\n"
    "fix: [e] speaker [m] not a statement [t] span   [g]uidelines [?]help [q]uit"
)


def plural(count: int, word: str) -> str:
    """`1 label`, `2 labels`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def width() -> int:
    """The terminal's width (80 when unknown), capped at 100 for readable lines."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def wrap(label: str, text: str, columns: int | None = None) -> str:
    """`Label: text` wrapped at word boundaries, continuation lines indented under the text."""
    columns = columns or width()
    indent = " " * min(len(label) + 2, 12)
    return textwrap.fill(
        f"{label}: {text}" if label else text, width=columns, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )


def styler(color: bool) -> Callable[..., str]:
    """`style(text, bold=True, underline=True)`: ANSI codes when colour is on, the text itself otherwise."""
    if not color:
        return lambda text, **_: text

    def style(text: str, bold: bool = False, underline: bool = False) -> str:
        codes = ("1;" if bold else "") + ("4;" if underline else "")
        return f"\x1b[{codes.rstrip(';')}m{text}\x1b[0m" if codes else text

    return style


def highlight(context: str, text: str, marks: tuple[str, str] = ("»", "«")) -> str:
    """The context with the statement marked, whitespace normalised (so wrapping stays exact)."""
    context = " ".join(context.split())
    needle = " ".join(text.split())
    start = context.find(needle)
    if start < 0:
        start = context.lower().find(needle.lower())
    if start < 0 or not needle:
        return context
    end = start + len(needle)
    return context[:start] + marks[0] + context[start:end] + marks[1] + context[end:]
