"""Extraction quality on the hand-made development set (benchmarks/extract_dev/).

    PYTHONPATH=. python benchmarks/extract_quality.py [--json] [--misses] [--dev DIR]

Reads every article in DIR/articles with the package's reader, extracts its statements, and
matches each gold record of DIR/gold.jsonl to at most one predicted statement of the same
article: the prediction's text must start with the gold `content_start`, or contain it within
its first 60 characters, after normalising whitespace, quotation marks and case (a prediction of
three words or more that is itself a prefix of `content_start`, i.e. cut short, also counts). Matching is
greedy and one-to-one over all (gold, prediction) candidate pairs, best pairs first (a prefix
match beats a containment match; then the prediction nearest the gold position wins).

Prints recall (all / direct / indirect), precision, F1, speaker accuracy and quote-type
accuracy among the matched pairs, recall per construction and per article style, and the
traps (deliberate non-statements, DIR/traps.jsonl) that were extracted anyway. `--misses`
also lists every missed gold record and every unmatched prediction. Always exits 0 unless the
dev set itself cannot be read. Stdlib + the package only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from stancebench.corpus.articles import read_article
from stancebench.corpus.statements import extract_statements

DEV = Path(__file__).resolve().parent / "extract_dev"
WINDOW = 60  # how far into a prediction the gold content_start may begin

_QUOTE_MARKS = "\"'“”„«»″‘’‚‹›′`"
_DROP_QUOTES = str.maketrans("", "", _QUOTE_MARKS)
_EDGE = " \t\n.,;:—–-()[]"
_INSTITUTION_WORDS = frozenset(str.split(
    """officials leaders diplomats lawmakers ministry department office house council union government
    kremlin pentagon nato administration partners embassy agency committee parliament duma army forces
    dispatch news post times herald wire"""
))


def norm_text(text: str) -> str:
    """Case-, whitespace- and quote-mark-insensitive form (apostrophes dropped on both sides)."""
    text = re.sub(r"\s+", " ", text.translate(_DROP_QUOTES)).strip(_EDGE)
    return text.lower()


_LEADING = re.compile(r"^(?:(?:the|a|an|some|several|two|three|four)\s+)+")


def norm_speaker(name: str | None) -> str:
    """Case, accents, punctuation and a leading article/number word do not count."""
    name = unicodedata.normalize("NFKD", name or "")
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = re.sub(r"['’]s\b", "", name)  # possessive: "Rishi Sunak's office" -> "Rishi Sunak office"
    name = re.sub(r"[^\w\s.-]", " ", name.translate(_DROP_QUOTES))
    name = re.sub(r"\s+", " ", name).strip(_EDGE).lower()
    return _LEADING.sub("", name)


def looks_like_person(name: str) -> bool:
    words = name.split()
    return (
        1 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not any(w.lower().strip(".") in _INSTITUTION_WORDS for w in words)
    )


def same_speaker(gold: str, predicted: str | None) -> bool:
    g, p = norm_speaker(gold), norm_speaker(predicted)
    if not p:
        return False
    if g == p:
        return True
    if looks_like_person(gold):
        return g.split()[-1] == p.split()[-1]
    return False


# --- reading ---------------------------------------------------------------------------------

def _front_matter(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text:
        return {}
    block = text[4 : text.index("\n---\n", 3)]
    meta = {}
    for line in block.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip()
    return meta


def _as_article(result):
    """`read_article` returns an Article, or in some layouts a tuple holding one."""
    if isinstance(result, tuple):
        for item in result:
            if hasattr(item, "text"):
                return item
    return result


def _as_statements(result) -> list:
    if isinstance(result, tuple):  # (statements, warnings) in some layouts
        result = next((item for item in result if isinstance(item, list)), result[0])
    return list(result)


def _load_jsonl(path: Path) -> list[dict]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise SystemExit(f"{path}:{lineno}: not JSON ({err.msg})") from None
    return rows


def _norm_with_map(text: str) -> tuple[str, list[int]]:
    """norm_text without the edge strip, plus each output character's offset in `text`."""
    out, where, prev_space = [], [], False
    for i, ch in enumerate(text):
        if ch in _QUOTE_MARKS:
            continue
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        out.append(ch.lower())
        where.append(i)
    return "".join(out), where


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s|$)|\n")


def _trap_end(text: str, start: int) -> int:
    match = _SENTENCE_END.search(text, start + 1)
    return match.end() if match else len(text)


# --- scoring ---------------------------------------------------------------------------------

def evaluate(dev: Path) -> dict:
    t0 = time.perf_counter()
    gold = _load_jsonl(dev / "gold.jsonl")
    traps = _load_jsonl(dev / "traps.jsonl") if (dev / "traps.jsonl").is_file() else []
    paths = sorted(p for p in (dev / "articles").iterdir() if p.suffix in (".txt", ".md"))
    articles, preds, styles = {}, {}, {}
    for path in paths:
        article = _as_article(read_article(path))
        articles[path.name] = article
        preds[path.name] = _as_statements(extract_statements(article))
        styles[path.name] = _front_matter(path).get("style", "unspecified")
    missing = sorted({g["article"] for g in gold} - set(articles))
    if missing:
        raise SystemExit(f"{dev / 'gold.jsonl'}: gold names articles that are not there: {', '.join(missing)}")

    # Where each gold content_start sits in its article (searched in article order).
    gold_pos: list[int] = []
    cursor: dict[str, int] = {}
    normed = {name: _norm_with_map(a.text) for name, a in articles.items()}
    for g in gold:
        ntext, where = normed[g["article"]]
        needle = norm_text(g["content_start"])
        pos = ntext.find(needle, cursor.get(g["article"], -1) + 1)
        if pos < 0:
            pos = ntext.find(needle)
        if pos >= 0:
            cursor[g["article"]] = pos
        gold_pos.append(where[pos] if pos >= 0 else -1)

    # Candidate pairs, then greedy one-to-one assignment (best pairs first).
    pairs = []
    pred_norm = {name: [norm_text(s.text) for s in ps] for name, ps in preds.items()}
    for gi, g in enumerate(gold):
        needle = norm_text(g["content_start"])
        for pi, ptext in enumerate(pred_norm[g["article"]]):
            idx = ptext.find(needle)
            if idx < 0 and len(ptext.split()) >= 3 and needle.startswith(ptext):
                idx = 0  # a prediction cut short inside the gold opening words still starts right
            if idx < 0 or idx > WINDOW:
                continue
            distance = abs(preds[g["article"]][pi].start - gold_pos[gi]) if gold_pos[gi] >= 0 else 10**9
            pairs.append((0 if idx == 0 else 1, distance, gi, pi))
    pairs.sort()
    gold_match: dict[int, int] = {}
    used: set[tuple[str, int]] = set()
    for _, _, gi, pi in pairs:
        key = (gold[gi]["article"], pi)
        if gi in gold_match or key in used:
            continue
        gold_match[gi] = pi
        used.add(key)

    def recall(indices: list[int]) -> dict:
        hit = sum(1 for i in indices if i in gold_match)
        return {"matched": hit, "total": len(indices), "recall": hit / len(indices) if indices else None}

    all_idx = list(range(len(gold)))
    n_pred = sum(len(ps) for ps in preds.values())
    matched = len(gold_match)
    precision = matched / n_pred if n_pred else 0.0
    rec = matched / len(gold) if gold else 0.0
    f1 = 2 * precision * rec / (precision + rec) if precision + rec else 0.0
    speaker_ok = [gi for gi, pi in gold_match.items()
                  if same_speaker(gold[gi]["speaker"], preds[gold[gi]["article"]][pi].speaker)]
    type_ok = [gi for gi, pi in gold_match.items()
               if preds[gold[gi]["article"]][pi].quote_type == gold[gi]["quote_type"]]

    by_construction: dict[str, list[int]] = defaultdict(list)
    by_style: dict[str, list[int]] = defaultdict(list)
    for gi, g in enumerate(gold):
        by_construction[g["construction"]].append(gi)
        by_style[styles[g["article"]]].append(gi)

    violations = []
    for t in traps:
        ntext, where = normed[t["article"]]
        pos = ntext.find(norm_text(t["text_start"]))
        if pos < 0:
            continue
        a = where[pos]
        b = _trap_end(articles[t["article"]].text, a)
        hits = [s for s in preds[t["article"]] if a <= s.start < b]
        if hits:
            violations.append({"article": t["article"], "text_start": t["text_start"], "why": t.get("why", ""),
                               "extracted": [h.text[:70] for h in hits]})

    missed = [{"article": gold[gi]["article"], "speaker": gold[gi]["speaker"], "quote_type": gold[gi]["quote_type"],
               "construction": gold[gi]["construction"], "content_start": gold[gi]["content_start"]}
              for gi in all_idx if gi not in gold_match]
    unmatched = [{"article": name, "speaker": s.speaker, "quote_type": s.quote_type, "text_start": s.text[:70]}
                 for name, ps in preds.items() for pi, s in enumerate(ps) if (name, pi) not in used]
    wrong_speaker = [{"article": gold[gi]["article"], "gold": gold[gi]["speaker"],
                      "predicted": preds[gold[gi]["article"]][pi].speaker, "content_start": gold[gi]["content_start"]}
                     for gi, pi in gold_match.items() if gi not in set(speaker_ok)]
    return {
        "articles": len(articles),
        "gold": len(gold),
        "predicted": n_pred,
        "matched": matched,
        "recall": recall(all_idx),
        "recall_direct": recall([i for i in all_idx if gold[i]["quote_type"] == "direct"]),
        "recall_indirect": recall([i for i in all_idx if gold[i]["quote_type"] == "indirect"]),
        "precision": precision,
        "f1": f1,
        "speaker_accuracy": len(speaker_ok) / matched if matched else None,
        "quote_type_accuracy": len(type_ok) / matched if matched else None,
        "per_construction": {k: recall(v) for k, v in sorted(by_construction.items())},
        "per_style": {k: recall(v) for k, v in sorted(by_style.items())},
        "traps": len(traps),
        "trap_violations": violations,
        "missed": missed,
        "unmatched_predictions": unmatched,
        "wrong_speaker": wrong_speaker,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _pct(x) -> str:
    return "   -" if x is None else f"{100 * x:5.1f}%"


def print_table(r: dict, misses: bool) -> None:
    print(f"extract_dev: {r['articles']} articles, {r['gold']} gold statements, {r['predicted']} predicted, "
          f"{r['matched']} matched ({r['seconds']:.2f} s)")
    rows = [
        ("recall (all)", r["recall"]),
        ("recall (direct)", r["recall_direct"]),
        ("recall (indirect)", r["recall_indirect"]),
    ]
    for name, rc in rows:
        print(f"  {name:<22} {_pct(rc['recall'])}  ({rc['matched']}/{rc['total']})")
    print(f"  {'precision':<22} {_pct(r['precision'])}  ({r['matched']}/{r['predicted']})")
    print(f"  {'F1':<22} {_pct(r['f1'])}")
    print(f"  {'speaker accuracy':<22} {_pct(r['speaker_accuracy'])}  (of matched)")
    print(f"  {'quote-type accuracy':<22} {_pct(r['quote_type_accuracy'])}  (of matched)")
    print(f"  {'trap violations':<22} {len(r['trap_violations'])} of {r['traps']} traps")
    print("\nrecall per construction")
    for name, rc in r["per_construction"].items():
        print(f"  {name:<22} {_pct(rc['recall'])}  ({rc['matched']}/{rc['total']})")
    print("\nrecall per article style")
    for name, rc in r["per_style"].items():
        print(f"  {name:<22} {_pct(rc['recall'])}  ({rc['matched']}/{rc['total']})")
    if r["trap_violations"]:
        print("\ntraps extracted")
        for v in r["trap_violations"]:
            print(f"  {v['article']}: {v['text_start']!r} ({v['why']}) -> {v['extracted'][0]!r}")
    if misses:
        print(f"\nmissed gold ({len(r['missed'])})")
        for m in r["missed"]:
            print(f"  {m['article']}: [{m['construction']}, {m['quote_type']}] {m['speaker']}: {m['content_start']!r}")
        print(f"\nunmatched predictions ({len(r['unmatched_predictions'])})")
        for u in r["unmatched_predictions"]:
            print(f"  {u['article']}: [{u['quote_type']}] {u['speaker']}: {u['text_start']!r}")
        print(f"\nwrong speaker among matched ({len(r['wrong_speaker'])})")
        for w in r["wrong_speaker"]:
            print(f"  {w['article']}: gold {w['gold']!r}, predicted {w['predicted']!r}: {w['content_start']!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--misses", action="store_true", help="list missed gold and unmatched predictions")
    parser.add_argument("--dev", type=Path, default=DEV, help="the dev-set folder (articles/, gold.jsonl)")
    args = parser.parse_args(argv)
    report = evaluate(args.dev)
    if args.json:
        if not args.misses:
            for key in ("missed", "unmatched_predictions", "wrong_speaker"):
                report.pop(key)
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        try:
            print_table(report, args.misses)
        except BrokenPipeError:  # `| head`
            sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
