"""Issue 14 as a curator meets it: a seeds folder mixing every kind of source, column overrides, the topic
filter's counts, provenance on every statement, stable ids, and every kind of bad input as a warning."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.store import read_statements
from tests.support import WIRE_STORY, html_page, other_story, truncate, write_warc


def story(n: int) -> str:
    return f"Story number {n}. {other_story(n, words=48)}\n\n{WIRE_STORY}"


def extract():
    return CliRunner().invoke(cli, ["extract"])


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_mixed_seeds_folder_with_overrides_keeps_provenance_and_ids(project):
    seeds = project / "seeds"
    (seeds / "hand.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    (seeds / "saved.html").write_text(html_page("US may let Kyiv strike", story(1), url="https://site.example/a"),
                                      encoding="utf-8")
    (seeds / "api.jsonl").write_text("".join(json.dumps({"uid": f"j{i}", "story": story(10 + i), "web": f"https://j.example/{i}"})
                                             + "\n" for i in range(3)) + json.dumps({"uid": "off", "story": other_story(99)})
                                     + "\n", encoding="utf-8")
    write_csv(seeds / "export.csv", ["id", "maintext", "link"], [[f"c{i}", story(20 + i), f"https://c.example/{i}"]
                                                                  for i in range(2)])
    pq.write_table(pa.table({"id": ["p0", "p1"], "content": [story(30), other_story(31)]}), seeds / "dump.parquet")
    pages = [{"id": f"{i:04d}", "uri": f"https://w.example/{i}", "body": html_page(f"Story {i}", story(40 + i))}
             for i in range(2)]
    write_warc(seeds / "crawl.warc.gz", pages)
    config = project / "stancebench.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[sources.columns."api.*"]\ntext = "story"\n'
                      'id = "uid"\nurl = "web"\n', encoding="utf-8")
    first = extract()
    assert first.exit_code == 0, first.output
    # dumps and crawls go through the topic filter: 3+2+1+2 kept, the two off-topic rows dropped
    assert "topic filter kept 8, dropped 2" in first.stdout and first.stderr == ""
    found = read_statements(project / "annotations" / "statements.jsonl")
    by_file = {}
    for s in found:
        by_file.setdefault(s.source_file, set()).add(s.article_id)
        assert s.source_file and s.article_id
        if s.source_file not in ("hand.txt", "saved.html", "dump.parquet"):
            assert s.url and s.source_record, s
    assert by_file == {
        "hand.txt": {"hand"}, "saved.html": {"saved"}, "api.jsonl": {"api-j0", "api-j1", "api-j2"},
        "export.csv": {"export-c0", "export-c1"}, "dump.parquet": {"dump-p0"},
        "crawl.warc.gz": {f"crawl-{h}" for h in _warc_ids(seeds / "crawl.warc.gz", pages)}}
    assert {s.source_record for s in found if s.source_file == "crawl.warc.gz"} == {"<urn:uuid:0000>", "<urn:uuid:0001>"}
    assert {s.url for s in found if s.article_id == "api-j1"} == {"https://j.example/1"}
    before = (project / "annotations" / "statements.jsonl").read_bytes()
    again = extract()
    assert again.exit_code == 0 and f"0 new, {len(found)} unchanged, 0 stale" in again.stdout
    assert (project / "annotations" / "statements.jsonl").read_bytes() == before


def _warc_ids(path: Path, pages: list[dict]) -> list[str]:
    from stancebench.corpus.sources.warc import record_article_id

    return [record_article_id(path, f"<urn:uuid:{p['id']}>").rsplit("-", 1)[1] for p in pages]


# ---- every bad input: (file, how to write it, what the warning says, a bad file?, ids still extracted)
def _jsonl(lines: list[str]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(b"".join(x.encode("utf-8", "surrogateescape") + b"\n" for x in lines))


GOOD = json.dumps({"id": "ok", "text": WIRE_STORY})


def _parquet(texts, **kwargs) -> Callable[[Path], None]:
    return lambda path: pq.write_table(pa.table({"text": texts}), path, **kwargs)


def _damaged(write: Callable[[Path], None], how: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        write(path)
        path.write_bytes(how(path.read_bytes()))
    return make


def _gzip(write: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        write(path)
        path.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        truncate(path, keep=0.5)
    return make


def _rows_csv(path: Path) -> None:
    write_csv(path, ["id", "text"], [[f"r{i}", story(i)] for i in range(40)])


def _warc(*records: dict) -> Callable[[Path], None]:
    ok = {"id": "0001", "uri": "https://w.example/ok", "body": html_page("Blinken", WIRE_STORY)}
    return lambda path: write_warc(path, [ok, *records])


_CORRUPT_MIDDLE = lambda data: data[: len(data) // 3] + bytes(64) + data[len(data) // 3 + 64:]  # noqa: E731
_NUMBER = 7
CASES = {
    "page with no main text": ("page.html", lambda p: p.write_text(html_page("Index", "Home"), encoding="utf-8"),
                               "page.html: no main text found in the page; skipped", False, set()),
    "empty page file": ("page.html", lambda p: p.write_text("", encoding="utf-8"), "page.html: empty file", True, set()),
    "dump row with no text": ("feed.jsonl", _jsonl([GOOD, json.dumps({"text": " "})]), "feed.jsonl:2: no text; skipped",
                              False, {"feed-ok"}),
    "bad JSON line": ("feed.jsonl", _jsonl([GOOD, '{"text": "cut']), "feed.jsonl:2: not valid JSON", False, {"feed-ok"}),
    "line not UTF-8": ("feed.jsonl", _jsonl([GOOD, '{"text": "caf\udce9"}']), "feed.jsonl:2: not UTF-8 text; row skipped",
                       False, {"feed-ok"}),
    "JSON text of the wrong type": ("feed.jsonl", _jsonl([GOOD, json.dumps({"text": {"p": 1}})]),
                                    "feed.jsonl:2: text column 'text' holds an object, not text; skipped", False,
                                    {"feed-ok"}),
    "JSON line not an object": ("feed.jsonl", _jsonl([GOOD, "[1, 2]"]), "feed.jsonl:2: expected a JSON object", False,
                                {"feed-ok"}),
    "truncated JSONL gzip": ("feed.jsonl.gz", _gzip(_jsonl([json.dumps({"text": story(i)}) for i in range(40)])),
                             "truncated or unreadable after line", True, {"feed-row1"}),
    "CSV row with no text": ("export.csv", lambda p: write_csv(p, ["id", "text"], [["a", WIRE_STORY], ["b", ""]]),
                             "export.csv: row 2: no text; skipped", False, {"export-a"}),
    "CSV row with too many fields": ("export.csv", _damaged(lambda p: write_csv(p, ["id", "text"], [["a", WIRE_STORY]]),
                                                            lambda d: d + b"b,x,y\n"),
                                     "export.csv: row 2: 2 columns expected, 3 found", False, {"export-a"}),
    "CSV without a text column": ("export.csv", lambda p: write_csv(p, ["id", "title"], [["a", "b"]]),
                                  "export.csv: no text column", True, set()),
    "empty CSV": ("export.csv", lambda p: p.write_text("", encoding="utf-8"), "export.csv:1: empty file", True, set()),
    "truncated CSV gzip": ("dump.csv.gz", _gzip(_rows_csv), "dump.csv.gz: truncated or unreadable after row", True,
                           {"dump-r0"}),
    "parquet row with no text": ("news.parquet", _parquet([WIRE_STORY, None]), "news.parquet: row 2: no text; skipped",
                                 False, {"news-row1"}),
    "truncated parquet": ("news.parquet", _damaged(_parquet([WIRE_STORY]), lambda d: d[: len(d) // 2]),
                          "news.parquet: not a readable parquet file", True, set()),
    "parquet with a damaged row group": ("news.parquet", _damaged(_parquet([story(i) for i in range(300)],
                                                                          row_group_size=100), _CORRUPT_MIDDLE),
                                         "news.parquet: row group 1 unreadable after row 100", True, {"news-row1"}),
    "parquet text column of the wrong type": ("news.parquet", lambda p: pq.write_table(pa.table({"text": [_NUMBER]}), p),
                                              "news.parquet: text column 'text' is int64, not text", True, set()),
    "WARC record that is not HTML": ("crawl.warc", _warc({"id": "0002", "uri": "https://w.example/r.pdf",
                                                          "body": b"%PDF", "type": "application/pdf"}),
                                     "crawl.warc: record <urn:uuid:0002> (https://w.example/r.pdf): not HTML "
                                     "(application/pdf); skipped", False, None),
    "WARC error response": ("crawl.warc", _warc({"id": "0003", "uri": "https://w.example/gone", "body": "x",
                                                 "status": "404 Not Found"}), "HTTP status 404, not a page", False, None),
    "WARC page with no main text": ("crawl.warc", _warc({"id": "0004", "uri": "https://w.example/i", "body": "<p>Hi</p>"}),
                                    "record <urn:uuid:0004> (https://w.example/i): no main text", False, None),
    # (cut at 0.5, twelve equal records end exactly between two gzip members: a valid, shorter file)
    "truncated WARC gzip": ("crawl.warc.gz", lambda p: truncate(write_warc(p, [
        {"id": f"{i:04d}", "uri": f"https://w.example/{i}", "body": html_page(f"S{i}", story(i))} for i in range(12)]),
        keep=0.55), "crawl.warc.gz: truncated or corrupt after record", True, None),
    "not a WARC file": ("crawl.warc", lambda p: p.write_text("hello\n", encoding="utf-8"),
                        "crawl.warc: truncated or corrupt", True, set()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_warning_naming_file_and_row_and_the_rest_is_extracted(project, case):
    name, write, expected, is_bad_file, kept_ids = CASES[case]
    (project / "seeds" / "good.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    write(project / "seeds" / name)
    result = extract()
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert expected in result.stderr, result.stderr
    warning = next(line for line in result.stderr.splitlines() if expected in line)
    assert name in warning and (not is_bad_file or warning.startswith(("Warning", str(project), name, "seeds")))
    assert result.exit_code == (1 if is_bad_file else 0), result.output
    assert ("1 bad file skipped" if is_bad_file else "1 record without an article skipped") in result.stdout
    ids = {s.article_id for s in read_statements(project / "annotations" / "statements.jsonl")}
    assert "good" in ids
    if kept_ids is None:  # a crawl: its first page was read
        kept_ids = {a for a in ids if a.startswith("crawl-")} or {"missing"}
    assert kept_ids <= ids


def test_resource_records_holding_pages_are_read_like_responses(tmp_path):
    # What warcit or a browser-based crawler writes: the page as a resource record, no HTTP headers.
    from warcio.warcwriter import WARCWriter

    from stancebench.corpus.sources.warc import read_warc

    path = tmp_path / "site.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for uri, kind, body in (("https://w.example/a", "text/html", html_page("Blinken", WIRE_STORY)),
                                ("https://w.example/logo.png", "image/png", "\x89PNG")):
            writer.write_record(writer.create_warc_record(uri, "resource", payload=io.BytesIO(body.encode()),
                                                          warc_content_type=kind))
    found = [str(x) if not hasattr(x, "article") else x.article.url for x in read_warc(path)]
    assert found[0] == "https://w.example/a"
    assert found[1].endswith("(https://w.example/logo.png): not HTML (image/png); skipped") and len(found) == 2


def test_per_file_column_overrides_and_their_mistakes():
    from stancebench.corpus.sources import SourceSettings
    from stancebench.errors import InputError

    config = {"sources": {"columns": {"text": "maintext", "gdelt-*.csv": {"text": "ArticleText", "url": "SOURCEURL"}}}}
    settings = SourceSettings.from_config(config, "x")
    assert settings.columns_for("gdelt-2024.csv") == {"text": "ArticleText", "url": "SOURCEURL"}
    assert settings.columns_for("other.jsonl") == {"text": "maintext"}
    with pytest.raises(InputError, match=r"sources.columns.'a.csv': unknown field 'txt'"):
        SourceSettings.from_config({"sources": {"columns": {"a.csv": {"txt": "x"}}}}, "x")
    with pytest.raises(InputError, match="sources.columns must map field names to column names"):
        SourceSettings.from_config({"sources": {"columns": {"text": 3}}}, "x")
    with pytest.raises(InputError, match="sources.part_bytes must be an integer"):
        SourceSettings.from_config({"sources": {"part_bytes": 10}}, "x")


@pytest.mark.parametrize(("name", "delimiter"), [("eu.csv", ";"), ("sheet.tsv", "\t"), ("pipes.csv", "|")])
def test_csv_exports_with_another_delimiter(project, name, delimiter):
    # Spreadsheet exports in many locales use semicolons; .tsv uses tabs: found from the header line.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["id", "title", "text"])
    writer.writerow(["1", "Blinken; shift", WIRE_STORY])
    (project / "seeds" / name).write_text(buffer.getvalue(), encoding="utf-8")
    result = extract()
    assert result.exit_code == 0, result.output
    found = read_statements(project / "annotations" / "statements.jsonl")
    stem = name.split(".")[0]
    assert {s.article_id for s in found} == {f"{stem}-1"} and len(found) >= 3


def test_a_dump_without_a_text_column_names_the_columns_it_has(project):
    (project / "seeds" / "x.csv").write_text("uid,headline,story\n1,a,b\n", encoding="utf-8")
    result = extract()
    assert result.exit_code == 1 and "x.csv: no text column" in result.stderr
    assert "columns: uid, headline, story" in result.stderr
