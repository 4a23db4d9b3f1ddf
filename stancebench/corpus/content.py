"""Where a cue's content starts and ends.

`start_after` reads the text after a cue verb ("said (that) …", "urged allies to …", "said Monday the …",
"described the move as …"), `content_after` turns that into a span, `parenthetical` takes the clause around
an attribution set off by commas ("The decision, officials said, applies …") and `relative_end` ends the
content of a cue in a relative clause where the clause ends ("Scholz, who has said …, met Macron").
`stancebench.corpus.reported` finds the cues and their sources and asks these where the content is.
"""

from __future__ import annotations

import bisect
import re

from stancebench.corpus import cues as c

__all__ = ["TITLE_TAIL", "content_after", "parenthetical", "relative_end", "start_after", "trim_end"]

_GAP_STARTS = frozenset(str.split(
    "on in at during earlier later last this late early again also publicly privately repeatedly previously recently "
    "separately yesterday today after before")
)
_NOT_CONTENT = frozenset(str.split(
    "on in at during following after before while when from with as earlier later last this to by "
    "afterwards then over")  # ('allies argue over strike rules': a dispute, no content)
)
_THAT_GAP = re.compile(r"(?P<gap>[^,.;:“”\"!?]{0,60}?)\s*,?\s*\bthat\b\s*")
#: A longer gap before "that": "said at a news conference with Scholz in Meseberg, Germany, on Tuesday that".
_TOLD_WORDS = frozenset({"told", "tells"})
#: 'told reporters', 'told The Associated Press', then a clause with a finite verb soon after its subject.
_TOLD_AUDIENCE = re.compile(
    r"\s+(?:reporters|journalists|lawmakers|parliament|the\s+(?:press|media)"
    r"|(?:[A-Z][\w.&'’-]*)(?:\s+[A-Z][\w.&'’-]*){0,3}?)\s+"
    r"(?=(?:the|a|an|it|he|she|they|we|i|his|her|their|its|this|these|those|there|no)\s"
    r"(?:[\w'’-]+\s+){0,5}?(?:is|was|were|are|had|has|have|would|will|could|should|must|can|did|does|do|might|may)\b)"
)
_LONG_THAT_GAP = re.compile(r"(?P<gap>[^.;:“”\"!?]{0,200}?)\s*,?\s*\bthat\b\s*")
_GAP_MARK = re.compile(r'[,.;:“”"!?]')
_TRIM_END = " \t\n\u00a0.,;:—–-"
_ASIDE = re.compile(r"\s*,\s*(?:however|though|too|also|moreover|in turn|in fact|of course|once again|again)\s*,\s*"
                    r"(?:that\s+)?(?=\w)")
_COMMA_ASIDE_THAT = re.compile(r"\s*,\s*[^,.;:“”\"]{2,60},\s*that\s+(?=\w)")
#: What may stand between a comma and a source's name: a closing mark, title words ('Foreign Minister').
TITLE_TAIL = re.compile(  # ', two US officials said', ', the country's top diplomat said'
    r"[\"”’'\s]*(?:(?:[A-Z][\w.'’-]*|the|a|an|of|and|one|two|three|four|five|several|some|many|other)\s+){0,6}")
_CLAUSE_MARK = re.compile(r"[,;:“”\"]")
_OPENING_MARK = re.compile(r"[“\"]")
#: Words that open a new clause after an attribution ('…, Peskov said, as talks stalled'): then the content
#: is before the attribution, not around it.
_NEW_CLAUSE = frozenset(str.split(
    "and but or nor so yet as while whereas when whenever after before because since though although if unless until "
    "which who whom whose where in on at during according with without for from by amid despite following ahead then"))
#: Where a coordinated clause starts: ', and', ', but', ';' (a parenthetical attribution's content ends there).
_CLAUSE_BOUNDARY = re.compile(r",\s*(?:and|but|yet|while)\s+|;\s*")
#: After a comma inside a relative clause's content: words that go on with it ('…, and that …') and words that open
#: an inserted phrase closed by the next comma ('the plan, if adopted, would fail'). Another lower-case word after a
#: comma is the main clause's verb ('Scholz, who said …, met Macron'): the relative clause ended at that comma.
_GOES_ON = frozenset(str.split("and or but nor which who whose where"))
_INSERTS = frozenset(str.split(
    "if when as though although because while unless until since including such not even especially particularly "
    "in on at for with to of from by perhaps"))
#: Adverbs and times between a cue and its content when no 'that' follows: 'said Monday the US would …'.
_WHEN = str.split("repeatedly publicly privately previously recently again also openly explicitly separately earlier later "
                  "now today yesterday tonight")
_DAYS = str.split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_WHEN_WORDS = (rf"{'|'.join(_WHEN)}|(?:on\s+)?(?:{'|'.join(_DAYS)})(?:\s+(?:night|morning|afternoon|evening))?"
               r"|(?:last|this)\s+(?:week|month|year)")
_ADJUNCT_RUN = re.compile(rf"\s*(?:{_WHEN_WORDS})(?:\s+(?:{_WHEN_WORDS}))*\s+(?=\S)")
#: The first words an `_ADJUNCT_RUN` match can have (any other needs no search).
_LEADING_ADJUNCTS = frozenset((*_WHEN, "on", "last", "this", *(day.lower() for day in _DAYS)))
_DESCRIBED_AS = re.compile(r"\s+(?:[^\s,.;:“”\"]+\s+){1,4}?as\s+(?=\w)")
_WARN_OF = frozenset(str.split("warned warns warn warning cautioned cautions spoke speaks talked talks"))
#: A journalist's question after the content: ', when asked about …', ', asked whether …'.
_WHEN_ASKED = re.compile(r",\s+(?:when\s+|after\s+being\s+)?(?:asked|questioned|pressed)\s+(?:about|whether|if|on|at|by)\b")


_ADJUNCT_WORDS, _OBJECT_CUES, _INFINITIVE_CUES = c.ADJUNCT_WORDS, c.OBJECT_CUES, c.INFINITIVE_CUES  # (no attribute loads)


def trim_end(text: str, start: int, end: int) -> int:
    """`end` moved back over spaces and punctuation that close a clause."""
    while end > start and text[end - 1] in _TRIM_END:
        end -= 1
    return end


def _that_match(after: str) -> tuple[str, int] | None:
    """The gap and the end of `_THAT_GAP.match(after)`. The gap before the first 'that' holds every later one's, so
    when it is too long or holds a mark no 'that' fits (~20x faster than the match when there is none). When the
    first 'that' is a word, the match is there (the gap before it is as short as white space and one comma let it
    be): read off without the match, whose lazy gap tries each length up to it (~15x the rest)."""
    at = after.find("that")
    if at == -1:
        return None
    gap = after[:at].rstrip()
    if gap.endswith(","):
        gap = gap[:-1].rstrip()
    if len(gap) > 60 or _GAP_MARK.search(gap) is not None:
        return None
    before, following = after[at - 1 : at] if at else "", after[at + 4 : at + 5]
    if before.isalnum() or before == "_" or following.isalnum() or following == "_":  # (`re`'s \b: alphanumeric, '_')
        that = _THAT_GAP.match(after)  # (a later 'that' may be a word)
        return (that.group("gap"), that.end()) if that is not None else None
    end = at + 4
    while after[end : end + 1].isspace():
        end += 1
    return gap, end


def start_after(after: str, kind: str | None, word: str) -> int | None:
    """Where the content starts in the text after a cue verb, or None when it has none there."""
    if after.startswith(" that "):  # (the commonest start: `_THAT_GAP` matches with no gap, up to the white space after)
        end = 6
        while after[end : end + 1].isspace():
            end += 1
        return end
    three = after[:3]
    comma = three.lstrip().startswith(",")
    # (`_ASIDE` needs white space and a comma first: most texts after a cue start otherwise, and a slice is ~2x cheaper
    # than the match)
    if comma or three.isspace():
        aside = _ASIDE.match(after)
        if aside is not None:
            return aside.end()  # 'made clear, however, that …'
    if comma and (aside := _COMMA_ASIDE_THAT.match(after)) is not None:
        return aside.end()  # 'said, without providing evidence, that …'
    that = _that_match(after)
    if that is not None:
        gap = that[0].split(None, 1)  # (its first word is all that counts)
        if not gap or (g := gap[0].lower()) in _GAP_STARTS or g in _ADJUNCT_WORDS or word in _OBJECT_CUES:
            return that[1]
    if word in _INFINITIVE_CUES and (infinitive := c.INFINITIVE.match(after)) is not None:
        return infinitive.start("content") if infinitive.group("content") else infinitive.end()
    if word in _OBJECT_CUES and (object_to := c.OBJECT_THEN_TO.match(after)) is not None \
            and not _CLAUSE_MARK.search(object_to.group()):
        return object_to.start("content") if object_to.group("content") else object_to.end()
    first = after.split(None, 1)
    # (`split` strips the white space `lstrip` does: its first word starts with the first other character)
    lower = first[0].lower() if first else ""
    if lower[:1] == ":":
        return after.index(":") + 1
    if lower in _GAP_STARTS and (long_gap := _LONG_THAT_GAP.match(after)) is not None \
            and c.CUE_SCANNER.search(long_gap.group("gap")) is None:  # '…, adding that': that cue's content
        return long_gap.end()
    if word in c.DESCRIBING_CUES and (described := c.DESCRIBED_OBJECT.match(after)) is not None:
        quote = _OPENING_MARK.search(after[: described.end() + 60])
        if quote is not None and len(after[: quote.start()].split()) <= 6:
            return quote.start()
        described_as = _DESCRIBED_AS.match(after) if word.startswith("describ") else None  # '… as a clear sign'
        return described_as.end() if described_as is not None else described.end()
    if word in _TOLD_WORDS and (told := _TOLD_AUDIENCE.match(after)) is not None:
        return told.end()  # 'told reporters the policy had not changed' (no 'that')
    if kind == "needs" or kind == "object":
        return None
    if lower in _LEADING_ADJUNCTS and (adjunct := _ADJUNCT_RUN.match(after)) is not None:
        rest = after[adjunct.end() :].split(None, 1)  # 'said Monday the US would …', 'said repeatedly he will …'
        if rest and rest[0][0] not in ",.;:" and rest[0].lower().strip(",") not in _NOT_CONTENT:
            return adjunct.end()
    if not first or first[0][0] in ",.;":
        return None
    head = lower.strip(",")
    if head in ("of", "about") and word in _WARN_OF and len(first) > 1:
        return len(after) - len(first[1])  # 'warned of the threat of a global conflict …': the threat
    if head in _NOT_CONTENT or head in _ADJUNCT_WORDS or (head.endswith("ly") and first[0].endswith(",")):
        return None
    return 0


def content_after(text: str, c1: int, s1: int, kind: str | None, word: str) -> tuple[int, int] | None:
    """The span of a cue's content after it (`c1`: where the cue ends, `s1`: where its sentence ends), or None."""
    after = text[c1 : s1 if s1 < c1 + 400 else c1 + 400]  # (a conditional, not `min`: ~5x faster)
    if kind in ("noun", "particle"):
        start = c1
        if kind == "particle" and text.endswith("on", 0, c1) and (to := c.OBJECT_THEN_TO.match(after)) is not None \
                and not _CLAUSE_MARK.search(to.group()):
            # 'called on allies (not) to lift …' as 'urged allies (not) to lift …'
            start = c1 + (to.start("content") if to.group("content") else to.end())
    else:
        start = start_after(after, kind, word)
        if start is None:
            return None
        start += c1
    while start < s1 and text[start].isspace():
        start += 1
    end = s1
    # (a match starts at a comma: most contents hold none, and a find is ~4x cheaper than the search)
    if (comma := text.find(",", start, s1)) != -1 and (asked := _WHEN_ASKED.search(text, comma, s1)) is not None:
        end = asked.start()  # '… it would "adjust and adapt", when asked at a press conference about …'
    while end > start and text[end - 1] in _TRIM_END:  # (`trim_end`, inline: a call less for every cue)
        end -= 1
    return (start, end) if end > start else None


def parenthetical(text: str, cue_starts: list[int], s0: int, s1: int, speaker_start: int,
                  c1: int) -> tuple[int, int] | None:
    """'The decision, officials said on Monday, applies only to …': an attribution set off by commas inside
    its content. The content is the whole clause, the attribution included: a statement is one span of the
    article, and the part before the attribution alone ('The decision') says nothing."""
    close = text.find(",", c1, min(s1, c1 + 60))
    if close == -1 or _GAP_MARK.search(text, c1, close) is not None:
        return None
    adjunct = text[c1:close].split(None, 1)
    if adjunct and adjunct[0].lower() not in _GAP_STARTS and adjunct[0].lower() not in c.ADJUNCT_WORDS:
        return None
    tail = text[close + 1 : s1].split(None, 1)
    first = tail[0].lower().strip("“\"‘'") if tail else ""
    if not first.isalpha() or first in _NEW_CLAUSE or first.endswith("ing"):
        return None  # '…, Peskov said, adding that …' / ', as talks stalled': the content is before it
    before = text[s0:speaker_start]
    comma = before.rfind(",")
    if comma == -1 or before[comma + 1 :].strip(" \"”’'\n") and not TITLE_TAIL.fullmatch(before[comma + 1 :]):
        return None
    start = s0
    for clause in _CLAUSE_BOUNDARY.finditer(text, s0, s0 + comma):  # 'It was wrong, and the White House, X said, …'
        start = clause.end()
    while start < s0 + comma and text[start].isspace():
        start += 1
    if start >= s0 + comma or c.ASKED.match(text, start):
        return None
    end = s1
    later = bisect.bisect_right(cue_starts, close)
    if later < len(cue_starts) and cue_starts[later] < s1:  # another source's clause follows
        boundary = None
        for boundary in _CLAUSE_BOUNDARY.finditer(text, close, cue_starts[later]):  # noqa: B007 (the last)
            pass
        if boundary is not None:
            end = boundary.start()
    return start, trim_end(text, start, end)


def relative_end(text: str, start: int, end: int) -> tuple[int, int]:
    """'Scholz, who has said Germany would not send Taurus, met Macron': content in a relative clause set
    off by commas ends where the clause does, at the comma before the main clause's verb."""
    inserted = False
    comma = text.find(",", start, end)
    while comma != -1:
        word = text[comma + 1 : comma + 16].split(None, 1)
        word = word[0] if word else ""
        if inserted:
            inserted = False  # the comma that closes an inserted phrase
        elif word.rstrip(",").lower() in _INSERTS:
            inserted = True
        elif word[:1].islower() and word.rstrip(",") not in _GOES_ON:
            return start, trim_end(text, start, comma)
        comma = text.find(",", comma + 1, end)
    return start, end
