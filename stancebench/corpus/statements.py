"""Article -> Statement: find who says what in one article (quotes, cues, speakers).

A statement (PARC-style) is a source, a cue and content in one sentence:

- direct: the content is a pair of quotation marks standing as its own clause, attributed by a
  cue after it ("…," Kirby said / "…," said Kirby), before it (he said: "…" / according to X, "…"),
  a headline colon (Zelensky: "…"), another quote's cue in the same sentence, or, for a quote-only
  sentence, the previous statement's speaker. Every pair of marks is its own record.
- indirect: a cue verb with its speaker and reported content ("X said (that) …", "X warned …",
  "officials acknowledged … but said …" = two records, "has repeatedly asked for …",
  "according to X", "as X put it", "…, X said."); a quote that is only a fragment of the sentence
  ("would 'cross a red line'") stays inside the indirect record, whose text starts at the
  reported content.
- not statements: agentless passives ("it was said"), cues with no content, non-speech verbs,
  photo captions, bylines, boilerplate, and reporters' framing ("It is the first time an
  official has indicated …"). Nominal cues with a possessive source ("Ukraine's request to …")
  and participle cues ("…, while stipulating that …") are not extracted.

Speakers are canonical names from the actor table; a capital or country standing for its
government resolves to the government ("Kyiv" -> Ukraine, "the U.S." -> United States). A
headline that restates another in different words ("Blinken Signals U.S. May Allow …" under
"Blinken signals US may let …") is its own record.

Identical records in one article (a headline repeated word for word) collapse to one, because
the statement id is derived from the article id and the normalised text.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from stancebench import codebook
from stancebench.corpus.actors import TITLED_NAME_SCANNER, ActorTable, Speaker, SpeakerResolver, load_actors
from stancebench.corpus.quotes import (
    Quote,
    layout_units,
    paragraph_break,
    scan_quotes,
    split_sentences,
    squash_quote,
)
from stancebench.corpus.scanning import WordScanner, scan_together
from stancebench.schema import Article, Statement

__all__ = [
    "ExtractWarning",
    "extract_statements",
    "normalise_statement_text",
    "statement_id",
]


_FREE_WORDS = str.split(
    """said says say warned warns acknowledged acknowledges signaled signalled signals suggested suggests urged urges
    insisted insists argued argues stressed stresses claimed claims stated declared declares vowed vows threatened
    threatens hinted hints indicated indicates cautioned cautions predicted predicts pledged pledges promised promises
    maintained maintains conceded concedes admitted admits confirmed confirms denied denies proposed proposes
    reiterated reiterates emphasised emphasized emphasises emphasizes underscored underscores clarified clarifies
    announced announces thanked hailed hails criticised criticized criticises criticizes condemned condemns rejected
    rejects dismissed demanded accused accuses welcomed welcomes asserted asserts affirmed affirms asked asks countered
    counters"""
)
_NEEDS_THAT_WORDS = str.split(
    """added adds noted notes explained explains told tells wrote writes tweeted posted responded replied recalled
    observed remarked assured assures informed reminded repeated repeats"""
)
_NOUN_VERBS = str.split("repeated reiterated restated renewed echoed made issued")
_PARTICLE_VERBS = str.split("asked asks called calls pushed pushes appealed appeals pressed presses pleaded lobbied")
_FREE = "|".join(_FREE_WORDS)
_NEEDS_THAT = "|".join(_NEEDS_THAT_WORDS)
_CUE_BODY = (
    r"\b(?=[Aacdehilmnoprstuvw])"  # cheap first-letter check: most positions fail here (2-3x faster search)
    rf"(?:(?P<noun>(?:{'|'.join(_NOUN_VERBS)})"
    r"(?:\s+(?:his|her|their|its|the|earlier|previous|past|an?|several|new|fresh|repeated))*"
    r"\s+(?:assertions?|claims?|calls?|warnings?|demands?|requests?|appeals?|pledges?|promises?|statements?|threats?)"
    r"\s+(?:that|for))"
    rf"|(?P<particle>(?:{'|'.join(_PARTICLE_VERBS)})\s+(?:for|on))"
    r"|(?P<according>[Aa]ccording to)"
    rf"|(?P<free>{_FREE})|(?P<needs>{_NEEDS_THAT}))\b"
)
_CUE = re.compile(_CUE_BODY)
_CUE_FIRST_WORDS = {*_NOUN_VERBS, *_PARTICLE_VERBS, "According", "according", *_FREE_WORDS, *_NEEDS_THAT_WORDS}
#: `_CUE.finditer` over a whole article, ~3x faster (see stancebench.corpus.scanning).
_CUE_SCANNER = WordScanner(_CUE, _CUE_FIRST_WORDS)
_CUE_AT_END = re.compile(rf"\b(?:{_FREE}|{_NEEDS_THAT})$")
_CUE_ANY_CASE = WordScanner(re.compile(_CUE_BODY, re.IGNORECASE), _CUE_FIRST_WORDS)  # for headlines
_AS_PUT = re.compile(r"\b[Aa]s\s+(?P<speaker>[^,.;:“”\"]{2,60}?)\s+(?:put|puts|has put)\s+it\b")
_OBJECT_CUES = frozenset(str.split("told tells assured assures informed reminded asked asks warned warns urged urges"))
_GAP_STARTS = frozenset(str.split(
    "on in at during earlier later last this late early again also publicly privately repeatedly previously recently "
    "separately yesterday today after before")
)
_NOT_CONTENT = frozenset(str.split(
    "on in at during following after before while when from with as earlier later last this to by "
    "afterwards then")
)
_THAT_GAP = re.compile(r"(?P<gap>[^,.;:“”\"!?]{0,60}?)\s*,?\s*\bthat\b\s*")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being|it|to)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_FRAME = re.compile(r"\b(?:first|second|only|last)\s+time\b", re.IGNORECASE)
_AUX_WORDS = str.split(
    """has have had also repeatedly previously publicly again reportedly then later earlier already once recently
    separately privately would will did does do could may might openly explicitly initially first further"""
)
_WEEKDAYS = str.split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_AUX = re.compile(
    rf"(?:\s*,?\s*\b(?:{'|'.join(_AUX_WORDS)}|on\s+(?:{'|'.join(_WEEKDAYS)})|last\s+week|this\s+week)\b)+\s*$"
)
#: The words an `_AUX` match can end with: a phrase ending otherwise needs no regex search.
_AUX_LAST_WORDS = (*_AUX_WORDS, *_WEEKDAYS, "week")
_WHO = re.compile(r",?\s*\bwho\s*$")
_COORDINATED = re.compile(r"(?:,\s*)?\b(?:but|and|while|yet)\s+(?:[\w.’'-]+\s+){0,5}?(?:also\s+)?$")
_QUOTE_CHARS = (*((mark, '"') for mark in "“”„«»″"), *((mark, "'") for mark in "‘’‚‹›′`"))
_TRIM_END = " \t\n\u00a0.,;:—–-"
_LONGEST_SENTENCE = 3000


@dataclass(frozen=True, slots=True)
class ExtractWarning:
    """A problem in one article that did not stop extraction (`path:line: message`)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"




@dataclass(slots=True)
class _Draft:
    speaker: Speaker
    quote_type: str
    start: int
    end: int
    text: str
    context: tuple[int, int]
    cue: str


def normalise_statement_text(text: str) -> str:
    """NFKC, one kind of quotation mark, single spaces, casefolded: what a statement id hashes."""
    text = unicodedata.normalize("NFKC", text)
    for mark, plain in _QUOTE_CHARS:
        if mark in text:  # most texts have one or two kinds of mark: faster than str.translate
            text = text.replace(mark, plain)
    return " ".join(text.split()).casefold()


def statement_id(article_id: str, text: str) -> str:
    """Stable id: first 16 hex digits of sha256(article id, normalised text)."""
    key = f"{article_id}\x1f{normalise_statement_text(text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# ---- one article ---------------------------------------------------------------------------
class _Extractor:
    def __init__(self, article: Article, table: ActorTable, warnings: list[ExtractWarning], first_line: int) -> None:
        self.article = article
        self.text = article.text
        # One search of the body for cues and titled names; each sentence takes its slice of the cues.
        self.cues, titled_names = scan_together(article.text, (_CUE_SCANNER, TITLED_NAME_SCANNER))
        self.cue_starts = [m.start() for m in self.cues]
        self.resolver = SpeakerResolver(table, article.text, titled_names)
        self.warnings = warnings
        self.first_line = first_line
        self._counted = (0, 0)  # (offset, line breaks before it) of the last warning
        self.drafts: list[_Draft] = []
        self.last_cue: str | None = None

    def warn(self, position: int, message: str) -> None:
        # Lines counted on from the last warning (warnings come in text order), not from the top each time.
        if position < self._counted[0]:
            self._counted = (0, 0)
        at, lines = self._counted
        lines += self.text.count("\n", at, position)
        self._counted = (position, lines)
        line = self.first_line + lines
        self.warnings.append(ExtractWarning(self.article.path or self.article.id, line, message))

    def run(self) -> list[_Draft]:
        text = self.text
        breaks = paragraph_break(text)
        units = layout_units(text, (self.article.path or "").endswith(".md"), breaks)
        quotes, segments = scan_quotes(text, units, self.warn)
        opens = [q.open for q in quotes]
        headlines = {u.start for u in units if u.kind == "headline"}
        cue_starts = self.cue_starts
        for s0, s1 in segments:
            local = quotes[bisect.bisect_left(opens, s0) : bisect.bisect_left(opens, s1)]
            is_headline = s0 in headlines
            if not (local or is_headline or bisect.bisect_left(cue_starts, s0) < bisect.bisect_left(cue_starts, s1)
                    or text.find(" put it", s0, s1) != -1):
                continue  # no quote, no cue: no sentence here can hold a statement
            sentences = [(s0, s1)] if is_headline else split_sentences(text, s0, s1, local, breaks)
            local_opens = [q.open for q in local]
            for a, b in _bounded(text, sentences, local):
                inside = local[bisect.bisect_left(local_opens, a) : bisect.bisect_left(local_opens, b)]
                self._sentence(a, b, inside, is_headline)
        for draft in self.drafts:
            if draft.speaker.is_role_only:
                draft.speaker = self.resolver.resolve_role_only(draft.speaker)
        return self.drafts

    # ---- per sentence --------------------------------------------------------------------
    def _sentence(self, s0: int, s1: int, quotes: list[Quote], is_headline: bool) -> None:
        text = self.text
        found: list[_Draft] = []
        blocked: list[tuple[int, int]] = []
        shared: tuple[Speaker, str] | None = None
        previous_close = s0
        for quote in quotes:
            prefix_start = max(s0, previous_close)
            previous_close = quote.close
            if not self._is_direct(quote, prefix_start, s1, is_headline):
                continue
            blocked.append((quote.open, quote.close))
            attribution = self._after_quote(quote, s1, is_headline) or self._before_quote(quote, prefix_start, is_headline)
            if attribution is not None:
                speaker, cue, span = attribution
                blocked.append(span)
                shared = (speaker, cue)
            elif shared is not None:
                speaker, cue = shared
            elif not text[prefix_start : quote.open].strip(" —–-\u00a0") and self.resolver.last_speaker is not None:
                speaker, cue = self.resolver.last_speaker, self.last_cue or "said"
            else:
                continue
            start, end = quote.start, quote.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1] in " \t\n\u00a0,":
                end -= 1
            if end - start < 2:
                continue
            found.append(_Draft(speaker, "direct", start, end, squash_quote(text, quote, start, end), (s0, s1), cue))
        if is_headline or found or self.cue_starts and bisect.bisect_left(self.cue_starts, s0) < bisect.bisect_left(
                self.cue_starts, s1) or text.find(" put it", s0, s1) != -1:
            found.extend(self._reported(s0, s1, blocked, is_headline))
        found.sort(key=lambda d: d.start)
        for draft in found:
            self.resolver.note_speaker(draft.speaker)
            self.last_cue = draft.cue
        self.drafts.extend(found)

    def _is_direct(self, quote: Quote, prefix_start: int, s1: int, is_headline: bool) -> bool:
        text = self.text
        if quote.open == quote.start:  # no opening mark: the quote was taken to start at its clause
            return True
        prefix = text[prefix_start : quote.open].rstrip(" \t\n\u00a0")
        initial = (
            not prefix.strip(" —–-")
            or prefix.endswith(":")
            or (prefix.endswith(",") and _CUE_SCANNER.search(prefix, max(0, len(prefix) - 90)) is not None)
            or _CUE_AT_END.search(prefix, max(0, len(prefix) - 20)) is not None  # the longest cue word has 12 letters
        )
        if not initial:
            return False
        last = text[quote.end - 1] if quote.end > quote.start else ""
        after = text[quote.close : s1].lstrip()
        return (last in ",.!?…—–-:;" or not after or after[0] in ",.;:!?—–-"
                or self._after_quote(quote, s1, is_headline) is not None)

    def _after_quote(self, quote: Quote, s1: int, is_headline: bool) -> tuple[Speaker, str, tuple[int, int]] | None:
        """'…," Kirby said' / '…," said Kirby' / '…," according to X'."""
        text = self.text
        window = text[quote.close : min(s1, quote.close + 160)]
        lead = len(window) - len(window.lstrip(" \t\n\u00a0,—–-"))
        cue = _CUE_ANY_CASE.search(window, lead) if is_headline else _CUE_SCANNER.search(window, lead)
        if cue is None or cue.lastgroup in ("noun", "particle"):
            return None
        phrase = window[lead : cue.start()].strip(" ,")
        if not phrase:
            speaker = self.resolver.at_start(window[cue.end() :], quote.close + cue.end())
            end = speaker.end if speaker else 0
        else:
            if len(phrase.split()) > 8:
                return None
            stripped = _strip_aux(phrase)
            speaker = self.resolver.at_end(stripped, quote.close + lead + (phrase.find(stripped[:1]) if stripped else 0),
                                           whole=True)
            end = quote.close + cue.end()
        if speaker is None:
            return None
        return speaker, cue.group().lower(), (quote.close, max(end, quote.close + cue.end()))

    def _before_quote(self, quote: Quote, prefix_start: int, is_headline: bool) -> tuple[Speaker, str, tuple[int, int]] | None:
        """'he said: "…' / 'said Kirby, "…' / 'according to X, "…' / 'as X put it, "…' / 'Zelensky: "…'."""
        text = self.text
        prefix = text[prefix_start : quote.open]
        body = prefix.rstrip(" \t\n\u00a0:,—–-")
        if not body:
            return None
        put = _AS_PUT.search(body) if "put it" in body else None
        if put is not None and not body[put.end() :].strip():
            speaker = self.resolver.at_end(put.group("speaker"), prefix_start + put.start("speaker"), whole=True)
            return (speaker, "as put it", (prefix_start + put.start(), quote.open)) if speaker else None
        cue = None
        for cue in (_CUE_ANY_CASE if is_headline else _CUE_SCANNER).finditer(body):  # noqa: B007 (the last one)
            pass
        if cue is not None and cue.lastgroup not in ("noun", "particle"):
            rest = body[cue.end() :]
            if cue.lastgroup == "according" or (rest.strip() and len(rest.split()) <= 8):
                speaker = self.resolver.at_start(rest, prefix_start + cue.end())
            elif not rest.strip():
                left = _strip_aux(body[: cue.start()])
                speaker = self.resolver.at_end(left, prefix_start)
            else:
                speaker = None
            if speaker is not None:
                return speaker, cue.group().lower(), (prefix_start + min(cue.start(), speaker.start - prefix_start), quote.open)
        if prefix.rstrip().endswith(":"):  # headline colon: 'Zelensky: "…"'
            speaker = self.resolver.at_end(body, prefix_start, whole=True)
            if speaker is not None:
                return speaker, ":", (prefix_start, quote.open)
        return None

    def _reported(self, s0: int, s1: int, blocked: list[tuple[int, int]], is_headline: bool) -> list[_Draft]:
        text = self.text
        drafts: list[_Draft] = []
        if is_headline:
            cues = list(_CUE_ANY_CASE.finditer(text, s0, s1))
        else:
            cues = self.cues[bisect.bisect_left(self.cue_starts, s0) : bisect.bisect_left(self.cue_starts, s1)]
        for cue in cues:
            if cue.end() > s1:
                continue
            c0 = cue.start()
            if any(a <= c0 < b for a, b in blocked):
                continue
            inherited = None
            if drafts and drafts[-1].start <= c0 < drafts[-1].end:
                previous = drafts[-1]
                coordination = _COORDINATED.search(text, max(previous.start, c0 - 80), c0)
                if coordination is None:
                    continue  # a parenthetical ("and, he hinted, retaliation") or nested cue
                previous.end = _trim_end(text, previous.start, coordination.start())
                previous.text = text[previous.start : previous.end]
                inherited = previous.speaker
            draft = self._one_cue(cue, s0, s1, blocked, inherited)
            if draft is not None:
                drafts.append(draft)
        put = _AS_PUT.search(text, s0, s1) if text.find(" put it", s0, s1) != -1 else None
        if put is not None and not any(a <= put.start() < b for a, b in blocked):
            speaker = self.resolver.at_end(put.group("speaker"), put.start("speaker"), whole=True)
            content = self._beside(s0, s1, put.start(), put.end())
            if speaker is not None and content is not None:
                drafts.append(self._draft(speaker, content, (s0, s1), "as put it"))
        if is_headline and not drafts and not blocked:
            colon = re.match(r"([^:]{2,60}):\s+", text[s0:s1])
            if colon is not None:
                speaker = self.resolver.at_end(colon.group(1), s0, whole=True)
                if speaker is not None and s0 + colon.end() < s1:
                    drafts.append(self._draft(speaker, (s0 + colon.end(), s1), (s0, s1), ":"))
        return [d for d in drafts if len(d.text.split()) >= 3]

    def _beside(self, s0: int, s1: int, a: int, b: int) -> tuple[int, int] | None:
        """The content on either side of an inserted attribution ('according to X, …' / '…, according to X')."""
        text = self.text
        before = text[s0:a].strip(" ,\u00a0")
        if len(before.split()) >= 3:
            return s0, _trim_end(text, s0, a)
        rest = b
        comma = text.find(",", b, s1)
        if comma != -1:
            rest = comma + 1
        while rest < s1 and text[rest].isspace():
            rest += 1
        return (rest, _trim_end(text, rest, s1)) if rest < s1 else None

    def _draft(self, speaker: Speaker, content: tuple[int, int], context: tuple[int, int], cue: str) -> _Draft:
        a, b = content
        return _Draft(speaker, "indirect", a, b, self.text[a:b], context, cue)

    def _one_cue(self, cue: re.Match[str], s0: int, s1: int, blocked: list[tuple[int, int]],
                 inherited: Speaker | None) -> _Draft | None:
        text = self.text
        c0, c1 = cue.span()
        kind = cue.lastgroup
        word = cue.group().split()[0].lower()
        if kind == "according":
            speaker = self.resolver.at_start(text[c1:s1], c1)
            if speaker is None:
                return None
            content = self._beside(s0, s1, c0, speaker.end)
            return self._draft(speaker, content, (s0, s1), "according to") if content else None
        left = text[s0:c0]
        if _PASSIVE.search(left, max(0, len(left) - 40)) or _FRAME.search(left, max(0, len(left) - 200)):
            return None
        left = _strip_aux(left)
        who = _WHO.search(left, max(0, len(left) - 12))
        if who is not None:
            left = left[: who.start()]
        speaker = None
        if left.rstrip().endswith(","):
            inverted = self.resolver.at_start(text[c1:s1], c1)
            if inverted is not None and not text[inverted.end : s1].strip(" .,\u00a0\n"):
                content = (s0, _trim_end(text, s0, s0 + len(left.rstrip()) - 1))
                return self._draft(inverted, content, (s0, s1), cue.group().lower())
            inner = left.rstrip()[:-1]
            cut = inner.rfind(",")
            if cut != -1:
                speaker = self.resolver.at_end(inner[:cut], s0)
        if speaker is None and left.strip():
            speaker = self.resolver.at_end(left, s0)
        if speaker is None:
            speaker = inherited
        if speaker is None:
            return None
        content = self._content_after(c1, s1, kind, word)
        if content is None:
            before = text[s0 : speaker.start].rstrip()
            if before.endswith(",") and len(before.split()) >= 3:
                content = (s0, _trim_end(text, s0, s0 + len(before) - 1))
            else:
                return None
        if any(a <= content[0] < b for a, b in blocked):
            return None  # the content is a direct quote, already a record
        label = cue.group().lower()
        if kind == "noun":
            label = label.rsplit(None, 1)[0]  # 'repeated earlier assertions', without 'that'
        return self._draft(speaker, content, (s0, s1), label)

    def _content_after(self, c1: int, s1: int, kind: str | None, word: str) -> tuple[int, int] | None:
        text = self.text
        after = text[c1:s1]
        if kind in ("noun", "particle"):
            start = c1
        else:
            that = _THAT_GAP.match(after)
            gap = that.group("gap").split() if that else []
            if that is not None and (not gap or gap[0].lower() in _GAP_STARTS or word in _OBJECT_CUES):
                start = c1 + that.end()
            elif after.lstrip().startswith(":"):
                start = c1 + after.index(":") + 1
            elif kind == "needs":
                return None
            else:
                first = after.split(None, 1)
                if not first or first[0].lower().strip(",") in _NOT_CONTENT or first[0][0] in ",.;":
                    return None
                start = c1
        while start < s1 and text[start].isspace():
            start += 1
        end = _trim_end(text, start, s1)
        return (start, end) if end > start else None


def _bounded(text: str, sentences: list[tuple[int, int]], quotes: list[Quote]) -> list[tuple[int, int]]:
    """The sentences, a run-on one (a page without punctuation) cut at spaces outside quotes.

    Real sentences are far shorter than `_LONGEST_SENTENCE`; the cut keeps the work per
    sentence bounded, so extraction stays linear in the length of the article.
    """
    if all(b - a <= _LONGEST_SENTENCE for a, b in sentences):
        return sentences
    opens = [q.open for q in quotes]
    out = []
    for a, b in sentences:
        while b - a > _LONGEST_SENTENCE:
            cut = text.rfind(" ", a + _LONGEST_SENTENCE // 2, a + _LONGEST_SENTENCE)
            i = bisect.bisect_right(opens, cut) - 1
            if i >= 0 and quotes[i].close > cut:  # never inside a quote: cut before or after it
                cut = quotes[i].open if quotes[i].open > a else quotes[i].close
            if cut <= a:
                cut = a + _LONGEST_SENTENCE
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out


def _strip_aux(text: str, window: int = 120) -> str:
    """`_AUX.sub('', text)`: auxiliaries and adverbs at the end ('Blinken has also'), searching only the tail."""
    if not text.rstrip().endswith(_AUX_LAST_WORDS):
        return text
    match = _AUX.search(text, max(0, len(text) - window))
    return text[: match.start()] if match else text


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRIM_END:
        end -= 1
    return end


def extract_statements(
    article: Article,
    *,
    target_id: str = codebook.TARGET_ID,
    actors: ActorTable | None = None,
    warnings: list[ExtractWarning] | None = None,
    first_line: int = 1,
) -> list[Statement]:
    """The article's statements, sorted by (start, id); malformed quotes add to `warnings`."""
    table = actors if actors is not None else load_actors()
    drafts = _Extractor(article, table, warnings if warnings is not None else [], first_line).run()
    out: dict[str, Statement] = {}
    for d in drafts:
        sid = statement_id(article.id, d.text)
        if sid in out:
            continue  # the same words again (a repeated headline): one record
        context = article.text[d.context[0] : d.context[1]]
        out[sid] = Statement(
            id=sid, article_id=article.id, speaker=d.speaker.name, text=d.text, context=context,
            start=d.start, end=d.end, quote_type=d.quote_type, target_id=target_id,
            speaker_role=d.speaker.role, speaker_affiliation=d.speaker.affiliation, cue=d.cue,
        )
    return sorted(out.values(), key=lambda s: (s.start, s.id))
