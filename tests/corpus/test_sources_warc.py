"""WARC crawls as sources: HTML responses through the html reader, record ids as provenance, bad records and files."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.corpus.sources.warc import read_warc, record_article_id
from stancebench.store import read_statements
from tests.support import WIRE_STORY, html_page, other_story, truncate, write_warc

PAGE = html_page("Blinken signals shift", WIRE_STORY, site="Example News")


def records() -> list[dict]:
    return [
        {"id": "0001", "uri": "https://news.example.com/blinken", "body": PAGE},
        {"id": "0002", "uri": "https://news.example.com/report.pdf", "body": b"%PDF-1.4", "type": "application/pdf"},
        {"id": "0003", "uri": "https://news.example.com/gone", "body": "<html></html>", "status": "404 Not Found"},
        {"id": "0004", "uri": "https://news.example.com/index", "body": "<html><body><nav>Home</nav></body></html>"},
        {"id": "0005", "uri": "https://news.example.com/fair",
         "body": html_page("Town fair", other_story(5) + " " + other_story(6))},
    ]


def test_html_responses_become_articles_with_record_provenance(tmp_path):
    path = write_warc(tmp_path / "crawl.warc.gz", records())
    items = list(read_warc(path))
    articles = [i.article for i in items if hasattr(i, "article")]
    assert [a.record for a in articles] == ["<urn:uuid:0001>", "<urn:uuid:0005>"]
    assert articles[0].id == record_article_id(path, "<urn:uuid:0001>") and articles[0].id.startswith("crawl-")
    assert articles[0].url == "https://news.example.com/blinken"
    assert articles[0].text.startswith("Blinken signals shift")
    messages = [str(i) for i in items if not hasattr(i, "article")]
    assert messages == [
        f"{path}: record <urn:uuid:0002> (https://news.example.com/report.pdf): not HTML (application/pdf); skipped",
        f"{path}: record <urn:uuid:0003> (https://news.example.com/gone): HTTP status 404, not a page; skipped",
        f"{path}: record <urn:uuid:0004> (https://news.example.com/index): no main text found in the page; skipped",
    ]


def test_extract_from_a_warc_keeps_record_id_and_url_and_filters_by_topic(project):
    write_warc(project / "seeds" / "crawl.warc", records(), compress=False)
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0, result.output
    assert "3 records without an article skipped" in result.stdout
    assert "topic filter kept 1, dropped 1" in result.stdout
    found = read_statements(project / "annotations" / "statements.jsonl")
    assert {(s.source_file, s.source_record, s.url) for s in found} == {
        ("crawl.warc", "<urn:uuid:0001>", "https://news.example.com/blinken")}
    assert "Kremlin spokesman Dmitry Peskov" not in {s.speaker for s in found}
    assert "Dmitry Peskov" in {s.speaker for s in found}


def test_truncated_warc_gz_keeps_the_records_before_the_break(project):
    many = [{"id": f"{i:04d}", "uri": f"https://news.example.com/{i}",
             "body": html_page(f"Story {i}", f"{other_story(i)}\n{WIRE_STORY}")} for i in range(12)]
    truncate(write_warc(project / "seeds" / "crawl.warc.gz", many), keep=0.5)
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "crawl.warc.gz: truncated or corrupt after record " in result.stderr
    assert "(Compressed file ended before the end-of-stream marker was reached); the records before were read" in result.stderr
    found = read_statements(project / "annotations" / "statements.jsonl")
    assert 1 <= len({s.article_id for s in found}) < 12


def test_not_a_warc_at_all_is_a_bad_file(project):
    (project / "seeds" / "x.warc").write_bytes(b"this is not a warc file\n" * 20)
    (project / "seeds" / "a.txt").write_text(WIRE_STORY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 1
    assert "x.warc: truncated or corrupt after the start" in result.stderr
    assert {s.article_id for s in read_statements(Path("annotations/statements.jsonl"))} == {"a"}
