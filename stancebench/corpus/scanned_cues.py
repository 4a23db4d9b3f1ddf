"""The first cue after a quote from the article's one scan, where a search of the window is sure to find it.

`_Extractor._after_quote` looks for the first cue in the window after a closing mark
(`CUE_SCANNER.search(window, lead)`): ~12K instructions a window, mostly the scanner's generator
and `re` building a match of many groups. The article's scan (`scan_and_locate`) has already
matched the cue pattern, against the whole text, at every word that follows a space, a tab, a
line break or a no-break space. Its first such cue in the window is the search's answer when:

- no word in the window follows another character but a letter or digit and could start a cue
  ('so-called', '”said', ', said' right after the mark): the search would try those, the scan did not;
- the window ends with a character neither a letter, digit, '_' nor white space (a sentence's full
  stop) and the one before it is a closing mark: a cue's words and the spaces between them
  (all a match takes in) cannot run past either, so no match or failed match read beyond the window
  or began before it (the scan's matches do not overlap: none started before the window);
- the cue is not an `object` one, whose look-ahead reads on over full stops and apostrophes.

Otherwise (and in headlines, searched ignoring case) the window is searched as before.
"""

from __future__ import annotations

import bisect
import re

from stancebench.corpus import cues as c
from stancebench.corpus.scanning import word_trie

__all__ = ["first_cue_after"]

#: What the article's scan lets lead a cue: a match of it is what a search finds after these.
SEPARATORS = " \n\u00a0\t"
#: A character before a word that may start a cue where the search looks (any but a word character) and the scan
#: does not (a separator).
_OTHER_LEAD = re.compile("[^\\w" + SEPARATORS + "](?=" + word_trie(c.CUE_SCANNER.first_words) + ")")
#: Characters that are neither word characters nor white space (a test pins each one), common at a sentence's end.
STOPS = frozenset(".,;:!?…\"“”‘’«»)]—–-'")


def first_cue_after(text: str, window: str, close: int, lead: int, cues: list[re.Match[str]],
                    starts: list[int]) -> tuple[re.Match[str] | None, int]:
    """`CUE_SCANNER.search(window, lead)` and 0 for `window` = text[close:…], or the same cue from the scan's `cues`
    (each starting where `starts` says) and `close`, the offset of its positions."""
    if lead >= len(window):  # nothing but spaces, commas and dashes (a quote that ends its sentence: most)
        return None, 0
    if not (lead > 0 and window[-1] in STOPS and close > 0 and text[close - 1] in STOPS):
        return c.CUE_SCANNER.search(window, lead), 0
    i = bisect.bisect_left(starts, close + lead)
    at = starts[i] - close if i < len(starts) else len(window)
    if at >= len(window):  # the scan found none in the window
        return (None, 0) if _OTHER_LEAD.search(window, lead - 1) is None else (c.CUE_SCANNER.search(window, lead), 0)
    cue = cues[i]
    if cue.lastgroup == "object" or _OTHER_LEAD.search(window, lead - 1, at) is not None:
        return c.CUE_SCANNER.search(window, lead), 0
    return cue, close
