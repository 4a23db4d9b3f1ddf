"""Sources, syndicated-copy grouping and workers: throughput, memory and scaling (run on demand).

    python benchmarks/sources_bench.py html --pages 10000 [--jobs 1|2]
    python benchmarks/sources_bench.py warc --records 10000 [--jobs 1|2]
    python benchmarks/sources_bench.py make-dump --rows 1000000 --out /tmp/dump.parquet   # or .jsonl / .csv
    python benchmarks/sources_bench.py read-dump /tmp/dump.parquet        # at two sizes: peak memory is flat
    python benchmarks/sources_bench.py extract-dump /tmp/dump.parquet [--jobs 1|2]
    python benchmarks/sources_bench.py dedup --articles 100000 [--signatures F.npy]   # and 1000000: linear
    python benchmarks/sources_bench.py dedup-group F.npy --originals 90000             # grouping alone

Pages, rows and records are synthetic news reports on the target (statement paragraphs and
background sentences, speakers drawn from a list) inside page furniture (navigation, footer).
`html`/`warc`/`extract-dump` run the extraction stage's parts (read, topic filter, extract
statements, MinHash signature) in one process or `--jobs` processes, as `stancebench extract`
does, and report articles/s per core (CPU time of this process and its worker processes, so other
load on the machine does not count), wall-clock articles/s and peak RSS. A parquet dump is cut by
row group, one JSONL file by byte ranges, a CSV by chunks of rows (about 16 MB each). `read-dump`
only streams the rows. `dedup` times signatures and grouping of N articles, a tenth of them
syndicated copies (new headline, a few words changed), and checks the groups.

Measured 2026-12-01 on the shared 2-core machine (load average 4-8 from other jobs: wall-clock
figures, and so the 1-vs-2-worker wall-clock scaling, are not meaningful there; CPU-time figures
vary by about +-20% from run to run with the load):

| run | articles/s per core (CPU) | peak RSS |
| --- | --- | --- |
| html --pages 10000, jobs 1 / 2 | 196 and 184 / 147 and 156 (trafilatura dominates) | 104 MB / 42 MB + 99 MB per worker |
| warc --records 10000, jobs 1 / 2 | 200 / 261 | 115 MB / 55 MB + 104 MB per worker |
| extract-dump 100,000-row parquet | 1,913 (162,387 statements) | 395 MB |
| extract-dump 1,000,000-row parquet | 2,408 (1,626,312 statements, 20 row groups) | 448 MB: flat as the dump grows 10x |
| extract-dump 100,000-row JSONL (4 byte ranges), jobs 1 / 2 | 2,979 / 2,026 and 1,739 | 204 MB / 251 MB + 228 MB per worker |
| same, 40,000 rows, alternating jobs 1, 2, 1, 2 | 1,805, 1,677, 1,937, 2,336: no per-worker cost beyond the noise | |
| read-dump 100,000 / 1,000,000 parquet rows | 52,511 / 83,520 rows/s | 159 MB / 177 MB: streamed, flat |
| dedup 100,000 / 1,000,000 articles, grouping (numpy, 20 bands of 6 rows) | 0.6 s / 6.3 s CPU | 130 MB / 829 MB (1) |
| same, datasketch's MinHashLSH as before (14 bands of 9, same signatures) | 8.7-9.9 s / 108.7 s CPU | 721-735 MB / 6,278 MB |
| dedup signatures (150-word texts, 1 KB) | 15,043-19,892/s, 14.6-19.3 MB/s (datasketch's MinHash: 6,376/s, 6.2 MB/s) | |
| | copies found: 99.97% / 99.995% (14 bands of 9: 98.0% / 98.1%, LSH misses at J ~ 0.85); no original wrongly grouped | |

(1) of which the ids and signatures loaded: 90 / 591 MB. `dedup` signs in this process, then
groups in a fresh one (`dedup-group F.npy`, which also runs against an older checkout with
`PYTHONPATH=OLD`) so that the grouping's peak RSS is its own. Signatures of news-length articles:
/work/golden/paired.py --signature (realistic corpus: 55 MB/s against datasketch's 8 MB/s).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

NAMES = ["Antony Blinken", "Olaf Scholz", "Jake Sullivan", "Rishi Sunak", "Dmytro Kuleba", "Maria Zakharova",
         "Sergei Lavrov", "Emmanuel Macron", "Volodymyr Zelensky", "John Kirby", "Dmitry Peskov"]
STATEMENTS = [
    '"We have not encouraged or enabled strikes outside of Ukraine," {name} told reporters. '
    '"But as conditions change, we adapt."',
    "{name} said on Wednesday that Washington could adapt its position on Ukraine's use of American weapons inside Russia.",
    "{name} warned that such strikes would be a dangerous escalation and that Moscow would respond.",
    '"Ukraine has the right to strike the places it is attacked from," {name} said.',
    "{name} said no decision had been made and that the question remained under consideration.",
]
BACKGROUND = str.split(
    "the offensive near Kharkiv continued through the week while new air defence systems arrived from Germany "
    "and officials met in Prague to discuss the aid package and the supply of artillery shells and long-range missiles"
)
FURNITURE = ("<nav><a href='/'>Home</a> | <a href='/world'>World</a> | Sport | Business</nav>",
             "<footer>© Example Media. All rights reserved. <a href='/privacy'>Privacy</a></footer>")


def report(rng: random.Random, paragraphs: int = 6) -> tuple[str, str]:
    """(headline, body) of a synthetic report: statement and background paragraphs, blank lines between."""
    body = []
    for _ in range(paragraphs):
        if rng.random() < 0.5:
            body.append(rng.choice(STATEMENTS).format(name=rng.choice(NAMES)))
        else:
            body.append(" ".join(rng.choice(BACKGROUND) for _ in range(rng.randint(20, 40))).capitalize() + ".")
    return f"{rng.choice(NAMES)} on strikes inside Russia, report {rng.randint(1, 10**9)}", "\n\n".join(body)


def page(rng: random.Random) -> str:
    title, body = report(rng)
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<html><head><title>{title}</title><meta property='og:site_name' content='Example News'></head><body>"
            f"{FURNITURE[0]}<article><h1>{title}</h1>{paragraphs}</article>{FURNITURE[1]}</body></html>")


def _peak_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest finished child (worker), in MB."""
    import resource

    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worker processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _run(parts, jobs: int, what: str, unit: str) -> None:
    from stancebench.corpus.distributed import ExtractJob, run_parts
    from stancebench.corpus.sources import SourceSettings
    from stancebench.project import repository_root

    job = ExtractJob("lift-ukraine-strike-restrictions", (repository_root() or Path(".")) / "actors.tsv", SourceSettings())
    wall, cpu = time.perf_counter(), _cpu()
    articles = statements = warnings = count = 0
    for result in run_parts(parts, job, jobs=jobs):  # statements are counted, not kept: memory is the stream's
        articles += len(result.article_ids)
        statements += len(result.statements or [])
        warnings += result.skipped_records
        count += 1
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu  # the pool has exited: its workers' CPU is counted
    own, child = _peak_mb()
    print(f"{what}: {count:,} parts, {articles:,} articles, {statements:,} statements, {warnings} {unit} skipped, "
          f"jobs={jobs}")
    print(f"  {articles / cpu:,.0f} articles/s per core (CPU {cpu:.1f} s in all processes), "
          f"wall {wall:.1f} s = {articles / wall:,.0f} articles/s")
    print(f"  peak RSS {own:,.0f} MB" + (f" (largest worker {child:,.0f} MB)" if jobs > 1 else ""))


def html_bench(pages: int, jobs: int) -> None:
    from stancebench.corpus.sources import list_source_paths, partition

    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        for i in range(pages):
            Path(folder, f"page{i:06d}.html").write_text(page(rng), encoding="utf-8")
        _run(partition(list_source_paths(folder)), jobs, f"{pages:,} HTML pages", "pages")


def warc_bench(records: int, jobs: int) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from stancebench.corpus.sources import list_source_paths, partition

    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        files = max(1, jobs * 4)  # a crawl comes as many WARC files; a file is the unit of work
        for f in range(files):
            with open(Path(folder, f"crawl{f:03d}.warc.gz"), "wb") as out:
                writer = WARCWriter(out, gzip=True)
                for i in range(f, records, files):
                    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(
                        f"https://news.example.com/{i}", "response", payload=io.BytesIO(page(rng).encode()), http_headers=http))
        _run(partition(list_source_paths(folder)), jobs, f"{records:,} WARC records in {files} files", "records")


def make_dump(rows: int, out: Path, row_group: int = 50_000) -> None:
    """A synthetic dump of `rows` articles: parquet (row groups of 50,000), JSONL or CSV by the file name."""
    import pyarrow as pa

    rng = random.Random(0)
    schema = pa.schema([("id", pa.string()), ("title", pa.string()), ("text", pa.string()), ("url", pa.string())])
    writer = None
    with open(out, "wb") as sink:
        for start in range(0, rows, row_group):
            n = min(row_group, rows - start)
            titles, texts = zip(*(report(rng, paragraphs=3) for _ in range(n)), strict=True)
            table = pa.table({"id": [str(start + i) for i in range(n)], "title": list(titles), "text": list(texts),
                              "url": [f"https://news.example.com/{start + i}" for i in range(n)]}, schema=schema)
            writer = _write_rows(table, out, sink, writer)
        if writer is not None:
            writer.close()
    print(f"wrote {rows:,} rows to {out} ({out.stat().st_size / 1e6:,.0f} MB)")


def _write_rows(table, out: Path, sink, writer):
    import json

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if out.suffix == ".parquet":
        writer = writer or pq.ParquetWriter(sink, table.schema)
        writer.write_table(table)
    elif out.suffix == ".csv":  # quoted values with newlines in them: the case a byte split would get wrong
        writer = writer or pacsv.CSVWriter(sink, table.schema)
        writer.write_table(table)
    else:
        sink.write("".join(json.dumps(row) + "\n" for row in table.to_pylist()).encode())
    return writer


def read_dump_bench(path: Path) -> None:
    from stancebench.corpus.sources import SourceSettings
    from stancebench.corpus.sources.dumps import read_dump

    wall, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for item in read_dump(path, SourceSettings()) if hasattr(item, "article"))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"streamed {count:,} rows: {count / cpu:,.0f} rows/s per core (CPU {cpu:.1f} s), wall {wall:.1f} s; "
          f"peak RSS {_peak_mb()[0]:,.0f} MB")


def extract_dump_bench(path: Path, jobs: int) -> None:
    from stancebench.corpus.sources import partition

    # parquet by row group; one JSONL file by byte ranges; CSV by chunks of rows (all about 16 MB)
    _run(partition([path]), jobs, f"dump {path.name} ({path.stat().st_size / 1e6:,.0f} MB)", "rows")


def _memory_kb(field: str) -> int:
    """VmRSS or VmHWM (the peak; per process image, unlike ru_maxrss which a child inherits) in kB, from /proc."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def dedup_bench(articles: int, keep: Path | None) -> None:
    import subprocess
    import sys

    import numpy as np

    from stancebench.corpus.dedup import article_signature

    rng = random.Random(0)
    vocabulary = [f"w{i}" for i in range(20_000)]
    originals = articles - articles // 10
    texts = [" ".join(rng.choices(vocabulary, k=150)) for _ in range(originals)]
    for i in range(articles - originals):  # copies: a new headline and two words changed
        words = texts[i].split()
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append("headline of the copy " + " ".join(words))
    megabytes = sum(len(t) for t in texts) / 1e6
    # CPU time of this (single-threaded) process: other load on the machine does not count.
    start = time.process_time()
    signatures = np.stack([article_signature(t) for t in texts])
    signed = time.process_time() - start
    print(f"{articles:,} articles: signatures {signed:.1f} s CPU ({articles / signed:,.0f}/s, {megabytes / signed:.1f} MB/s)")
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder, "signatures.npy")
        np.save(path, signatures)
        del texts, signatures
        # grouped in a fresh process holding only the ids and signatures: its peak RSS is the grouping's
        subprocess.run([sys.executable, __file__, "dedup-group", str(path), "--originals", str(originals)], check=True)
    print(f"  peak RSS of the signing process {_peak_mb()[0]:,.0f} MB")


def dedup_group_bench(path: Path, originals: int) -> None:
    import numpy as np

    from stancebench.corpus.dedup import group_near_duplicates

    signatures = np.load(path)
    articles = len(signatures)
    ids = [f"a{i:07d}" for i in range(articles)]
    before = _memory_kb("VmRSS")
    start = time.process_time()
    groups = group_near_duplicates(ids, signatures, 0.7)
    grouped = time.process_time() - start
    found = sum(1 for i in range(originals, articles) if groups.get(ids[i]) == ids[i - originals])
    false = sum(1 for i in range(originals) if ids[i] in groups) - found
    print(f"  grouping {grouped:.1f} s CPU ({articles / grouped:,.0f}/s); {found:,} of {articles - originals:,} copies "
          f"found, {max(0, false)} originals wrongly grouped; peak RSS {_memory_kb('VmHWM') / 1024:,.0f} MB "
          f"({before / 1024:,.0f} MB with ids and signatures loaded)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name, size in (("html", "--pages"), ("warc", "--records")):
        p = sub.add_parser(name)
        p.add_argument(size, type=int, default=10_000, dest="n")
        p.add_argument("--jobs", type=int, default=1)
    p = sub.add_parser("make-dump")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("read-dump")
    p.add_argument("path", type=Path)
    p = sub.add_parser("extract-dump")
    p.add_argument("path", type=Path)
    p.add_argument("--jobs", type=int, default=1)
    p = sub.add_parser("dedup")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--signatures", type=Path, help="keep the signatures in this .npy file (for dedup-group)")
    p = sub.add_parser("dedup-group")
    p.add_argument("path", type=Path)
    p.add_argument("--originals", type=int, required=True)
    args = parser.parse_args()
    if args.what == "html":
        html_bench(args.n, args.jobs)
    elif args.what == "warc":
        warc_bench(args.n, args.jobs)
    elif args.what == "make-dump":
        make_dump(args.rows, args.out)
    elif args.what == "read-dump":
        read_dump_bench(args.path)
    elif args.what == "extract-dump":
        extract_dump_bench(args.path, args.jobs)
    elif args.what == "dedup":
        dedup_bench(args.articles, args.signatures)
    else:
        dedup_group_bench(args.path, args.originals)


if __name__ == "__main__":
    main()
