"""Statement extraction throughput on a synthetic corpus (one core).

Builds N articles (default 10,000) by recombining the paragraphs of the seed and of the
hand-made test articles, with speaker names swapped among actor-table and unknown names,
then times `extract_statements` over all of them and reports articles/s and MB/s.

    python benchmarks/extract_bench.py [--articles 10000] [--seed 0] [--files]

--files also writes the corpus to a temporary seeds/ folder and times `extract_corpus` end to
end (reading, extraction, merge, atomic write).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from stancebench.actors import load_actors
from stancebench.corpus import extract_corpus, extract_statements
from stancebench.schema import Article

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "seeds" / "000_8c75088e5995e160.txt", *sorted((ROOT / "tests" / "data" / "articles").glob("*.txt"))]
NAMES = ["Antony Blinken", "Olaf Scholz", "Jake Sullivan", "Rishi Sunak", "Dmytro Kuleba", "Anna Novak", "Ivan Petrov",
         "Maria Zakharova", "Sergei Lavrov", "Jane Doe", "Emmanuel Macron", "Volodymyr Zelensky"]
SWAPS = ["Antony Blinken", "John Kirby", "David Cameron", "Emmanuel Macron", "Jens Stoltenberg", "Vladimir Putin"]


def build_corpus(n: int, seed: int) -> list[Article]:
    """n synthetic articles of 6-14 paragraphs each."""
    rng = random.Random(seed)
    paragraphs = []
    for path in SOURCES:
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        paragraphs.extend(blocks[1:])
    articles = []
    for i in range(n):
        body = rng.sample(paragraphs, rng.randint(6, min(14, len(paragraphs))))
        text = "\n\n".join(body)
        for old in SWAPS:
            if old in text and rng.random() < 0.5:
                text = text.replace(old, rng.choice(NAMES))
        title = f"{rng.choice(NAMES).split()[-1]} signals shift on strike limits"
        articles.append(Article(id=f"synthetic_{i:05d}", title=title, text=f"{title}\n\n{text}\n"))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--files", action="store_true", help="also time extract_corpus through files on disk")
    args = parser.parse_args()
    articles = build_corpus(args.articles, args.seed)
    megabytes = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    table = load_actors()
    extract_statements(articles[0], actors=table)  # warm up (regex compilation)
    started, cpu_started = time.perf_counter(), time.process_time()
    statements = 0
    for article in articles:
        statements += len(extract_statements(article, actors=table))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"corpus: {len(articles):,} articles, {megabytes:.1f} MB, {statements:,} statements")
    print(f"extract_statements: {elapsed:.2f} s wall, {cpu:.2f} s CPU; "
          f"{len(articles) / cpu:,.0f} articles/s, {megabytes / cpu:.1f} MB/s per CPU second")
    if args.files:
        from types import SimpleNamespace

        with tempfile.TemporaryDirectory() as tmp:
            seeds = Path(tmp) / "seeds"
            seeds.mkdir()
            for article in articles:
                (seeds / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
            project = SimpleNamespace(root=Path(tmp), seeds_dir=seeds, statements_path=Path(tmp) / "statements.jsonl",
                                      target_id="bench")
            started = time.perf_counter()
            result = extract_corpus(project)
            elapsed = time.perf_counter() - started
            print(f"extract_corpus (read + extract + merge + write): {elapsed:.2f} s, "
                  f"{len(articles) / elapsed:,.0f} articles/s, {megabytes / elapsed:.1f} MB/s ({result.summary()})")


if __name__ == "__main__":
    main()
