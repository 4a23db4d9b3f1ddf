"""Reported speech in one sentence: a cue, its source and its content ("X said (that) …").

`ReportedSpeech.find` turns the cues of one sentence into drafts (see `stancebench.corpus.cues`
for the kinds of cue). The source is found before the cue ("Blinken said"), after it ("…, said
Blinken"), before an appositive ("Antonio Tajani, the foreign minister, said"), as a possessive
("Ukraine's request to …"), as the main clause's subject for a participle (", arguing that …"),
or inherited from the cue before it in a coordination ("acknowledged … but said …"). The
content follows the cue ("said (that) …", "pledged to …", "urged allies to …", "called the move
…") or, when what follows is only an adjunct ("said Monday, as …"), precedes it ("The step is
risky, Peskov said"); `stancebench.corpus.content` says where a content starts and ends.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass

from stancebench.corpus import cues as c
from stancebench.corpus.before_cue import (
    _AUX_WORDS,
    _MODAL_BEFORE,
    _PASSIVE,
    _PASSIVE_WORDS,
    _PROGRESSIVE,
    _PROGRESSIVE_WORDS,
    _ends_like,
    strip_aux,
)
from stancebench.corpus.content import TITLE_TAIL, content_after, parenthetical, relative_end, trim_end
from stancebench.corpus.scanning import word_trie
from stancebench.corpus.speaker_words import POSSESSIVE_PRONOUNS
from stancebench.corpus.speakers import Speaker, SpeakerResolver

__all__ = ["Draft", "ReportedSpeech", "strip_aux", "trim_end"]

#: Reporters' framing: "It is the first time an official has indicated that …".
_FRAME = re.compile(r"\b(?:it|this|that)\s+(?:is|was|marks|marked)\s+the\s+(?:first|second|only|last)\s+time\b",
                    re.IGNORECASE)
_WHO = re.compile(r",?\s*\bwho\s*$")
#: A relative clause between a source and its cue: ', who met his counterpart last week, has'.
_WHO_BETWEEN = re.compile(rf",\s*who\s[^,;:“”\"]{{1,150}},(?:\s*\b(?:{word_trie(_AUX_WORDS)})\b)*\s*$")
_COORDINATED = re.compile(r"(?:,\s*)?\b(?:but|and|while|yet)\s+(?:[\w.’'-]+\s+){0,5}?(?:also\s+)?$")
#: The verb a participle's main clause starts with, after its subject: "A group of senators sent a letter …".
_MAIN_VERB = re.compile(r"\s(?:[a-z]\w*ed|sent|made|gave|met|spoke|took|held|put|set|went|came|left|told|wrote|said|has|have"
                        r"|had|is|are|was|were|will|would)\b")
_ENDS_COORDINATOR = re.compile(r"\b(?:but|and|yet)\s*$")
_HEADLINE_COLON = re.compile(r"([^:]{2,200}):\s+")
_HEADLINE_TOPIC = re.compile(r"(.{2,60}?)\s+(?:on|about|at|in|after)\s")
_FOR_THEM_TO = re.compile(r"\s+(?:the|its|his|her|their)\s+(?:[\w'’-]+\s+){0,2}?to\s+(?=\w)")
#: 'the missiles, which Blinken said …': a source inside a relative clause set off by a comma.
_RELATIVE_SOURCE = re.compile(r",\s*(?:which|who|whom)\s+$")
_RELATIVE_BEFORE = re.compile(r",\s*(?:which|who|whom)\s+(?:[\w.’'-]+\s+){1,5}?$")
_MARKS = frozenset("\"“”„«»'‘’")
#: An 'as ' with no word character before it (the look-behind sees before a search's start, as `re`'s \b does).
_AS_WORD = re.compile(r"as (?<!\was )")
#: How every `c.STATED_BY` match starts: a sentence that starts otherwise needs no match.
_STATED_BY_STARTS = ("Th", "It")
_SUBORDINATE = re.compile(r"\s*(?:Since|When|After|Before|As|While|Although|Though|If|Because|Once|Until|Despite"
                          r"|Following)\s")


@dataclass(slots=True)
class Draft:
    """A statement before it gets its id: speaker, type, content span and text, context, cue."""

    speaker: Speaker
    quote_type: str
    start: int
    end: int
    text: str
    context: tuple[int, int]
    cue: str


class ReportedSpeech:
    """The reported statements of one article's sentences (shares the article's speaker resolver)."""

    def __init__(self, text: str, resolver: SpeakerResolver, cues: list[re.Match[str]]) -> None:
        """`cues`: the `CUE_SCANNER` matches in `text` after a space, a tab, a line break or a no-break space."""
        self.text = text
        self.resolver = resolver
        # A base form after 'to' or a modal ('to clarify', 'would respond') is no cue: left out here, so that its
        # sentence is not looked at (`_one_cue` would find nothing in it).
        base, modal = c.BASE_FORMS, _MODAL_BEFORE.search
        self.cues = [m for m in cues if m.group() not in base or not modal(text, max(0, m.start() - 40), m.start())]
        self.cue_starts = [m.start() for m in self.cues]

    def find(self, s0: int, s1: int, blocked: list[tuple[int, int]], is_headline: bool,
             previous: tuple[int, int] | None = None, quoted_by: Speaker | None = None) -> list[Draft]:
        """Drafts for the cues in sentence [s0, s1); `blocked` spans (direct quotes, their cues) are skipped.

        `quoted_by`: the speaker of the sentence's direct quote, whom a participle after its attribution
        continues ('"…," Peskov told reporters, adding that …').
        """
        text = self.text
        drafts: list[Draft] = []
        if is_headline:
            cues = list(c.CUE_ANY_CASE.finditer(text, s0, s1))
        else:
            starts = self.cue_starts
            first = bisect_left(starts, s0)
            cues = self.cues[first : bisect_left(starts, s1, first)]
        for cue in cues:
            c0, c1 = cue.span()
            if c1 > s1 or blocked and _inside(c0, blocked):
                continue
            group = cue.lastgroup
            if group == "request" or group == "noun" and self._owner(c0, s0) is not None:
                draft = self._noun_cue(cue, s0, s1)
                if draft is not None:
                    drafts.append(draft)
                continue
            inherited = None
            nested = [d for d in drafts if d.start <= c0 < d.end and d.cue not in _NOUN_CUE_LABELS] if drafts else None
            if nested:
                previous_draft = nested[-1]
                coordination = _coordinated(text, max(previous_draft.start, c0 - 80), c0)
                is_participle = group == "ing" and _after_comma(text, s0, c0)
                relative = None if coordination or is_participle else \
                    _RELATIVE_BEFORE.search(text, max(previous_draft.start, c0 - 80), c0)
                if coordination is None and not is_participle and relative is None:
                    continue  # a parenthetical ("and, he hinted, retaliation") or nested cue
                cut = (coordination or relative).start() if coordination or relative else c0
                # ('…, which Blinken said …' names its own source)
                inherited = previous_draft.speaker if relative is None else None
            elif drafts and group == "ing":
                inherited = drafts[-1].speaker
            elif quoted_by is not None and group == "ing" and _after_comma(text, s0, c0):
                inherited = quoted_by
            draft = self._one_cue(cue, c0, c1, group, s0, s1, blocked, inherited)
            if draft is not None:
                if nested:  # the cue inside the previous content starts a statement of its own: that content ends
                    previous_draft.end = trim_end(text, previous_draft.start, cut)
                    previous_draft.text = text[previous_draft.start : previous_draft.end]
                drafts.append(draft)
        # (most sentences hold no word 'as': `_first_as` costs a fraction of the search that would find none, and the
        # searches for a match start where it is)
        if (first_as := _first_as(text, s0, s1)) != -1:
            drafts.extend(self._as_put(s0, s1, blocked, first_as))
        if previous is not None and not drafts and text.startswith(_STATED_BY_STARTS, s0):
            drafts.extend(self._stated_by(s0, s1, previous))
        if is_headline and not drafts and not blocked:
            drafts.extend(self._headline_colon(s0, s1))
        if not drafts:
            return drafts
        return [d for d in drafts if (n := len(d.text.split(None, 2))) >= 3  # (at least three words: no need to count on)
                or n == 2 and (d.cue in _NOUN_CUE_LABELS or d.text[0] in "“\"‘'")]

    # ---- forms with their own shape ---------------------------------------------------------
    def _as_put(self, s0: int, s1: int, blocked: list[tuple[int, int]], first_as: int) -> list[Draft]:
        """'…, as X put it' / 'As X reported, …' (in a sentence where `_first_as` is `first_as`)."""
        text = self.text
        put = c.as_put_match(text, first_as, s1)
        if put is None or _inside(put.start(), blocked):
            return []
        speaker = self.resolver.at_end(put.group("speaker"), put.start("speaker"), whole=True)
        content = self._beside(s0, s1, put.start(), put.end())
        if speaker is None or content is None or text[content[0]] == ":":
            return []  # ('As X put it: "…"': the quote is the record)
        cue = "as put it" if "put" in put.group() else "as " + put.group().split()[-1]
        return [self._draft(speaker, content, (s0, s1), cue)]

    def _stated_by(self, s0: int, s1: int, previous: tuple[int, int]) -> list[Draft]:
        """'<statement>. This was stated by X …': the previous sentence is the content."""
        match = c.STATED_BY.match(self.text, s0, s1)
        if match is None:
            return []
        speaker = self.resolver.at_start(self.text[match.end() : s1], match.end())
        if speaker is None:
            return []
        p0, p1 = previous
        return [self._draft(speaker, (p0, trim_end(self.text, p0, p1)), (p0, s1), match.group("cue") + " by")]

    def _headline_colon(self, s0: int, s1: int) -> list[Draft]:
        """'Zelensky: …' and 'Zelensky on the strikes: …' headlines."""
        text = self.text
        colon = _HEADLINE_COLON.match(text[s0:s1])
        if colon is None or s0 + colon.end() >= s1:
            return []
        label = colon.group(1)
        speaker = self.resolver.at_end(label, s0, whole=True) if len(label) <= 60 else None
        if speaker is None:
            topic = _HEADLINE_TOPIC.match(label)
            speaker = self.resolver.at_end(topic.group(1), s0, whole=True) if topic else None
        if speaker is None:
            return []
        return [self._draft(speaker, (s0 + colon.end(), s1), (s0, s1), ":")]

    def _noun_cue(self, cue: re.Match[str], s0: int, s1: int) -> Draft | None:
        """'Ukraine's request to …', 'his renewed calls for …', 'the senators' demands that …'."""
        text = self.text
        c0, c1 = cue.span()
        owner = self._owner(c0, s0)
        if owner is None:
            return self._verb_request(cue, s0, s1)  # 'Zelensky calls for …' is a verb
        if owner.group("pronoun"):
            word = POSSESSIVE_PRONOUNS[owner.group("pronoun").lower()]
            speaker = self.resolver.at_end(word, owner.start("pronoun"))
        else:
            w0 = max(s0, owner.start("owner") - 60)
            speaker = self.resolver.at_end(text[w0 : owner.end("owner")], w0, owner=True)
        if speaker is None:
            return None
        start = c1
        if text[c1 - 3 : c1] == "for":
            to = _FOR_THEM_TO.match(text[c1 : c1 + 80])
            if to is not None:
                start = c1 + to.end()
        while start < s1 and text[start].isspace():
            start += 1
        verb = c.NOUN_CONTENT_END.search(text, start, s1)
        end = trim_end(text, start, verb.start() if verb else s1)
        if end <= start:
            return None
        noun = next((w for w in cue.group().lower().split() if w in _NOUN_CUE_LABELS), cue.group().split()[0].lower())
        return self._draft(speaker, (start, end), (s0, s1), noun)

    def _owner(self, c0: int, s0: int) -> re.Match[str] | None:
        """The possessive source just before a noun cue, if any."""
        return c.POSSESSIVE_SOURCE.search(self.text, max(s0, c0 - 80), c0)

    def _verb_request(self, cue: re.Match[str], s0: int, s1: int) -> Draft | None:
        word, particle = cue.group().split()[0], cue.group().split()[-1]
        if word not in ("calls", "appeals", "demands") or particle not in ("for", "on", "that"):
            return None  # a bare noun ('a request for comment') has no source
        left = strip_aux(self.text[max(s0, cue.start() - 200) : cue.start()])
        if not left.strip():
            return None
        return self._one_cue(cue, *cue.span(), "free" if particle == "that" else "particle", s0, s1, [], None)

    # ---- one cue verb ------------------------------------------------------------------------
    def _one_cue(self, cue: re.Match[str], c0: int, c1: int, kind: str | None, s0: int, s1: int,
                 blocked: list[tuple[int, int]], inherited: Speaker | None) -> Draft | None:
        """The draft of the cue at [c0, c1) of `kind` (its group, or how `_verb_request` reads it), if any."""
        text = self.text
        word, label = _cue_word_and_label(cue.group(), kind == "noun")
        if kind == "according":
            speaker = self.resolver.at_start(text[c1:s1], c1)
            if speaker is None:
                return None
            content = self._beside(s0, s1, c0, speaker.end)
            return self._draft(speaker, content, (s0, s1), "according to") if content else None
        if kind == "needs" and word not in c.OBJECT_CUES and "," not in text[s0:c0]:
            after = text[c1 : s1 if s1 < c1 + 400 else c1 + 400]
            if "that" not in after and ":" not in after and not after.lstrip().startswith(","):
                # ('has come under repeated shelling'): no 'that' or colon after it and no comma before it, so no
                # content on either side; the speaker need not be looked for
                return None
        # (the source is near its cue; a bounded window keeps long sentences linear. A conditional, not `max`: ~5x faster)
        w0 = c0 - 400 if c0 - 400 > s0 else s0
        left = text[w0:c0]
        if kind == "ing" and _ends_like(_PROGRESSIVE, _PROGRESSIVE_WORDS, left):
            kind = "free"  # 'has been urging': a verb, not a participle
        elif _ends_like(_PASSIVE, _PASSIVE_WORDS, left) or (
                " time" in left and _FRAME.search(left, len(left) - 200)):
            return None
        if word in c.BASE_FORMS and _MODAL_BEFORE.search(left, len(left) - 40):
            return None  # 'Russia would respond', 'did not deny': not a present-tense report
        if ("sked " in left or "asking" in left or "question" in left or "wonder" in left) and c.QUESTION.search(left):
            return None  # 'When asked whether X had said …': a journalist's question
        if kind == "ing":
            speaker = inherited or self.subject(s0, c0)
            if speaker is None:
                return None
            content = content_after(self.text, c1, s1, "free", word)
            return self._finish(speaker, content, blocked, (s0, s1), cue.group().lower()) if content else None
        raw_left, left = left, strip_aux(left)
        if len(left) < len(raw_left) and raw_left[len(left) :].lstrip().startswith(","):
            left += ","  # 'Kallas, the EU's foreign policy chief, has welcomed': the appositive keeps its comma
        who = _WHO.search(left, len(left) - 12) if "who" in left[-12:] else None
        if who is not None:
            left = left[: who.start()]
        speaker = None
        if left.rstrip().endswith(","):
            inverted = self.resolver.at_start(text[c1:s1], c1)
            if inverted is not None and not text[inverted.end : s1].strip(" .,\u00a0\n"):
                content = (s0, trim_end(text, s0, w0 + len(left.rstrip()) - 1))
                return self._finish(inverted, content, blocked, (s0, s1), cue.group().lower())
        if left and not left.isspace():
            speaker = self.resolver.at_end_of_clause(left, w0)
        if speaker is None or inherited is not None and speaker.source == "pronoun" and inherited.kind == "person":
            speaker = inherited  # 'The prime minister said …, and she called …': the same person
        if speaker is None and ", who " in raw_left and (between := _WHO_BETWEEN.search(raw_left)) is not None:
            speaker = self.resolver.at_end(raw_left[: between.start()], w0)  # 'X, who met Y last week, has vowed'
        if speaker is None and left[-12:].rstrip().endswith(("but", "and", "yet")) \
                and _ENDS_COORDINATOR.search(left, len(left) - 12):
            speaker = self.subject(s0, c0)  # 'Miller declined to comment … but said …'
        if speaker is None:
            return None
        content = content_after(self.text, c1, s1, kind, word)
        if content is None:
            content = parenthetical(self.text, self.cue_starts, s0, s1, speaker.start, c1)
            if content is None and text[speaker.end : c0].strip() != ",":  # 'The Kremlin spokesman, Peskov, told …':
                content = self._content_before(s0, speaker.start)  # what comes before a name in apposition is no content
            if content is None:
                return None
        elif who is not None and who.group().startswith(",") or "wh" in text[
                (at := speaker.start - 12 if speaker.start - 12 > w0 else w0) : speaker.start] \
                and _RELATIVE_SOURCE.search(text, at, speaker.start):
            content = relative_end(self.text, *content)
        return self._finish(speaker, content, blocked, (s0, s1), label)

    def _content_before(self, s0: int, speaker_start: int) -> tuple[int, int] | None:
        """'The step is risky, [Foreign Minister] X said …': the content before the comma that precedes the source."""
        before = self.text[s0:speaker_start]
        comma = before.rfind(",")
        if comma == -1 or before[comma + 1 :].strip(" \"”’'\n") and not TITLE_TAIL.fullmatch(before[comma + 1 :]):
            return None
        head = before[:comma].rstrip()
        if len(head.split()) < 3 or c.ASKED.match(head):
            return None
        return s0, trim_end(self.text, s0, s0 + len(head))

    def subject(self, s0: int, c0: int) -> Speaker | None:
        """The main clause's subject for a participle cue (', adding: "…"' too): the phrase before the sentence's
        first verb."""
        if _SUBORDINATE.match(self.text, s0) and (comma := self.text.find(",", s0, c0)) != -1:
            s0 = comma + 1  # 'Since Russia invaded in 2022, Washington has … urged': the main clause's subject
        verb = _MAIN_VERB.search(self.text, s0, c0)
        if verb is None:
            return None
        return self.resolver.at_end_of_clause(strip_aux(self.text[s0 : verb.start()]), s0)

    def _finish(self, speaker: Speaker, content: tuple[int, int], blocked: list[tuple[int, int]],
                context: tuple[int, int], label: str) -> Draft | None:
        a, b = content
        if blocked and _inside(a, blocked):
            return None  # the content is a direct quote, already a record
        # '…, adding: "…"': a direct quote's attribution inside the content (a span that starts at no quotation mark)
        # ends the content; that quote is a record of its own.
        if blocked and (inside := [x for x, _ in blocked if a < x < b and self.text[x] not in _MARKS]):
            b = trim_end(self.text, a, min(inside))
            if b <= a:
                return None
        return Draft(speaker, "indirect", a, b, self.text[a:b], context, label)

    def _beside(self, s0: int, s1: int, a: int, b: int) -> tuple[int, int] | None:
        """The content on either side of an inserted attribution ('according to X, …' / '…, according to X')."""
        text = self.text
        before = text[s0:a].strip(" ,\u00a0")
        if len(before.split()) >= 3:
            return s0, trim_end(text, s0, a)
        rest = b
        comma = text.find(",", b, s1)
        if comma != -1:
            rest = comma + 1
        while rest < s1 and text[rest].isspace():
            rest += 1
        return (rest, trim_end(text, rest, s1)) if rest < s1 else None

    def _draft(self, speaker: Speaker, content: tuple[int, int], context: tuple[int, int], cue: str) -> Draft:
        a, b = content
        return Draft(speaker, "indirect", a, b, self.text[a:b], context, cue)


def _coordinated(text: str, start: int, end: int) -> re.Match[str] | None:
    """`_COORDINATED.search(text, start, end)`, from the first 'but', 'and', 'while' or 'yet' on (with the comma and
    spaces before it): no match starts before, and `re` tries the pattern at each place (~10x slower than a find)."""
    window = text[start:end]  # (`in` and finds without bounds on a slice: ~2x finds with bounds, which parse them)
    if "and" not in window and "but" not in window and "while" not in window and "yet" not in window:
        return None
    first = start + min(at for at in map(window.find, ("and", "but", "while", "yet")) if at != -1)
    while first > start and text[first - 1].isspace():
        first -= 1
    if first > start and text[first - 1] == ",":
        first -= 1
    return _COORDINATED.search(text, first, end)


def _first_as(text: str, s0: int, s1: int) -> int:
    """Where the first 'As ' or 'as ' that starts a word (no word character before it) is in [s0, s1), or -1: no
    `c.as_put_match` match starts before it."""
    # (a find with bounds, then a search led by the literal 'as ' up to it: ~3x a loop over each 'as ', most in 'has'
    # and 'was'. An 'as ' that starts before an 'As ' ends before it.)
    upper = text.find("As ", s0, s1)
    lower = _AS_WORD.search(text, s0, s1 if upper == -1 else upper)
    return lower.start() if lower is not None else upper


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    """Whether `at` is in one of `spans` (a loop: ~1.7x `any` over a generator)."""
    for a, b in spans:  # noqa: SIM110 (a loop, for speed)
        if a <= at < b:
            return True
    return False


def _after_comma(text: str, s0: int, c0: int) -> bool:
    """Whether a comma ends the text before `c0`, inside a closing quotation mark too (', adding' / ',\" adding')."""
    return text[max(s0, c0 - 5) : c0].rstrip().rstrip("\"”’'").endswith(",")


@functools.lru_cache(maxsize=4096)
def _cue_word_and_label(cue: str, is_noun: bool) -> tuple[str, str]:
    """A cue's first word, lower-cased, and its label ('repeated earlier assertions', without 'that', for a noun
    cue). Cues are a small vocabulary: each is worked out once."""
    label = cue.lower()
    if is_noun:
        label = label.rsplit(None, 1)[0]
    return cue.split()[0].lower(), " ".join(label.split())


_NOUN_CUE_LABELS = frozenset((*c.REQUEST_WORDS, "assertion", "assertions", "claim", "claims", "warning", "warnings",
                              "pledge", "pledges", "promise", "promises", "statement", "statements", "threat", "threats"))
