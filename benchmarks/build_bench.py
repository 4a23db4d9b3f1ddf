"""Time and peak memory of `stancebench build` on a synthetic corpus (default: 100,000 statements).

    python benchmarks/build_bench.py [--statements 100000] [--articles 1000] [--speakers 5000]

Writes seeds, statements.jsonl, two label logs and gold.jsonl into a temporary corpus, then runs
`release.build` and reports wall time and the peak resident memory of this process (the inputs are
written by a child process, so their cost is not counted). Aim: under 15 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LABELS = ("support", "oppose", "hedge", "off_target")
CONFIG = """[corpus]
name = "synthetic"
target_id = "lift-ukraine-strike-restrictions"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
release_dir = "release"
"""


def write_corpus(root: Path, statements: int, articles: int, speakers: int) -> None:
    """A corpus folder with synthetic seeds, statements, label logs (alice, bob) and gold."""
    import random

    rng = random.Random(0)
    (root / "seeds").mkdir(parents=True)
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(CONFIG, encoding="utf-8")
    for a in range(articles):
        (root / "seeds" / f"a{a:05d}.txt").write_text(f"Synthetic article {a}\n\nBody of article {a}.\n", encoding="utf-8")
    with (
        (root / "annotations" / "statements.jsonl").open("w", encoding="utf-8") as st,
        (root / "annotations" / "gold.jsonl").open("w", encoding="utf-8") as gold,
        (root / "annotations" / "labels" / "alice.jsonl").open("w", encoding="utf-8") as alice,
        (root / "annotations" / "labels" / "bob.jsonl").open("w", encoding="utf-8") as bob,
    ):
        for i in range(statements):
            sid = f"s{i:07d}"
            text = f"Statement {i}: officials said the limits on long-range strikes should be reviewed soon."
            speaker = rng.randrange(speakers)
            st.write(json.dumps({
                "id": sid, "article_id": f"a{i % articles:05d}", "speaker": f"Speaker {speaker}",
                "speaker_role": "Minister", "speaker_affiliation": f"Country {speaker % 40}",
                "text": text, "context": text + " The context sentence.", "start": 0, "end": len(text),
                "quote_type": "direct" if i % 3 else "indirect", "target_id": "lift-ukraine-strike-restrictions",
                "cue": "said", "is_stale": False,
            }) + "\n")
            first = LABELS[rng.randrange(4)]
            second = first if rng.random() < 0.8 else LABELS[rng.randrange(4)]
            event = {"statement_id": sid, "timestamp": "2024-06-01T00:00:00Z", "guidelines_version": "1.0", "schema_version": 1}
            alice.write(json.dumps({**event, "annotator": "alice", "label": first}) + "\n")
            bob.write(json.dumps({**event, "annotator": "bob", "label": second}) + "\n")
            record = {"statement_id": sid, "label": first, "annotations": {"alice": first, "bob": second}}
            if first == second:
                record["method"] = "unanimous"
            else:
                record.update(method="adjudicated", adjudicator="carol")
            gold.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--speakers", type=int, default=5_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        write_corpus(Path(args.child), args.statements, args.articles, args.speakers)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--child", str(root), "--statements", str(args.statements),
             "--articles", str(args.articles), "--speakers", str(args.speakers)],
            check=True,
        )
        print(f"wrote synthetic corpus: {args.statements:,} statements in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        from stancebench.project import load_project
        from stancebench.release import build as release

        result = release.build(load_project(root))
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        counts = result.info["counts"]
        size = sum(p.stat().st_size for p in result.release_dir.rglob("*") if p.is_file())
        print(f"build: {elapsed:.2f} s (including imports), peak RSS {peak_mb:.0f} MB, release {size / 1e6:.1f} MB")
        print(f"rows: train {counts['train']['total']:,}, test {counts['test']['total']:,}; "
              f"agreement: {result.info['agreement']['status']}")
        verdict = "ok" if elapsed < 15 and peak_mb < 1024 else "over budget (15 s, 1 GB)"
        print(verdict)


if __name__ == "__main__":
    main()
