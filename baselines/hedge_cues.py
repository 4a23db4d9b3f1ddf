"""Baseline: a transparent rule model over cue lexicons (support / oppose / hedge).

The lexicons live in `hedge_cues.json` beside this file, so they can be read and edited
without touching code. Each cue phrase found in the statement adds its weight to its class;
a support or oppose cue with a negator shortly before it ("not", "never", "n't", ...) counts
for the other side. The class with the highest score wins; with no cue at all, or a tie, the
model falls back to the training set's most frequent label.

    stancebench eval --model baselines/hedge_cues.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

STANCE_LABELS = ("support", "oppose", "hedge")
#: Printed under the leaderboard by `stancebench baselines`.
CAVEAT = """The lexicon's authors had read the seed article the gold statements come from. Lexicon 1.1
dropped every clause copied from those statements (1.0 had 36 verbatim matches, some whole clauses such as
"neither encouraged nor enabled"); the 17 cues that still occur in them are generic ("under consideration",
"red line", "right to", the issue's own examples). Read its scores as optimistic for a rule model: nothing is
fitted but the fallback label, so cross-validation does not correct for the authors' reading."""
LEXICON_PATH = Path(__file__).with_name("hedge_cues.json")
_WORD = re.compile(r"[\w'’-]+")
_SWAP = {"support": "oppose", "oppose": "support", "hedge": "hedge"}


def _load_lexicon(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    cues: list[tuple[str, str, float]] = []
    for label, entries in data["cues"].items():
        if label not in STANCE_LABELS:
            raise ValueError(f"{path}: unknown class {label!r} in cues")
        for entry in entries:
            if isinstance(entry, str):
                cues.append((entry.lower(), label, 1.0))
            else:
                cues.append((entry["phrase"].lower(), label, float(entry.get("weight", 1))))
    return {
        "cues": cues,
        "negators": {n.lower() for n in data.get("negators", [])},
        "window": int(data.get("negation_window", 3)),
        "version": data.get("version", "unversioned"),
    }


class HedgeCues:
    """Scores cue phrases per class, with negation, and takes the best class."""

    def __init__(self, lexicon_path: str | None = None, use_context: bool = False) -> None:
        self.lexicon_path = lexicon_path
        self.use_context = use_context

    def _compile(self) -> None:
        lexicon = _load_lexicon(Path(self.lexicon_path) if self.lexicon_path else LEXICON_PATH)
        # Longest phrases first, so "do not encourage" wins over "not" and "encourage".
        cues = sorted(lexicon["cues"], key=lambda cue: -len(cue[0]))
        self._weights = {phrase: (label, weight) for phrase, label, weight in cues}
        alternation = "|".join(re.escape(phrase).replace("'", "['’]") for phrase, _, _ in cues)
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
        self._negators = lexicon["negators"]
        self._window = lexicon["window"]
        self.lexicon_version_ = lexicon["version"]

    def fit(self, examples: Sequence[dict], labels: Sequence[str]) -> HedgeCues:
        """Only the fallback label is learnt: the most frequent training label."""
        self._compile()
        counts = Counter(labels)
        self.fallback_ = max(STANCE_LABELS, key=lambda label: (counts[label], -STANCE_LABELS.index(label)))
        return self

    def scores(self, text: str) -> dict[str, float]:
        """Cue score per class for one text."""
        if not hasattr(self, "_pattern"):
            self._compile()
        totals = dict.fromkeys(STANCE_LABELS, 0.0)
        previous_end = 0
        for match in self._pattern.finditer(text):
            phrase = match.group(0).lower().replace("’", "'")
            label, weight = self._weights[phrase]
            # Words inside an earlier cue ("do not encourage nor ...") negate nothing after it,
            # and a cue that carries its own negation ("not be used") is never flipped.
            before = _WORD.findall(text[previous_end : match.start()].lower().replace("’", "'"))[-self._window :]
            is_negated = not self._is_negation(phrase.split()) and self._is_negation(before)
            totals[_SWAP[label] if is_negated else label] += weight
            previous_end = match.end()
        return totals

    def _is_negation(self, words: Sequence[str]) -> bool:
        return any(word in self._negators or word.endswith("n't") for word in words)

    def predict(self, examples: Sequence[dict]) -> list[str]:
        """Best-scoring class per example; the fallback label when no cue decides."""
        fallback = getattr(self, "fallback_", "hedge")
        out = []
        for example in examples:
            text = example["text"]
            if self.use_context and example.get("context"):
                text = f"{text} {example['context']}"
            totals = self.scores(text)
            best = max(totals.values())
            winners = [label for label in STANCE_LABELS if totals[label] == best]
            out.append(winners[0] if best > 0 and len(winners) == 1 else fallback)
        return out

    def get_params(self) -> dict:
        """Parameters, for the eval report."""
        return {"lexicon_path": self.lexicon_path or str(LEXICON_PATH.name), "use_context": self.use_context}


def model() -> HedgeCues:
    """Factory that `stancebench eval --model baselines/hedge_cues.py` calls."""
    return HedgeCues()
