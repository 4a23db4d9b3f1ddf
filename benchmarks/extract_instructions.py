"""Instructions per article of `extract_statements` in two or more checkouts, counted by valgrind.

    python benchmarks/extract_instructions.py BASE NEW [--articles 300]

Time on a shared 2-core machine swings: the same checkout against itself gave pairs from 0.71x to
1.21x with other work running. callgrind's instruction count for the same binary and input does
not move (the same total twice, one core loaded or not) once the hash seed is fixed and the garbage
collector is off: with a random seed the same checkout counted 2.07M and 1.98M instructions per
article (set and dict orders change), and a collection moves with any edit. Each checkout runs the realistic corpus
(built by this checkout's extract_bench.py) under callgrind twice, each time after the same 50
warm-up articles: with N articles more and with none, so that the imports and what is compiled
on first use cancel; the difference over N is its instructions per article. Fewer instructions
is not always less time (a C or Rust loop does more per cycle than the interpreter), so quote
this beside `extract_compare.py`'s paired times, not instead of them. Needs valgrind (`apt
install valgrind`); ~50 s a checkout at 300 articles.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r'''
import gc, pickle, sys
from stancebench.corpus.actors import load_actors
from stancebench.corpus.extract import extract_statements
from stancebench.schema import Article
articles = [Article(id=r["id"], title=r["title"], text=r["text"]) for r in pickle.load(open(sys.argv[1], "rb"))]
table = load_actors()
warm = int(sys.argv[3])
gc.disable()  # a collection falls where allocations add up, so it moves with any edit: not the code's cost
for article in articles[: warm + int(sys.argv[2])]:  # the first `warm` compile what is compiled on first use
    extract_statements(article, actors=table)
'''


_WARM = 50  # articles both runs extract first (regexes and caches built on first use), not counted


def _instructions(root: Path, rows: Path, n: int) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD, str(rows), str(n),
         str(_WARM)],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root), "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"{root}: {done.stderr.strip()[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", type=Path, nargs="+", help="checkout roots; the first is the base")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("extract_instructions: valgrind is not installed")
    from extract_bench import build_realistic_corpus

    per_article = []
    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "corpus.pkl"
        articles = build_realistic_corpus(_WARM + args.articles, args.seed)
        rows.write_bytes(pickle.dumps([dict(id=a.id, title=a.title, text=a.text) for a in articles]))
        for root in args.roots:
            root = root.resolve()
            count = (_instructions(root, rows, args.articles) - _instructions(root, rows, 0)) / args.articles
            per_article.append(count)
            print(f"{root}: {count / 1e6:.3f} M instructions per article ({args.articles} realistic articles)")
    for root, count in zip(args.roots[1:], per_article[1:], strict=True):
        print(f"{args.roots[0]} / {root}: {per_article[0] / count:.3f}x the instructions (> 1: fewer in {root})")


if __name__ == "__main__":
    main()
