"""Extraction speed of two checkouts side by side: alternating subprocesses, CPU time, the median ratio.

    python benchmarks/extract_compare.py BASE NEW [--rounds 5] [--corpus realistic|seed|dense] [--end-to-end]

BASE and NEW are checkout roots (a `git worktree add --detach /tmp/base <commit>` gives one; 0.1.0's
layout, commit 9af33bb, works as BASE for the default line). NEW's extract_bench.py builds the corpus. Each
round runs one process per side, A B then B A, alternately (the order biased a pair); absolute times
on a shared machine drift, so only the ratio of a pair means much, and the line printed is the median
of the pairs (> 1: NEW is faster).

- default: `extract_statements` over the corpus `extract_bench.py` builds (3,000 articles; the seed
  corpus 1,000 copies), MB per CPU second, best of 3 passes in each process.
- --end-to-end: `extract_corpus --jobs 1` over that corpus written to a seeds folder (reading,
  extraction, near-duplicates, merge, atomic write), CPU seconds: a first pass with the imports, as a
  user's `stancebench extract` pays them, and a second one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

EXTRACT = r'''
import dataclasses, pickle, sys, time
try:
    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.extract import extract_statements
    from stancebench.schema import Article
except ImportError:  # 0.1.0's layout
    from stancebench.actors import load_actors
    from stancebench.articles import Article
    from stancebench.statements import extract_statements
fields = {f.name for f in dataclasses.fields(Article)}
articles = [Article(**{k: v for k, v in row.items() if k in fields}) for row in pickle.load(open(sys.argv[1], "rb"))]
megabytes = sum(len(a.text.encode()) for a in articles) / 1e6
table = load_actors()
extract_statements(articles[0], actors=table)
best = float("inf")
for _ in range(3):
    started = time.process_time()
    for article in articles:
        extract_statements(article, actors=table)
    best = min(best, time.process_time() - started)
print(megabytes / best)
'''

END_TO_END = r'''
import sys, tempfile, time, shutil
started = time.process_time()
from pathlib import Path
from types import SimpleNamespace
from stancebench.corpus.extract import extract_corpus
seeds, folder = Path(sys.argv[1]), Path(tempfile.mkdtemp())
output = folder / "statements.jsonl"
project = SimpleNamespace(root=folder, seeds_dir=seeds, statements_path=output, target_id="bench")
times = []
for n in range(2):
    output.unlink(missing_ok=True)
    begun = started if n == 0 else time.process_time()
    extract_corpus(project, jobs=1)
    times.append(time.process_time() - begun)
shutil.rmtree(folder)
print(*times)
'''


def _child(root: Path, code: str, *args: str) -> list[float]:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{root}: {done.stderr.strip()[-2000:]}")
    return [float(x) for x in done.stdout.split()]


def _corpus(root: Path, corpus: str, folder: Path) -> Path:
    """The benchmark corpus, built by `root`'s extract_bench.py, pickled as plain rows and written as seeds."""
    code = (r"import pickle, sys; from pathlib import Path; sys.path.insert(0, 'benchmarks'); import extract_bench as b; "
            r"f = {'realistic': b.build_realistic_corpus, 'dense': b.build_corpus, 'seed': b.build_seed_corpus}[sys.argv[1]]; "
            r"rows = [dict(id=a.id, title=a.title, text=a.text) for a in f(1000 if sys.argv[1] == 'seed' else 3000, 0)]; "
            r"pickle.dump(rows, open(Path(sys.argv[2]) / 'corpus.pkl', 'wb')); (Path(sys.argv[2]) / 'seeds').mkdir(); "
            r"[(Path(sys.argv[2]) / 'seeds' / (r['id'] + '.txt')).write_text(r['text'], encoding='utf-8') for r in rows]")
    subprocess.run([sys.executable, "-c", code, corpus, str(folder)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                   check=True)
    return folder / "corpus.pkl"


def _pairs(rounds: int, run, base: Path, new: Path) -> list[tuple]:
    """(base, new) results per round, the order swapped every round (A B, B A, ...).

    With a fixed order, the same checkout on both sides gave 1.12x once: whichever runs second
    can gain from the first (warm caches, a quieter core); alternating cancels that in the median.
    """
    pairs = []
    for k in range(rounds):
        if k % 2:
            n = run(new)
            pairs.append((run(base), n))
        else:
            pairs.append((run(base), run(new)))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", choices=["realistic", "seed", "dense"], default="realistic")
    parser.add_argument("--end-to-end", action="store_true")
    args = parser.parse_args()
    base, new = args.base.resolve(), args.new.resolve()
    with tempfile.TemporaryDirectory() as folder:
        rows = _corpus(new, args.corpus, Path(folder))
        megabytes = sum(p.stat().st_size for p in (Path(folder) / "seeds").iterdir()) / 1e6
        if not args.end_to_end:
            pairs = _pairs(args.rounds, lambda root: _child(root, EXTRACT, str(rows))[0], base, new)
            ratios = [n / b for b, n in pairs]
            print(f"extract_statements, {args.corpus} corpus ({megabytes:.1f} MB): base "
                  f"{statistics.median(b for b, _ in pairs):.2f} MB/s, new {statistics.median(n for _, n in pairs):.2f} MB/s, "
                  f"speed-up {statistics.median(ratios):.2f}x (pairs: {', '.join(f'{r:.2f}' for r in ratios)})")
            return
        seeds = str(Path(folder) / "seeds")
        pairs = _pairs(args.rounds, lambda root: _child(root, END_TO_END, seeds), base, new)
    for k, what in ((0, "first pass, imports included"), (1, "second pass")):
        b = statistics.median(x[k] for x, _ in pairs)
        n = statistics.median(y[k] for _, y in pairs)
        ratio = statistics.median(x[k] / y[k] for x, y in pairs)
        print(f"extract_corpus --jobs 1 ({what}), {megabytes:.1f} MB: base {b:.2f} s CPU ({megabytes / b:.1f} MB/s), "
              f"new {n:.2f} s ({megabytes / n:.1f} MB/s), speed-up {ratio:.2f}x")

if __name__ == "__main__":
    main()
