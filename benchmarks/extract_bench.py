"""Statement extraction throughput (one core) against a quote regex, linear time, and re-runs.

Corpora: the seed copied N times (`seed`), and two that recombine the paragraphs of the seed and
of the hand-made test articles, with speaker names swapped among actor-table and unknown names:

- dense: 6-14 such paragraphs per article, about one statement per 180 characters. This is
  a stress test: nearly every paragraph is quoted or reported speech.
- realistic: the same statement paragraphs mixed with background paragraphs that attribute
  nothing (built from the sentences in `BACKGROUND`), about one statement per 700
  characters, as in ordinary news reports (roughly one per 500-1,000 characters).

For each corpus the script prints `extract_statements` MB/s per CPU second (process time, so
other load on the machine counts less), the MB/s of the comparator ("limit": a quote regex and
an "X said" regex, the core of what any extractor must scan) from the same run, and their ratio.

    python benchmarks/extract_bench.py [--corpus seed|dense|realistic|all] [--articles 10000]
        [--copies 5000] [--seed 0] [--linear] [--files [--jobs N]] [--rerun]

--linear times 1 MB and 10 MB of text that once made extraction quadratic and prints the ratio
(10 for linear time). --files also writes the corpus to a temporary seeds/ folder and times
`extract_corpus` end to end (reading, extraction, merge, atomic write), in one process and in
--jobs processes (default: the number of cores). --rerun times a second `extract_corpus` into
the statements file the first one wrote (all statements unchanged) against the fresh run.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

from stancebench.corpus.actors import load_actors
from stancebench.corpus.extract import extract_corpus, extract_statements
from stancebench.schema import Article

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "seeds" / "000_8c75088e5995e160.txt", *sorted((ROOT / "tests" / "data" / "articles").glob("*.txt"))]
NAMES = ["Antony Blinken", "Olaf Scholz", "Jake Sullivan", "Rishi Sunak", "Dmytro Kuleba", "Anna Novak", "Ivan Petrov",
         "Maria Zakharova", "Sergei Lavrov", "Jane Doe", "Emmanuel Macron", "Volodymyr Zelensky"]
SWAPS = ["Antony Blinken", "John Kirby", "David Cameron", "Emmanuel Macron", "Jens Stoltenberg", "Vladimir Putin"]


#: Background sentences with no attribution, for the realistic corpus's narrative paragraphs.
BACKGROUND = [
    "The war has now entered its third year, and the front line has barely moved since the autumn.",
    "Russian forces have pressed their offensive near Kharkiv, the country's second-largest city, since early May.",
    "Ukraine's air defences remain stretched, with Patriot batteries moved between cities as attacks intensify.",
    "Western governments have supplied Kyiv with tanks, artillery, air-defence systems and long-range missiles.",
    "The package approved in April included roughly $61 billion in military and economic assistance.",
    "Long-range weapons such as ATACMS have so far been used only against targets in occupied territory.",
    "The border region of Belgorod has come under repeated shelling in recent weeks.",
    "Analysts at the Institute for the Study of War have tracked a build-up of troops across the frontier.",
    "Prices for energy and grain rose sharply in the first months of the conflict.",
    "The foreign ministers met in Prague for two days of talks ahead of the summit in Washington.",
    "Officials from more than 30 countries attended the meeting at a hotel on the edge of the city.",
    "The alliance will mark its 75th anniversary at the July summit.",
    "Hundreds of civilians have been evacuated from villages along the northern border since the spring.",
    "A drone attack overnight damaged an energy facility in the Kharkiv region, cutting power to thousands of homes.",
    "The Pentagon's latest assistance package is worth about $275 million.",
    "Satellite images published on Thursday show new fortifications along a stretch of the Dnipro river.",
    "The talks came a week after a similar meeting in Brussels ended without agreement.",
    "Ukraine has received fewer shells than it needs, and production in Europe is still ramping up.",
    "The debate has divided allies for months, with some capitals more cautious than others.",
    "Germany has so far declined to send its Taurus cruise missiles.",
    "The visit was his fourth to the country since the full-scale invasion began in February 2022.",
    "Troops on both sides have dug into trenches that stretch for hundreds of miles.",
    "The city's metro stations have again become shelters during the nightly air-raid alerts.",
    "Congress approved the aid after months of delay.",
    "The missiles have a range of about 300 kilometres, far enough to reach airfields inside Russia.",
    "Footage circulated online showed smoke rising over an oil depot near the border.",
    "Fighting also continued around Chasiv Yar and Avdiivka in the east.",
    "Britain and France have already supplied Storm Shadow and SCALP cruise missiles.",
    "The European Union agreed in May to use the profits from frozen Russian assets to buy weapons.",
    "Negotiations over a ceasefire have stalled since the spring of 2022.",
    "The summit in Switzerland next month is expected to draw delegations from about 90 countries.",
    "Air-raid sirens sounded across the capital for nearly three hours on Friday morning.",
]


def _paragraphs() -> list[str]:
    paragraphs = []
    for path in SOURCES:
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        paragraphs.extend(blocks[1:])
    return paragraphs


def _swap_names(text: str, rng: random.Random) -> str:
    for old in SWAPS:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, rng.choice(NAMES))
    return text


def build_corpus(n: int, seed: int) -> list[Article]:
    """The dense corpus: n synthetic articles of 6-14 statement paragraphs each."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    articles = []
    for i in range(n):
        body = rng.sample(paragraphs, rng.randint(6, min(14, len(paragraphs))))
        text = _swap_names("\n\n".join(body), rng)
        title = f"{rng.choice(NAMES).split()[-1]} signals shift on strike limits"
        articles.append(Article(id=f"synthetic_{i:05d}", title=title, text=f"{title}\n\n{text}\n"))
    return articles


def build_realistic_corpus(n: int, seed: int) -> list[Article]:
    """The realistic corpus: 3-8 statement paragraphs among 1.5-3 times as many background paragraphs."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    articles = []
    for i in range(n):
        quoted = rng.sample(paragraphs, rng.randint(3, 8))
        background = [" ".join(rng.sample(BACKGROUND, rng.randint(2, 4)))
                      for _ in range(round(len(quoted) * rng.uniform(1.5, 3.0)))]
        body = quoted + background
        rng.shuffle(body)
        text = _swap_names("\n\n".join(body), rng)
        title = f"{rng.choice(NAMES).split()[-1]} signals shift on strike limits"
        articles.append(Article(id=f"news_{i:05d}", title=title, text=f"{title}\n\n{text}\n"))
    return articles


def build_seed_corpus(n: int, seed: int) -> list[Article]:
    """The seed article, n times (ids differ)."""
    text = SOURCES[0].read_text(encoding="utf-8")
    title = text.split("\n", 1)[0]
    return [Article(id=f"seed_{i:05d}", title=title, text=text) for i in range(n)]


CORPORA = {"seed": build_seed_corpus, "dense": build_corpus, "realistic": build_realistic_corpus}

#: The comparator: a quote-pair regex and an "X said" regex over every article (what any extractor scans).
_QUOTE_PAIR = re.compile(r"[\"“]([^\"“”\n]{1,600})[\"”]")
_SAID = re.compile(r"\b([A-Z]\w+(?: [A-Z]\w+)?) (?:said|says|told|added|warned)\b")


def _regex_limit(articles: list[Article]) -> int:
    found = 0
    for article in articles:
        found += len(_QUOTE_PAIR.findall(article.text)) + len(_SAID.findall(article.text))
    return found


def _cpu(function, *args) -> tuple[float, object]:
    started = time.process_time()
    result = function(*args)
    return time.process_time() - started, result


def time_extraction(name: str, articles: list[Article]) -> None:
    """Print the corpus size, extract_statements MB/s per CPU second, the regex limit's, and the ratio."""
    megabytes = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    table = load_actors()
    extract_statements(articles[0], actors=table)  # warm up (regex compilation)
    limit_cpu, _ = _cpu(_regex_limit, articles)
    cpu, statements = _cpu(lambda: sum(len(extract_statements(a, actors=table)) for a in articles))
    print(f"{name} corpus: {len(articles):,} articles, {megabytes:.1f} MB, {statements:,} statements "
          f"(one per {megabytes * 1e6 / max(statements, 1):,.0f} bytes)")
    print(f"  extract_statements: {cpu:.2f} s CPU, {len(articles) / cpu:,.0f} articles/s, "
          f"{megabytes / cpu:.1f} MB/s | limit (quote + 'X said' regex): {megabytes / limit_cpu:.1f} MB/s | "
          f"ratio {cpu / limit_cpu:.1f}x the limit's time")


#: Pieces of text that once made extraction quadratic (caption words, cues or quotes in one run-on sentence).
_PATHOLOGICAL = ["photo\n\n", '"a," he said. ', "'a' ", "the minister said it was so, ", 'Minister John Smith said "x']


def time_linear() -> None:
    """Print the CPU time of 1 MB and 10 MB of each piece, and their ratio (10 when linear)."""
    table = load_actors()
    for piece in _PATHOLOGICAL:
        times = []
        for size in (1_000_000, 10_000_000):
            article = Article(id="big", title="big", text=piece * (size // len(piece)))
            times.append(_cpu(lambda a=article: extract_statements(a, actors=table, warnings=[]))[0])
        print(f"  linear time, {piece!r}: 1 MB {times[0]:.2f} s, 10 MB {times[1]:.2f} s CPU, "
              f"ratio {times[1] / max(times[0], 1e-9):.1f} (10 = linear)")


def time_corpus(articles: list[Article], jobs: int = 1, rerun: bool = False) -> None:
    """Print extract_corpus throughput end to end through files on disk (one process, then --jobs; wall time)."""
    from types import SimpleNamespace

    megabytes = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        for article in articles:
            (seeds / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        output = Path(tmp) / "statements.jsonl"
        project = SimpleNamespace(root=Path(tmp), seeds_dir=seeds, statements_path=output, target_id="bench")
        runs = [(1, False), (jobs, False)] if jobs > 1 else [(1, False)]
        if rerun:
            runs.append((jobs, True))
        fresh = None
        for n, is_rerun in runs:
            if not is_rerun and output.exists():
                output.unlink()
            started = time.perf_counter()
            result = extract_corpus(project, jobs=n)
            elapsed = time.perf_counter() - started
            label = f"re-run into the existing {len(result.statements):,}-statement file" if is_rerun else "fresh"
            print(f"  extract_corpus --jobs {n}, {label}: {elapsed:.2f} s wall, {megabytes / elapsed:.1f} MB/s "
                  f"({result.summary()})")
            if is_rerun and fresh is not None:
                print(f"  re-run / fresh (--jobs {n}): {elapsed / fresh:.2f}x the time")
            if n == jobs and not is_rerun:
                fresh = elapsed


def main() -> None:
    try:
        from stancebench.corpus.distributed import default_jobs
    except ImportError:  # an older stancebench, for before/after figures
        import os

        def default_jobs() -> int:
            return os.cpu_count() or 1

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=[*CORPORA, "all", "both", "none"], default="all")
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the dense and realistic corpora")
    parser.add_argument("--copies", type=int, default=5_000, help="copies of the seed in the seed corpus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--linear", action="store_true", help="also time 1 MB against 10 MB of pathological text")
    parser.add_argument("--files", action="store_true", help="also time extract_corpus through files on disk")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="with --files: processes (default: cores)")
    parser.add_argument("--rerun", action="store_true", help="with --files: time a re-run into the written file")
    args = parser.parse_args()
    for name, build in CORPORA.items():
        if args.corpus not in (name, "all") and not (args.corpus == "both" and name != "seed"):
            continue
        articles = build(args.copies if name == "seed" else args.articles, args.seed)
        time_extraction(name, articles)
        if args.files:
            time_corpus(articles, args.jobs, args.rerun)
    if args.linear:
        time_linear()


if __name__ == "__main__":
    main()
