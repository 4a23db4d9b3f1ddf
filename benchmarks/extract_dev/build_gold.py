"""Build gold.jsonl and traps.jsonl from gold_src.txt, checking them against the articles.

    python benchmarks/extract_dev/build_gold.py          # rebuild + check
    python benchmarks/extract_dev/build_gold.py --check  # check only (no writing)

Checks: every article file has front matter with `fictional: true`, 150-600 words of body;
every `content_start` / `text_start` occurs in its article (after normalising whitespace and
quote marks), gold records come in article order, and no gold statement starts inside a trap.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
QUOTES = str.maketrans({c: '"' for c in "“”„«»″"} | {c: "'" for c in "‘’‚‹›′`"})


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip().lower()


def body_of(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    end = text.index("\n---\n", 3)
    meta = dict(line.split(":", 1) for line in text[4:end].splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in meta.items()}, text[end + 5 :]


def norm_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, per normalised character, its offset in `text`."""
    out, where, prev_space = [], [], False
    for i, ch in enumerate(text.translate(QUOTES)):
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


def trap_end(text: str, start: int) -> int:
    """A trap covers its sentence: from its start to the next sentence end or line break."""
    match = _SENTENCE_END.search(text, start + 1)
    return match.end() if match else len(text)


def parse(src: Path):
    gold, traps, problems = [], [], []
    article = None
    for lineno, raw in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            article = line[1:].strip()
            continue
        if article is None:
            problems.append(f"{src.name}:{lineno}: record before any '@ file' line")
            continue
        if line.startswith("!"):
            parts = [p.strip() for p in line[1:].split(" | ")]
            if len(parts) != 2:
                problems.append(f"{src.name}:{lineno}: trap needs 'text_start | why'")
                continue
            traps.append({"article": article, "text_start": parts[0], "why": parts[1], "_line": lineno})
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 4 or parts[1] not in ("direct", "indirect"):
            problems.append(f"{src.name}:{lineno}: need 'speaker | direct|indirect | content_start | construction'")
            continue
        gold.append({"article": article, "speaker": parts[0], "quote_type": parts[1],
                     "content_start": parts[2], "construction": parts[3], "_line": lineno})
    return gold, traps, problems


def check(gold, traps, problems):
    texts, raws = {}, {}
    for path in sorted(ARTICLES.iterdir()):
        meta, body = body_of(path)
        if meta.get("fictional") != "true":
            problems.append(f"{path.name}: front matter lacks 'fictional: true'")
        for key in ("title", "outlet", "date", "url"):
            if not meta.get(key):
                problems.append(f"{path.name}: front matter lacks {key}")
        if not re.search(r"example\.(org|com)", meta.get("url", "")):
            problems.append(f"{path.name}: url not on example.org/example.com")
        words = len(body.split())
        if not 150 <= words <= 600:
            problems.append(f"{path.name}: {words} words (want 150-600)")
        texts[path.name] = norm_with_map(body)
        raws[path.name] = body
    last_pos: dict[str, int] = {}
    trap_ranges: dict[str, list[tuple[int, int, str]]] = {}
    for t in traps:
        if t["article"] not in texts:
            problems.append(f"gold_src.txt:{t['_line']}: no article {t['article']}")
            continue
        (ntext, where), raw = texts[t["article"]], raws[t["article"]]
        pos = ntext.find(norm(t["text_start"]))
        if pos < 0:
            problems.append(f"gold_src.txt:{t['_line']}: trap text not found: {t['text_start']!r}")
            continue
        start = where[pos]
        trap_ranges.setdefault(t["article"], []).append((start, trap_end(raw, start), t["text_start"]))
    for g in gold:
        if g["article"] not in texts:
            problems.append(f"gold_src.txt:{g['_line']}: no article {g['article']}")
            continue
        ntext, where = texts[g["article"]]
        needle = norm(g["content_start"])
        pos = ntext.find(needle, last_pos.get(g["article"], -1) + 1)
        if pos < 0:
            found = "at all" if ntext.find(needle) < 0 else "after the previous record (order?)"
            problems.append(f"gold_src.txt:{g['_line']}: content_start not found {found}: {g['content_start']!r}")
            continue
        last_pos[g["article"]] = pos
        for a, b, trap in trap_ranges.get(g["article"], []):
            if a <= where[pos] < b:
                problems.append(f"gold_src.txt:{g['_line']}: gold statement inside trap {trap!r}")
        n = len(g["content_start"].split())
        if n < 3 or n > 9:
            problems.append(f"gold_src.txt:{g['_line']}: content_start has {n} words")
    return problems


def main() -> int:
    gold, traps, problems = parse(HERE / "gold_src.txt")
    problems = check(gold, traps, problems)
    for p in problems:
        print(p)
    if "--check" not in sys.argv:
        with open(HERE / "gold.jsonl", "w", encoding="utf-8") as out:
            for g in gold:
                out.write(json.dumps({k: v for k, v in g.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
        with open(HERE / "traps.jsonl", "w", encoding="utf-8") as out:
            for t in traps:
                out.write(json.dumps({k: v for k, v in t.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
    arts = len(list(ARTICLES.iterdir()))
    print(f"{arts} articles, {len(gold)} gold statements, {len(traps)} traps, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
