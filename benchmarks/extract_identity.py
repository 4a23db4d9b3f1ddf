"""Do two checkouts' `extract_corpus` write the same files? Byte for byte, in scenarios that exercise the merge.

    python benchmarks/extract_identity.py BASE NEW [--articles 1000]

A seeds folder is built once (NEW's extract_bench.py realistic corpus, near and exact syndicated copies in
a JSONL dump and markdown files, a CSV and a gzip dump, an HTML page, tests/data/articles, text with
escapes and non-ASCII characters, and bad files: binary, empty, broken JSON, a CSV without a text column,
a repeated id). Each checkout then runs, in its own process and corpus: a fresh extract, a re-run, a
re-run with files removed (stale statements), one with them back, one to another output file, and a
fresh one with --jobs 2. Printed: each scenario's summary, warnings and a digest of every file in the
corpus (the id index without its file signature, which holds times and inode numbers); the last line
says whether BASE and NEW agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BUILD = r'''
import gzip, json, shutil, sys
from pathlib import Path
sys.path.insert(0, "benchmarks")
import extract_bench
from tests.support import WIRE_STORY, html_page, other_story
count, root = int(sys.argv[1]), Path(sys.argv[2])
rows = [dict(id=a.id, text=a.text) for a in extract_bench.build_realistic_corpus(count + 120, 0)]
s = root / "mixed"
s.mkdir(parents=True)
for r in rows[:count]:
    (s / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
with open(s / "wire.jsonl", "w", encoding="utf-8") as f:  # near copies: a paragraph dropped, a line added
    for i, r in enumerate(rows[:60]):
        paras = r["text"].split("\n\n")
        text = "\n\n".join(paras[:-1] if len(paras) > 3 else paras) + "\n\nReporting by staff."
        f.write(json.dumps({"id": str(i), "title": "Copy", "text": text, "url": f"https://x.example/{i}"}) + "\n")
    f.write(json.dumps({"id": "3", "text": "repeat id"}) + "\n" + json.dumps({"id": "99", "text": ""}) + "\n")
for r in rows[100:120]:
    (s / f"copy-{r['id']}.md").write_text(r["text"], encoding="utf-8")
(s / "ap.txt").write_text(f"Blinken says US could let Ukraine hit Russia\n\n{WIRE_STORY}", encoding="utf-8")
(s / "reuters.html").write_text(html_page("US may allow strikes", f"CHISINAU (Reuters) - {WIRE_STORY}"), encoding="utf-8")
(s / "dpa.jsonl").write_text(json.dumps({"id": "42", "text": WIRE_STORY + "\n\nNo comment."}) + "\n", encoding="utf-8")
(s / "other.txt").write_text(other_story(9) + ' "We will build it," the mayor said.', encoding="utf-8")
with open(s / "table.csv", "w", encoding="utf-8") as f:
    f.write("id,title,text\n" + "".join(f'{i},"T{i}","' + r["text"].replace('"', '""') + '"\n'
                                        for i, r in enumerate(rows[count:count + 40])))
with gzip.open(s / "zipped.jsonl.gz", "wt", encoding="utf-8") as f:
    f.write("".join(json.dumps({"id": str(i), "text": r["text"]}) + "\n" for i, r in enumerate(rows[count + 40:count + 80])))
for p in Path("tests/data/articles").iterdir():
    shutil.copy(p, s / p.name)
(s / "unicode.txt").write_text('Odd text\n\n"We back the \\ strikes \t on Russia\u2028 now \u00e9 \U0001F600 \x1b \x7f \u0085 '
                               '\ufeff and lifting the limits on weapons," Blinken said.\n\n\u201cUkraine must be free to hit '
                               'targets inside Russia,\u201d said Jens \u00d6stberg, a NATO official.\n', encoding="utf-8")
(s / "binary.txt").write_bytes(b"\x00\xff\xfe junk")
(s / "empty.txt").write_text("", encoding="utf-8")
(s / "bad.jsonl").write_text(json.dumps({"id": "1", "text": rows[-1]["text"]}) + "\n{not json\n", encoding="utf-8")
(s / "nocol.csv").write_text("a,b\n1,2\n", encoding="utf-8")
t = root / "mixed-less"
shutil.copytree(s, t)
for p in sorted(t.glob("news_*.txt"))[:40]:
    p.unlink()
(t / "bad.jsonl").write_text("{broken\n", encoding="utf-8")
'''

RUN = r'''
import hashlib, json, sys, tempfile
from pathlib import Path
from stancebench.corpus.extract import extract_corpus
from stancebench.project import load_project
CONFIG = ('[corpus]\nname = "x"\ntarget_id = "ukr_strikes"\ntarget = "Lifting the restrictions"\n'
          'labels = ["support", "oppose", "hedge", "off_target"]\nrelease_dir = "release"\n')
def content(p):
    data = p.read_bytes()
    if p.suffix == ".index":  # the signature holds times and the inode: compare the rest
        cut = data.index(b"\n")
        header = json.loads(data[:cut])
        header["signature"] = {k: v for k, v in header["signature"].items() if k in ("size", "edges")}
        data = json.dumps(header, sort_keys=True).encode() + data[cut:]
    return hashlib.sha256(data).hexdigest()[:16]
def corpus():
    root = Path(tempfile.mkdtemp()) / "c"
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(CONFIG, encoding="utf-8")
    return root
def run(name, seeds, root, jobs=1, output=None):
    r = extract_corpus(load_project(root), seeds=seeds, output=output, jobs=jobs)
    files = {str(p.relative_to(root)): content(p) for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != "stancebench.toml"}
    print(json.dumps([name, r.summary(), [str(w) for w in r.warnings], r.bad_files, str(r.output.relative_to(root)), files]))
mixed, less = sys.argv[1] + "/mixed", sys.argv[1] + "/mixed-less"
root = corpus()
for name, seeds in (("fresh", mixed), ("re-run", mixed), ("files removed", less), ("files back", mixed)):
    run(name, seeds, root)
run("another output", mixed, root, output=root / "elsewhere.jsonl")
run("--jobs 2", mixed, corpus(), jobs=2)
'''


def _python(root: Path, code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    if done.returncode:
        raise SystemExit(f"{root}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--articles", type=int, default=1000)  # past 4 MB: --jobs 2 uses worker processes
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _python(args.new.resolve(), BUILD, str(args.articles), folder)
        outputs = [_python(root.resolve(), RUN, folder).splitlines() for root in (args.base, args.new)]
    for base, new in zip(*outputs, strict=True):
        name, summary, warnings, bad, output, files = json.loads(new)
        print(f"{name}: {summary}; {len(warnings)} warnings; wrote {output}; "
              + ", ".join(f"{path} {digest}" for path, digest in files.items()) + ("" if base == new else "  <- DIFFERS"))
    same = outputs[0] == outputs[1]
    print("BASE and NEW write the same files, summaries and warnings" if same else "BASE and NEW differ")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
