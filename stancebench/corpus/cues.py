"""Cues: the reporting verbs, nouns and phrases that attribute content to a source, and the
patterns that find where the content of a cue starts.

Kinds of cue (the `_CUE` group that matched):

- `free`: a verb whose content may follow directly ("warned the step was risky") or after
  "that"; `needs`: a verb whose content needs "that" or a colon ("added that …", "wrote on X: …");
  `object`: a verb before an object and an infinitive ("pressed Germany to …");
- `noun`: a verb and a noun ("repeated earlier assertions that …"); `particle`: a verb and a
  preposition ("asked for …", "called on …");
- `according`: "according to X"; `ing`: a participle after the main clause (", arguing that …",
  ", calling the move …"), whose source is the main clause's subject;
- `request`: a noun cue ("request to", "calls for", "demands that"), a statement only with a
  possessive source ("Ukraine's request to …", "his renewed calls for …").

Verbs followed by an object and an infinitive ("urged allies to …"), by an infinitive
("pledged to …") and by an object and its description ("called the move a mistake") have
their content found by `OBJECT_THEN_TO`, `INFINITIVE` and `DESCRIBED_OBJECT`.
"""

from __future__ import annotations

import re

from stancebench.corpus.scanning import WordScanner, word_trie

__all__ = ["ASKED", "BASE_FORMS", "CUE", "CUE_SCANNER", "CUE_ANY_CASE", "CUE_AT_END", "as_put_match"]

_FREE_WORDS = str.split(
    """said says say warned warns acknowledged acknowledges signaled signalled signals suggested suggests urged urges
    insisted insists argued argues stressed stresses claimed claims stated states declared declares vowed vows threatened
    threatens hinted hints indicated indicates cautioned cautions predicted predicts pledged pledges promised promises
    maintained maintains conceded concedes admitted admits confirmed confirms denied denies proposed proposes
    reiterated reiterates emphasised emphasized emphasises emphasizes underscored underscores clarified clarifies
    announced announces thanked hailed hails criticised criticized criticises criticizes condemned condemns rejected
    rejects dismissed demanded accused accuses welcomed welcomes asserted asserts affirmed affirms asked asks countered
    counters cited cites described describes branded brands dubbed called appealed contended contends"""
)
#: Present-tense plural forms: 'analysts warn that …', 'critics argue …' (after 'to' or a modal, no cue: see
#: `BASE_FORMS`).
_FREE_BASE_WORDS = str.split(
    """warn acknowledge signal suggest urge insist argue stress claim declare vow threaten hint indicate caution
    predict pledge promise maintain concede admit confirm deny propose reiterate emphasise emphasize underscore
    clarify announce criticise criticize condemn reject dismiss demand accuse welcome assert affirm counter contend"""
)
_NEEDS_THAT_WORDS = str.split(
    """added adds noted notes explained explains told tells wrote writes tweeted posted responded replied recalled
    observed remarked assured assures informed reminded repeated repeats reported reports"""
)
_NEEDS_THAT_BASE_WORDS = str.split("add note explain tell write respond reply recall observe remark assure inform remind repeat")
#: Verbs that are a cue only before an object and an infinitive: 'pressed Germany to …' (not 'pressed their offensive').
_OBJECT_VERBS = str.split("pressed presses press pushed pushes push encouraged encourages encourage")
#: Base forms: a cue only as a present tense ('officials insist …'), not after 'to' or a modal ('would respond').
BASE_FORMS = frozenset((*_FREE_BASE_WORDS, *_NEEDS_THAT_BASE_WORDS, "press", "push", "encourage"))
_FREE_WORDS += _FREE_BASE_WORDS
_NEEDS_THAT_WORDS += _NEEDS_THAT_BASE_WORDS
#: Participles that carry a cue after the main clause: ", arguing that …".
ING_WORDS = str.split(
    """arguing stating saying adding warning insisting noting stressing claiming calling describing accusing
    telling suggesting signalling signaling acknowledging admitting conceding demanding welcoming urging pressing
    pushing pledging vowing promising threatening asking citing"""
)
_NOUN_VERBS = str.split("repeated reiterated restated renewed echoed made issued")
_PARTICLE_VERBS = str.split("asked asks called calls pushed pushes appealed appeals pressed presses pleaded lobbied")
REQUEST_WORDS = str.split("request requests call calls demand demands appeal appeals plea pleas")
# Each list as a trie of literals (`sa(?:id|ys?)`): `re` tries alternatives one by one, so a trie of
# 150 words matches at a position ~5x faster than their plain alternation.
_FREE = word_trie(_FREE_WORDS)
_NEEDS_THAT = word_trie(_NEEDS_THAT_WORDS)
_ING = word_trie(ING_WORDS)
_CUE_BODY = (
    r"\b(?=[Aabcdehilmnoprstuvw])"  # cheap first-letter check: most positions fail here (2-3x faster search)
    rf"(?:(?P<noun>(?:{word_trie(_NOUN_VERBS)})"
    r"(?:\s+(?:his|her|their|its|the|earlier|previous|past|an?|several|new|fresh|repeated))*"
    r"\s+(?:assertions?|claims?|calls?|warnings?|demands?|requests?|appeals?|pledges?|promises?|statements?|threats?)"
    r"\s+(?:that|for))"
    r"|(?P<clear>made\s+(?:it\s+)?clear)"
    rf"|(?P<request>{word_trie(REQUEST_WORDS)}\s+(?:to|for|that)(?=\s))"
    rf"|(?P<particle>{word_trie(_PARTICLE_VERBS)}\s+(?:for|on))"
    r"|(?P<according>[Aa]ccording to)"
    rf"|(?P<ing>{_ING})"
    rf"|(?P<object>{word_trie(_OBJECT_VERBS)})(?=\s+(?:on\s+)?(?:[\w'’.-]+\s+){{1,5}}?(?:not\s+)?to\s)"
    rf"|(?P<free>{_FREE})|(?P<needs>{_NEEDS_THAT}))\b"
)
CUE = re.compile(_CUE_BODY)
CUE_FIRST_WORDS = {*_NOUN_VERBS, *_PARTICLE_VERBS, *_OBJECT_VERBS, "According", "according", *_FREE_WORDS, *_NEEDS_THAT_WORDS,
                   *ING_WORDS, *REQUEST_WORDS}
#: `CUE.finditer` over a whole article, ~3x faster (see stancebench.corpus.scanning).
CUE_SCANNER = WordScanner(CUE, CUE_FIRST_WORDS)
CUE_AT_END = re.compile(rf"\b(?:{_FREE}|{_NEEDS_THAT}|{_ING}|made\s+(?:it\s+)?clear)$")
#: The words a `CUE_AT_END` match ends with (a text ending otherwise needs no search).
CUE_LAST_WORDS = (*_FREE_WORDS, *_NEEDS_THAT_WORDS, *ING_WORDS, "clear")
#: Headlines are often in title case ("Blinken Signals …").
CUE_ANY_CASE = WordScanner(re.compile(_CUE_BODY, re.IGNORECASE), CUE_FIRST_WORDS)

_AS_PUT_REST = (
    r"\s*(?P<speaker>[^,.;:“”\"]{2,60}?)\s+(?:(?:has\s+|had\s+)?(?:put|puts)\s+it|(?:has\s+|had\s+)?"
    r"(?:reported|said|noted|stated|wrote|announced|reports|says|notes|writes|explained|explains|argued|argues"
    r"|warned|warns|stressed|stresses|emphasi[sz]ed|recalled|acknowledged|confirmed))\b"
)
#: "as X put it", "as X reported": the content is the rest of the sentence.
AS_PUT = re.compile(r"\b[Aa]s\s" + _AS_PUT_REST)
#: `AS_PUT` where 'as' (or either case) and a space start it, for a search: the literal first lets `re` skip ahead,
#: and the look-behind after it stands for the `\b` before it ('has' and 'was' hold no 'as').
AS_PUT_LOWER, AS_PUT_ANY = (re.compile(word + r" (?<!\w" + word + " )" + _AS_PUT_REST) for word in ("as", "[Aa]s"))
#: What every `AS_PUT` match holds: white space, then 'put(s)' or one of its other verbs as a word ('has'/'had' before
#: the verb is followed by white space too).
_AS_PUT_VERB = re.compile(r"\s(?:" + word_trie(str.split(
    """put puts reported said noted stated wrote announced reports says notes writes explained explains argued argues
    warned warns stressed stresses emphasised emphasized recalled acknowledged confirmed""")) + r")\b")


def as_put_match(text: str, start: int, end: int) -> re.Match[str] | None:
    """`AS_PUT` at the first 'as ' in [start, end) that starts a word where it matches, else at the first such 'As '."""
    # A match holds a reporting verb after white space: a text with none (most with an 'as') needs no search of
    # `AS_PUT`, whose lazy speaker tries up to 60 lengths at each 'as' (~10x this search).
    if _AS_PUT_VERB.search(text, start, end) is None:
        return None
    # One search of either case finds none in most sentences; an 'As' first still gives way to a later 'as'.
    put = AS_PUT_ANY.search(text, start, end)
    if put is not None and text[put.start()] == "A":
        put = AS_PUT_LOWER.search(text, put.start() + 1, end) or put
    return put

#: "This was stated by X …" after the statement's own sentence.
STATED_BY = re.compile(
    r"(?:This|That|It|These words|The statement)\s+(?:was|were|has been)\s+(?P<cue>stated|said|announced|declared"
    r"|written|reported|emphasised|emphasized|noted)\s+by\s+"
)
#: Cues whose content may follow an object and "to": "urged allies to …", "asked Kyiv not to …".
OBJECT_CUES = frozenset(str.split(
    """told tells telling assured assures informed reminded asked asks asking warned warns warning urged urges urging
    pressed presses press pressing pushed pushes push pushing encouraged encourages encourage appealed"""
))
OBJECT_THEN_TO = re.compile(
    r"\s+(?:on\s+|to\s+)?(?!(?:of|about|against|for|over|in|at|with|that|from|by|ahead|forward|back|into|through|home)\s)(?:[\w'’.-]+\s+){1,5}?"
    r"(?P<content>(?:not\s+)?)to\s+(?=\w)"
)
#: Cues whose content is an infinitive: "pledged to …", "has vowed not to …".
INFINITIVE_CUES = frozenset(str.split(
    "pledged pledges pledging vowed vows vowing promised promises promising threatened threatens threatening"
))
INFINITIVE = re.compile(r"\s+(?P<content>(?:not\s+)?)to\s+(?=\w)")
#: Cues followed by an object and what it is called: "called the move a mistake", "calling Warsaw “a partner”".
DESCRIBING_CUES = frozenset(str.split(
    "called calls calling described describes describing branded brands branding dubbed labelled labeled termed"
))
_DETERMINERS = "the|this|that|these|those|his|her|their|its|our|such|any|a|an"
DESCRIBED_OBJECT = re.compile(
    r"\s+(?:(?:it|them|this|that|him|her)\s+|(?:(?:" + _DETERMINERS + r")\s+)?(?:[\w’'-]+[’']s?\s+)?[\w-]+\s+(?=\S))"
)
#: A possessive source before a noun cue: "Ukraine's", "Kyiv's renewed", "his repeated", "the senators'".
POSSESSIVE_SOURCE = re.compile(
    # A plural keeps its s ("the senators'" are senators); "Ukraine's" is Ukraine.
    r"(?:\b(?P<pronoun>[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)|(?P<owner>[^\s,.;:“”\"]+?(?:(?=['’]s)|s(?=['’])))['’]s?)"
    r"(?:\s+(?:renewed|repeated|latest|new|fresh|urgent|formal|earlier|continued|growing|public|many|own))*\s+$"
)
#: Where the content of a noun cue ends: its sentence's main verb ("… has won backing").
NOUN_CONTENT_END = re.compile(
    r"\s(?:has|have|had|is|are|was|were|will|would|could|can|may|might|drew|draws|go|goes|went|came|comes|won"
    r"|remains|remained|got|gets|met|meets|has been)\s"
)
#: Adjuncts after a cue that are not its content: "said Monday, as …", "said privately, because …".
ADJUNCT_WORDS = frozenset(str.split(
    """monday tuesday wednesday thursday friday saturday sunday yesterday today tonight earlier later again
    january february march april may june july august september october november december"""
))
#: A clause that opens with a journalist's question is no content: "When asked whether …, X responded".
ASKED = re.compile(r"(?:When\s+|After\s+being\s+|Once\s+)?(?:asked|questioned|pressed)\b", re.IGNORECASE)
#: A journalist's question is not the statement of the person asked about.
QUESTION = re.compile(
    r"\b(?:asked|asking|questioned|wondered|wondering)\b[^.;]{0,120}?\b(?:whether|if)\b[^,.;]*$", re.IGNORECASE
)
