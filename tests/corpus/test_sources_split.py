"""One big dump split across workers: JSONL by byte ranges at line starts, CSV and JSONL.gz by chunks of
rows from one streaming reader; the result does not depend on the part size or the number of workers."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.corpus.sources import SourceSettings, partition
from stancebench.corpus.sources.dumps import dump_chunks, jsonl_spans, read_dump
from tests.support import WIRE_STORY, other_story, truncate


def story(n: int) -> str:
    return f"Story number {n}. {other_story(n, words=36)}\n\n{WIRE_STORY}"


def items(path: Path, settings: SourceSettings, parts=None) -> list[str]:
    """Every article id and warning of a dump, read part by part (or whole when `parts` is None)."""
    out = []
    for part in parts if parts is not None else [None]:
        kwargs = {} if part is None else {"span": part.span, "chunk": part.chunk, "row_group": part.row_group}
        for item in read_dump(path, settings, **kwargs):
            out.append(item.article.id + "|" + item.article.text[:40] if hasattr(item, "article") else str(item))
    return out


def test_jsonl_spans_start_at_line_starts_and_count_lines(tmp_path):
    rng = random.Random(1)
    lines = [("x" * rng.randint(0, 300)).encode() + rng.choice([b"\n", b"\r\n"]) for _ in range(400)]
    data = b"".join(lines)
    path = tmp_path / "d.jsonl"
    for tail in (b"", b"no newline at the end"):
        path.write_bytes(data + tail)
        for part_bytes in (1, 97, 1000, 5000, len(data) - 1, 10 * len(data)):
            spans = jsonl_spans(path, part_bytes)
            assert spans[0][0] == 0 and spans[-1][1] == len(data + tail)
            assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # contiguous, no overlap
            for start, end, first_line in spans:
                assert start < end and (start == 0 or (data + tail)[start - 1:start] == b"\n")
                assert first_line == (data + tail)[:start].count(b"\n") + 1
            assert len(spans) == 1 or all(end - start >= part_bytes for start, end, _ in spans[:-1])


def test_a_jsonl_split_by_bytes_reads_as_the_whole_file(tmp_path):
    rows = [json.dumps({"text": story(i), "title": f"T{i}"}) for i in range(30)]
    rows[4] = "{not json"
    rows[9] = json.dumps({"text": ""})
    rows[12] = json.dumps({"text": ["a", "list"]})
    rows[15] = ""
    rows[20] = json.dumps(["an", "array"])
    data = ("\n".join(rows) + "\n").encode() .replace(b"Story number 25", b"Story \xff number 25")
    path = tmp_path / "news.jsonl"
    path.write_bytes("\ufeff".encode() + data)
    whole = items(path, SourceSettings())
    parts = list(partition([path], SourceSettings(part_bytes=1024)))
    assert len(parts) > 5 and all(p.span for p in parts)
    assert items(path, SourceSettings(), parts) == whole
    assert "news-row1|Story number 0." in whole[0]  # the byte-order mark is not part of the first row
    assert f"{path}:5: not valid JSON" in "\n".join(whole)
    assert f"{path}:10: no text; skipped" in whole
    assert f"{path}:13: text column 'text' holds a list, not text; skipped" in whole
    assert f"{path}:21: expected a JSON object; row skipped" in whole
    assert f"{path}:26: not UTF-8 text; row skipped" in whole
    assert sum(1 for x in whole if "|" in x) == 24


def csv_dump(path: Path, n: int, bad: int | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "headline", "body"])
    for i in range(n):
        # quoted values holding newlines (and quotes): a byte offset is not a row start
        writer.writerow([f"c{i}", f'Title "{i}"\nsecond line', story(i)] if i != bad else ["c-bad", "two fields"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_csv_with_newlines_in_values_is_cut_into_chunks_of_whole_rows(tmp_path):
    path = csv_dump(tmp_path / "export.csv", 40, bad=17)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("c-short,only two fields\n")
    whole = items(path, SourceSettings(part_bytes=1 << 24))
    for size in (2048, 4096, 9000):
        parts = list(partition([path], SourceSettings(part_bytes=size)))
        assert len(parts) > 3 and all(p.chunk is not None for p in parts)
        assert items(path, SourceSettings(), parts) == whole  # the parser reads ahead: warnings still in row order
    assert [x.split("|")[0] for x in whole] == [
        *(f"export-c{i}" for i in range(17)), f"{path}: row 18: 3 columns expected, 2 found; skipped",
        *(f"export-c{i}" for i in range(18, 40)), f"{path}: row 41: 3 columns expected, 2 found; skipped"]


def test_gzipped_jsonl_is_chunked_by_one_reader_and_a_truncation_ends_it(tmp_path):
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps({"text": story(i)}) + "\n" for i in range(60)).encode(), mtime=0))
    truncate(path, keep=0.5)
    settings = SourceSettings(part_bytes=2048)
    chunks = list(dump_chunks(path, settings))
    assert len(chunks) > 3 and chunks[-1].error is not None and all(c.error is None for c in chunks[:-1])
    parts = list(partition([path], settings))
    got = []
    with pytest.raises(Exception, match="truncated or unreadable after line"):
        for part in parts:
            got += [item.article.id for item in read_dump(path, settings, chunk=part.chunk)]
    assert got[:3] == ["feed-row1", "feed-row2", "feed-row3"] and len(got) > 10


def extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


def big_dumps(project: Path) -> None:
    seeds = project / "seeds"
    rows = [{"text": story(i), "url": f"https://wire.example/{i}"} for i in range(40)]
    rows[7] = {"text": 17}
    lines = [json.dumps(r) for r in rows]
    lines[11] = "{broken"
    (seeds / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv_dump(seeds / "export.csv", 30)
    data = "".join(json.dumps({"id": f"g{i}", "content": story(100 + i)}) + "\n" for i in range(30))
    (seeds / "feed.jsonl.gz").write_bytes(gzip.compress(data.encode(), mtime=0))
    (seeds / "hand.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")


def set_part_bytes(project: Path, size: int) -> None:
    config = project / "stancebench.toml"
    text = config.read_text(encoding="utf-8").split("\n[sources]")[0]
    config.write_text(f"{text}\n[sources]\npart_bytes = {size}\n", encoding="utf-8")


@pytest.mark.slow
def test_split_dumps_give_the_same_bytes_on_one_process_a_pool_and_a_local_cluster(project, monkeypatch):
    pytest.importorskip("dask.distributed")
    import stancebench.corpus.distributed as distributed

    big_dumps(project)
    out = project / "annotations" / "statements.jsonl"
    set_part_bytes(project, 1 << 24)  # one part per file
    whole = extract()
    assert whole.exit_code == 0, whole.output
    expected = out.read_bytes()
    assert len(expected.splitlines()) > 50
    assert "wire.jsonl:8: text column 'text' holds a number, not text; skipped" in whole.stderr
    assert "wire.jsonl:12: not valid JSON" in whole.stderr
    set_part_bytes(project, 2048)  # many parts per dump
    from stancebench.corpus.sources import list_source_paths

    parts = list(partition(list_source_paths(project / "seeds"), SourceSettings(part_bytes=2048)))
    assert sum(1 for p in parts if p.span) > 5 and sum(1 for p in parts if p.chunk) > 10
    monkeypatch.setattr(distributed, "_POOL_BYTES", 0)  # use the pool even for these few bytes
    monkeypatch.setattr(distributed, "_BATCH_PARTS", 3)  # and several tasks (of three parts) per worker
    for args in ((), ("--jobs", "2"), ("--scheduler", "local")):
        out.unlink()
        run = extract(*args)
        assert run.exit_code == 0, run.output
        assert run.stderr == whole.stderr and run.stdout == whole.stdout, args
        assert out.read_bytes() == expected, args
    assert not list((project / "annotations").glob(".extract-shards-*"))


def test_an_id_repeated_across_parts_of_one_file_is_skipped_like_one_within_a_part(project):
    rows = [{"id": f"a{i % 25}", "text": story(i)} for i in range(30)]  # a0..a4 come twice
    (project / "seeds" / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summaries = []
    for size in (1 << 24, 2048):
        set_part_bytes(project, size)
        (project / "annotations" / "statements.jsonl").unlink(missing_ok=True)
        result = extract()
        assert result.exit_code == 0, result.output
        assert result.stderr.count("repeats in the file; skipped") == 5
        summaries.append(result.stdout)
    assert summaries[0] == summaries[1] and "5 records without an article skipped" in summaries[0]
    assert "topic filter kept 25, dropped 0" in summaries[0]


def test_a_file_names_kind_is_the_first_ending_of_kinds_it_ends_with():
    import itertools

    from stancebench.corpus.sources import KINDS, source_kind

    pieces = ["", "a", "gz", "GZ", "tar", "txt", "Md", "html", "htm", "jsonl", "ndjson", "csv", "tsv", "parquet", "warc", "json"]
    for count in (1, 2, 3):
        for combo in itertools.product(pieces, repeat=count):
            for name in (".".join(combo), "x." + ".".join(combo), "d.jsonl/" + ".".join(combo)):
                base = name.rsplit("/", 1)[-1].lower()
                assert source_kind(name) == next((kind for end, kind in KINDS.items() if base.endswith(end)), None), name
