"""What syndicated copies cost: the copy-link scan, the annotate first screen and the release build.

    python benchmarks/copies_bench.py                         # 100,000 statements, 10% of them copies
    python benchmarks/copies_bench.py --statements 1000000 --copy-share 0.3 --runs 3

For a corpus without copies and the same corpus with every k-th statement a copy, in-process and
interleaved (plain, copies, plain, copies ...), the median of `--runs` of:

- `dedup.read_copy_links` (every `read_label_state` pays it: status, agreement, adjudicate, annotate);
- `open_annotation_session` (the annotate first screen);
- `release.build.compute_release` with two annotators' logs, one of which labels copies (the folded path).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from stancebench.schema import Gold, Statement

_CONFIG = """[corpus]
name = "bench"
target_id = "lift-ukraine-strike-restrictions"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
"""
_LABELS = ("support", "oppose", "hedge")


def write_corpus(folder: Path, n: int, every: int | None) -> Path:
    """n statements in articles of 20; with `every`, statement i is a copy of i-1 when i % every == 1."""
    root = folder / ("copies" if every else "plain")
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "stancebench.toml").write_text(_CONFIG, encoding="utf-8")
    lines, gold, alice, bob = [], [], [], []
    for i in range(n):
        text = f"Statement {i // 2 if every else i} on the strikes inside Russia."
        is_copy = every is not None and i % every == 1
        s = Statement(id=f"s{i:07d}", article_id=f"a{i // 20:06d}", speaker=f"Speaker {i % 50}", text=text, context=text,
                      start=i % 20 * 80, end=i % 20 * 80 + len(text), quote_type="direct",
                      target_id="lift-ukraine-strike-restrictions", canonical_id=f"s{i - 1:07d}" if is_copy else None)
        lines.append(s.to_json())
        label = _LABELS[i % 3]
        event = {"statement_id": s.id, "label": label, "timestamp": "2024-06-01T10:00:00Z", "guidelines_version": "1"}
        (bob if is_copy else alice).append(json.dumps({**event, "annotator": "bob" if is_copy else "alice"}))
        if not is_copy:
            gold.append(Gold(s.id, label, "single", annotations={"alice": label}).to_json())
    (root / "annotations" / "statements.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "annotations" / "labels" / "alice.jsonl").write_text("\n".join(alice) + "\n", encoding="utf-8")
    if bob:
        (root / "annotations" / "labels" / "bob.jsonl").write_text("\n".join(bob) + "\n", encoding="utf-8")
    (root / "annotations" / "gold.jsonl").write_text("\n".join(gold) + "\n", encoding="utf-8")
    return root


def _time(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    from stancebench.annotation.opening import open_annotation_session
    from stancebench.corpus.dedup import read_copy_links
    from stancebench.project import load_project
    from stancebench.release.build import compute_release

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--copy-share", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    every = max(2, round(1 / args.copy_share))
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"plain": write_corpus(Path(tmp), args.statements, None),
                   "copies": write_corpus(Path(tmp), args.statements, every)}
        tasks = {
            "read_copy_links": lambda root: read_copy_links(root / "annotations" / "statements.jsonl"),
            "annotate first screen": lambda root: open_annotation_session(load_project(root), "carol"),
            "compute_release": lambda root: compute_release(load_project(root)),
        }
        here = os.getcwd()
        for name, task in tasks.items():
            times: dict[str, list[float]] = {"plain": [], "copies": []}
            for _ in range(args.runs):
                for kind, root in corpora.items():
                    os.chdir(root)
                    times[kind].append(_time(lambda task=task, root=root: task(root)))
            os.chdir(here)
            plain, copies = (statistics.median(times[k]) for k in ("plain", "copies"))
            print(f"{name:<22} {args.statements:>9,} statements: no copies {plain * 1000:8.1f} ms, "
                  f"1 in {every} a copy {copies * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
