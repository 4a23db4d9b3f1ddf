"""Article -> Statement: find who says what in one article (quotes, cues, speakers).

A statement (PARC-style) is a source, a cue and content in one sentence:

- direct: the content is a pair of quotation marks standing as its own clause, attributed by a
  cue after it ("…," Kirby said / "…," said Kirby), before it (he said: "…" / according to X, "…"),
  a headline colon (Zelensky: "…"), another quote's cue in the same sentence, or, for a quote-only
  sentence, the previous statement's speaker. Every pair of marks is its own record.
- indirect: a cue with its speaker and reported content, found by `stancebench.corpus.reported`
  ("X said (that) …", "X warned …", "officials acknowledged … but said …" = two records,
  "has been urging allies to …", "pledged to …", "called the move …", "…, arguing that …",
  "Ukraine's request to …", "according to X", "as X put it", "…, X said Monday, as …",
  "This was stated by X"); a quote that is only a fragment of the sentence ("would 'cross a red
  line'", "…, she said, 'including on Russian soil'") stays inside the indirect record, whose
  text starts at the reported content.
- not statements: agentless passives ("it was said"), cues with no content, non-speech verbs,
  photo captions, bylines, date stamps, boilerplate, journalists' questions ("When asked whether
  X had said …") and reporters' framing ("It is the first time an official has indicated …").

Layout is decided per article (`layout.paragraph_break`): a line break ends a paragraph on web
text, a blank line in hard-wrapped text. Terminal control characters are blanked first (same
length, so spans still index the article's text).

Speakers are canonical names from the actor table; a capital or country standing for its
government resolves to the government ("Kyiv" -> Ukraine, "the U.S." -> United States). A
headline that restates another in different words ("Blinken Signals U.S. May Allow …" under
"Blinken signals US may let …") is its own record.

Identical records in one article (a headline repeated word for word) collapse to one, because
the statement id is derived from the article id and the normalised text.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from stancebench import codebook
from stancebench.corpus import cues as c
from stancebench.corpus.actors import ActorTable, load_actors
from stancebench.corpus.layout import layout_units, paragraph_break
from stancebench.corpus.quotes import (
    MARK_CHARACTERS,
    OTHER_SENTENCE_MARKS,
    Quote,
    quote_marks,
    scan_quotes,
    split_sentences,
    squash_quote,
)
from stancebench.corpus.reported import Draft, ReportedSpeech, strip_aux
from stancebench.corpus.scanned_cues import SEPARATORS, first_cue_after
from stancebench.corpus.scanning import scan_and_locate
from stancebench.corpus.sentence_spans import LONGEST_SENTENCE, bounded, outside
from stancebench.corpus.speaker_words import OBJECT_PRONOUNS, POSSESSIVE_PRONOUNS, TITLE_WORDS, is_name_word
from stancebench.corpus.speakers import TITLED_NAME_SCANNER, Speaker, SpeakerResolver
from stancebench.corpus.statement_text import (
    CONTROL_CHARACTERS,
    normalise_statement_text,
    screen_safe,
    statement_id,
)
from stancebench.schema import Article, Statement

__all__ = [
    "ExtractWarning",
    "extract_statements",
    "normalise_statement_text",
    "screen_safe",
    "statement_id",
]


_START = operator.attrgetter("start")
_START_AND_ID = operator.attrgetter("start", "id")
#: 'His answer was shorter: "…"', 'Her message to allies was clear: "…"' (a possessive pronoun and what was said).
_THEIR_ANSWER = re.compile(r"\b(?P<pronoun>[Hh]is|[Hh]er|[Tt]heir)\s+(?:answer|response|reply|message|verdict|words|advice|"
                           r"view|position|warning|argument)\b[^:;.“”\"]{0,40}$")
_QUOTED_AS = re.compile(r"\bquoted\s+(him|her|them)\s+as$")
#: What opens an aside between a source and its cue after a quote: ", an official, who spoke on condition of anonymity, said".
_ASIDE_STARTS = ("who ", "whose ", "speaking ", "talking ", "briefing ", "writing ", "asked ")
_SCANNERS = (c.CUE_SCANNER, TITLED_NAME_SCANNER)
_LITERALS = (*MARK_CHARACTERS, (" put it",), OTHER_SENTENCE_MARKS, CONTROL_CHARACTERS)
#: Where or how something was said, between a cue and its colon: 'wrote on X:', 'said in a statement:'.
_PLACE = re.compile(r"\s+(?:on|in|at|during|via|through)\s+[^,;“”\"]{1,60}$")
#: 'put it bluntly in a Bundestag debate' before a colon quote.
_PUT_IT = re.compile(r"\s+(?:has\s+|had\s+)?puts?\s+it(?:\s+\w+ly|\s+this\s+way)?"
                     r"(?:\s+(?:on|in|at|during|to|before)\s+[^,;“”\"]{1,80})?$")


@dataclass(frozen=True, slots=True)
class ExtractWarning:
    """A problem in one article that did not stop extraction (`path:line: message`)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


# ---- one article ---------------------------------------------------------------------------
class _Extractor:
    def __init__(self, article: Article, table: ActorTable, warnings: list[ExtractWarning], first_line: int) -> None:
        self.article = article
        # One search of the body for cues and titled names; each sentence takes its slice of the cues.
        # Cue words and titles follow a space or a line break in running text ('so-called' is no cue).
        # The same pass finds the quotation marks, each ' put it' (see `run`), whether a sentence mark but the full
        # stop occurs, and any terminal control character: a text with one is screened (`screen_safe`) and searched
        # again; most have none, and no pass of their own.
        self.text = article.text
        (cues, titled_names), (doubles, singles, self.puts, others, controls) = scan_and_locate(
            self.text, _SCANNERS, SEPARATORS, _LITERALS)
        if controls:
            self.text = screen_safe(article.text)
            (cues, titled_names), (doubles, singles, self.puts, others, _) = scan_and_locate(
                self.text, _SCANNERS, SEPARATORS, _LITERALS)
        self.marks = quote_marks(self.text, (doubles, singles))
        self.dots_only = not others
        self.resolver = SpeakerResolver(table, self.text, titled_names)
        self.reported = ReportedSpeech(self.text, self.resolver, cues)
        self.cues, self.cue_starts = cues, None  # (where each starts: when a quote's attribution after it is looked for)
        self.warnings = warnings
        self.first_line = first_line
        self._counted = (0, 0)  # (offset, line breaks before it) of the last warning
        self.drafts: list[Draft] = []
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

    def run(self) -> list[Draft]:
        text = self.text
        breaks = paragraph_break(text)
        # Where something may be attributed: a cue or an 'as X put it'. Segments and their sentences come in
        # text order, so each takes its share of the quotes, cues and 'put it's by moving pointers on.
        cue_starts = self.reported.cue_starts
        puts = self.puts
        marks = sorted((*cue_starts, *puts)) if puts else cue_starts
        # A paragraph holding no quotation mark, cue or ' put it' holds no statement (the loop below skips its
        # segment): the layout leaves such paragraphs out, most of a news report, without looking at them.
        doubles, singles = self.marks
        units = layout_units(text, (self.article.path or "").endswith(".md"), breaks,
                             sorted((*doubles, *singles, *marks)))
        quotes, segments = scan_quotes(text, units, self.warn, (doubles, singles))
        opens = [q.open for q in quotes]
        headlines = {u.start for u in units if u.kind == "headline"}
        n_quotes, n_marks, n_cues, n_puts = len(quotes), len(marks), len(cue_starts), len(puts)
        find = self.reported.find
        q = m = c = p = 0
        for s0, s1 in segments:
            while q < n_quotes and opens[q] < s0:
                q += 1
            first = q
            while q < n_quotes and opens[q] < s1:
                q += 1
            while m < n_marks and marks[m] < s0:
                m += 1
            is_headline = s0 in headlines
            if first == q and not is_headline and (m == n_marks or marks[m] >= s1):
                continue  # no quote, no cue: no sentence here can hold a statement
            local = quotes[first:q]
            sentences = [(s0, s1)] if is_headline else split_sentences(text, s0, s1, local, breaks, self.dots_only)
            if s1 - s0 > LONGEST_SENTENCE:  # a run-on sentence (or a '#' heading) is cut; no shorter one can be
                sentences = bounded(text, sentences, local)
            previous = None
            i = first
            for a, b in sentences:
                while i < q and opens[i] < a:
                    i += 1
                j = i
                while j < q and opens[j] < b:
                    j += 1
                while c < n_cues and cue_starts[c] < a:
                    c += 1
                while p < n_puts and puts[p] < a:
                    p += 1
                # A quote, a cue starting in the sentence, or ' put it' wholly inside it.
                cued = (c < n_cues and cue_starts[c] < b) or (p < n_puts and puts[p] + 7 <= b)
                if i < j:
                    self._sentence(a, b, quotes[i:j], is_headline, previous, cued)
                elif is_headline or cued:  # no quote: only reported speech (most sentences that hold a statement)
                    found = find(a, b, [], is_headline, previous)
                    if found:
                        self._emit(found)
                previous = (a, b)
                i = j
        for draft in self.drafts:
            if draft.speaker.is_role_only:
                draft.speaker = self.resolver.resolve_role_only(draft.speaker)
        return self.drafts

    # ---- per sentence --------------------------------------------------------------------
    def _sentence(self, s0: int, s1: int, quotes: list[Quote], is_headline: bool,
                  previous: tuple[int, int] | None, cued: bool) -> None:
        """`cued`: whether a cue starts in the sentence or ' put it' lies in it (what `run` knows already)."""
        text = self.text
        found: list[Draft] = []
        blocked: list[tuple[int, int]] = []
        shared: tuple[Speaker, str] | None = None
        previous_close = s0
        for quote in quotes:
            prefix_start = max(s0, previous_close)
            previous_close = quote.close
            direct = self._is_direct(quote, prefix_start, s1, is_headline)
            if direct is False or self._continues_content(s0, quote, blocked):
                continue
            blocked.append((quote.open, quote.close))
            # (`_is_direct` hands on the attribution after the quote when it had to find it: not looked for twice)
            attribution = direct if direct is not True else (
                self._after_quote(quote, s1, is_headline) or self._before_quote(quote, prefix_start, is_headline, s0))
            if attribution is not None:
                speaker, cue, span = attribution
                blocked.append(span)
                shared = (speaker, cue)
            elif shared is not None:
                speaker, cue = shared
            elif not text[prefix_start : quote.open].strip(" —–-\u00a0") and self.resolver.last_speaker is not None:
                speaker, cue = self.resolver.last_speaker._replace(source="previous"), self.last_cue or "said"
            else:
                continue
            start, end = quote.start, quote.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1] in " \t\n\u00a0,":
                end -= 1
            if end - start < 2:
                continue
            found.append(Draft(speaker, "direct", start, end, squash_quote(text, quote, start, end), (s0, s1), cue))
        if is_headline or found or cued:
            found.extend(self.reported.find(s0, s1, blocked, is_headline, previous,
                                            found[-1].speaker if found else None))
        if found:
            self._emit(found)

    def _emit(self, found: list[Draft]) -> None:
        """Keep a sentence's drafts, in text order; its last one's speaker and cue are what a later quote may take."""
        found.sort(key=_START)
        last = found[-1]  # (each draft was the last one in turn: only the very last counts)
        self.resolver.note_speaker(last.speaker, (last.start, last.end))
        self.last_cue = last.cue
        self.drafts.extend(found)

    def _continues_content(self, s0: int, quote: Quote, blocked: list[tuple[int, int]]) -> bool:
        """'Ukraine has the right …, she said, "including on Russian soil"': a quote after a cue that
        itself follows reported content continues that (mixed) statement; it is no direct record."""
        text = self.text
        prefix = text[s0 : quote.open].rstrip()
        if not prefix.endswith(","):
            return False
        cue = None
        for cue in c.CUE_SCANNER.finditer(prefix, max(0, len(prefix) - 60)):  # noqa: B007 (the last one)
            pass
        if cue is None:
            return False
        comma = prefix.rfind(",", 0, cue.start())
        if comma == -1 or len(prefix[comma + 1 : cue.start()].split()) > 4 or c.ASKED.match(prefix.lstrip()):
            return False  # ('When asked whether …, he replied, "…"': a question, no content before the quote)
        head_end = s0 + comma
        words = sum(len(text[a:b].split()) for a, b in outside(s0, head_end, blocked))
        return words >= 3

    def _is_direct(self, quote: Quote, prefix_start: int, s1: int,
                   is_headline: bool) -> bool | tuple[Speaker, str, tuple[int, int]]:
        """Whether the quote stands as its own clause: False, True, or (direct by it) the attribution after it."""
        text = self.text
        if quote.open == quote.start:  # no opening mark: the quote was taken to start at its clause
            return True
        prefix = text[prefix_start : quote.open].rstrip(" \t\n\u00a0")
        initial = (
            not prefix.strip(" —–-")
            or prefix.endswith(":")
            or (prefix.endswith(",") and c.CUE_SCANNER.search(prefix, max(0, len(prefix) - 90)) is not None)
            # The longest cue word has 12 letters; `$` matches before a final line break too.
            or ((prefix.endswith(c.CUE_LAST_WORDS) or prefix.endswith("\n"))
                and c.CUE_AT_END.search(prefix, max(0, len(prefix) - 20)) is not None)
        )
        if not initial:
            return False
        last = text[quote.end - 1] if quote.end > quote.start else ""
        after = text[quote.close : s1].lstrip()
        if last in ",.!?…—–-:;" or not after or after[0] in ",.;:!?—–-":
            return True
        return self._after_quote(quote, s1, is_headline) or False

    def _after_quote(self, quote: Quote, s1: int, is_headline: bool) -> tuple[Speaker, str, tuple[int, int]] | None:
        """'…," Kirby said' / '…," said Kirby' / '…," according to X'."""
        text = self.text
        window = text[quote.close : min(s1, quote.close + 160)]
        lead = len(window) - len(window.lstrip(" \t\n\u00a0,—–-"))
        if is_headline:
            cue, offset = c.CUE_ANY_CASE.search(window, lead), 0
        else:  # (the article's scan has the cue, mostly: `first_cue_after` says when)
            if self.cue_starts is None:
                same = len(self.cues) == len(self.reported.cues)  # (none left out: the same list)
                self.cue_starts = self.reported.cue_starts if same else [m.start() for m in self.cues]
            cue, offset = first_cue_after(text, window, quote.close, lead, self.cues, self.cue_starts)
        if cue is None or cue.lastgroup in ("noun", "particle"):
            return None
        c0, c1 = cue.start() - offset, cue.end() - offset  # (in the window)
        phrase = window[lead:c0].strip(" ,")
        comma = phrase.find(", ")
        if comma != -1 and phrase[comma + 2 :].startswith(_ASIDE_STARTS):  # '…," an official, who spoke on …, said'
            phrase = phrase[:comma]
        if not phrase:
            speaker = self.resolver.at_start(window[c1:], quote.close + c1)
            end = speaker.end if speaker else 0
        else:
            if len(phrase.split()) > 8:
                return None
            quoted = _QUOTED_AS.search(phrase)  # '…," TASS quoted him as saying': him
            if quoted is not None:
                phrase = OBJECT_PRONOUNS[quoted.group(1)]
            stripped = strip_aux(phrase.removesuffix(" went on to").removesuffix(" goes on to"))  # ('…," Peskov went on to say')
            at = quote.close + lead + (phrase.find(stripped[:1]) if stripped else 0)
            speaker = self.resolver.at_end(stripped, at, whole=True)
            if speaker is None and " " not in stripped and stripped.isalpha() and is_name_word(stripped) \
                    and stripped.lower() not in TITLE_WORDS:
                # '…," Sandu said': a surname right before the cue is its source, even one the article did not name
                speaker = Speaker(stripped, None, None, "person", at, at + len(stripped))
            end = quote.close + c1
        if speaker is None:
            return None
        return speaker, cue.group().lower(), (quote.close, max(end, quote.close + c1))

    def _before_quote(self, quote: Quote, prefix_start: int, is_headline: bool,
                      s0: int) -> tuple[Speaker, str, tuple[int, int]] | None:
        """'he said: "…' / 'said Kirby, "…' / 'according to X, "…' / 'as X put it, "…' / 'Zelensky: "…'."""
        text = self.text
        prefix = text[prefix_start : quote.open]
        body = prefix.rstrip(" \t\n\u00a0:,—–-")
        if not body:
            return None
        put = c.AS_PUT.search(body) if "put it" in body else None
        if put is not None and (not body[put.end() :].strip() or _PLACE.match(body, put.end())):
            speaker = self.resolver.at_end(put.group("speaker"), prefix_start + put.start("speaker"), whole=True)
            # (the span from the source on: the content before 'as X put it' is a statement of its own)
            return (speaker, "as put it", (prefix_start + put.start("speaker"), quote.open)) if speaker else None
        if "put it" in body and (put := _PUT_IT.search(body)) is not None:  # 'Brugger put it bluntly in a debate: "…'
            speaker = self.resolver.at_end_of_clause(body[: put.start()], prefix_start)
            return (speaker, "put it", (prefix_start + put.start(), quote.open)) if speaker else None
        cue = None
        for cue in (c.CUE_ANY_CASE if is_headline else c.CUE_SCANNER).finditer(body):  # noqa: B007 (the last one)
            pass
        if cue is not None and cue.lastgroup not in ("noun", "particle"):
            rest = body[cue.end() :]
            if _PLACE.match(rest):  # 'wrote on X: "…', 'said in a statement: "…'
                rest = ""
            if cue.lastgroup == "according" or (rest.strip() and len(rest.split()) <= 8):
                speaker = self.resolver.at_start(rest, prefix_start + cue.end())
                if speaker is None and cue.lastgroup != "according" and body[: cue.start()].strip():
                    # 'Peskov told reporters: "…', 'Kuleba said at a briefing in Kyiv: "…': no source after the cue
                    speaker = self.resolver.at_end_of_clause(strip_aux(body[: cue.start()]), prefix_start)
            elif not rest.strip():
                left = strip_aux(body[: cue.start()])
                speaker = self.resolver.at_end_of_clause(left, prefix_start)
                if speaker is None and cue.lastgroup == "ing":  # 'Scholz said …, adding: "…"': the main clause's subject
                    speaker = self.reported.subject(s0, prefix_start + cue.start())
                    if speaker is not None:
                        return speaker, cue.group().lower(), (prefix_start + cue.start(), quote.open)
            else:
                speaker = None
            if speaker is not None:
                return speaker, cue.group().lower(), (prefix_start + min(cue.start(), speaker.start - prefix_start), quote.open)
        if prefix.rstrip().endswith(":") and (answer := _THEIR_ANSWER.search(body)) is not None:
            # 'His answer was shorter: "…"': the one whose answer it is
            pronoun = POSSESSIVE_PRONOUNS[answer.group("pronoun").lower()]
            speaker = self.resolver.at_end(pronoun, prefix_start + answer.start())
            if speaker is not None:
                return speaker, "answer", (prefix_start + answer.start(), quote.open)
        if prefix.rstrip().endswith(":"):  # headline colon: 'Zelensky: "…"'
            speaker = self.resolver.at_end(body, prefix_start, whole=True)
            if speaker is not None:
                return speaker, ":", (prefix_start, quote.open)
        return None


def extract_statements(
    article: Article,
    *,
    target_id: str = codebook.TARGET_ID,
    actors: ActorTable | None = None,
    warnings: list[ExtractWarning] | None = None,
    first_line: int = 1,
    source_file: str | None = None,
) -> list[Statement]:
    """The article's statements, sorted by (start, id); malformed quotes add to `warnings`.

    With `source_file` (the file in the seeds folder), each statement records it with the article's record
    key and URL as its provenance (what `extract` stores); without it, none.
    """
    record, url = (article.record, article.url) if source_file is not None else (None, None)
    table = actors if actors is not None else load_actors()
    extractor = _Extractor(article, table, warnings if warnings is not None else [], first_line)
    drafts = extractor.run()
    out: dict[str, Statement] = {}
    for d in drafts:
        sid = statement_id(article.id, d.text)
        if sid in out:
            continue  # the same words again (a repeated headline): one record
        context = extractor.text[d.context[0] : d.context[1]]
        speaker = d.speaker
        # Every field by position, in the order of `Statement`'s fields (a test pins each one): keywords cost ~1 us
        # a statement in the dataclass's generated __init__, 2% of extraction.
        out[sid] = Statement(
            sid, article.id, speaker.name, d.text, context, d.start, d.end, d.quote_type, target_id,
            speaker.role, speaker.affiliation, d.cue, False, speaker.source, source_file, record, url,
        )
    return sorted(out.values(), key=_START_AND_ID)
