"""Saved web pages as sources: main text, metadata, provenance, and pages with no article."""

from __future__ import annotations

from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.corpus.sources.html import page_article
from stancebench.store import read_statements
from tests.support import WIRE_STORY, html_page


def test_page_gives_main_text_with_paragraphs_and_metadata():
    html = html_page("Blinken signals shift on strikes", WIRE_STORY, url="https://news.example.com/world/blinken",
                     site="Example News", date="2024-05-29")
    article = page_article(html, "blinken", path="seeds/blinken.html")
    assert article is not None
    assert article.title == "Blinken signals shift on strikes"
    assert article.url == "https://news.example.com/world/blinken"
    assert article.outlet == "Example News"
    assert article.date == "2024-05-29"
    lines = article.text.split("\n\n")
    assert "Home" not in article.text and "All rights reserved" not in article.text
    assert lines[1].startswith("Secretary of State Antony Blinken said on Wednesday")
    assert len(lines) == 5  # headline + four paragraphs, each on its own line


def test_outlet_falls_back_to_the_url_host():
    article = page_article(html_page("Headline", WIRE_STORY), "x", path="x.html", url="https://www.wire.example.org/a")
    assert article.outlet == "www.wire.example.org" or article.outlet == "wire.example.org"


def test_extract_reads_html_with_provenance(project):
    page = html_page("Blinken signals shift", WIRE_STORY, url="https://news.example.com/a/1", site="Example News")
    (project / "seeds" / "blinken.html").write_text(page, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0, result.output
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert {s.article_id for s in statements} == {"blinken"}
    assert {(s.source_file, s.source_record, s.url) for s in statements} == {("blinken.html", None, "https://news.example.com/a/1")}
    assert any(s.speaker == "Dmitry Peskov" for s in statements)
    assert "We have not encouraged or enabled strikes outside of Ukraine" in {s.text for s in statements}


def test_page_with_no_main_text_is_a_warning_and_the_rest_is_extracted(project):
    (project / "seeds" / "a_story.htm").write_text(html_page("Blinken", WIRE_STORY), encoding="utf-8")
    (project / "seeds" / "b_index.html").write_text("<html><body><nav>Home | World</nav></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0, result.output
    assert "b_index.html: no main text found in the page; skipped" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout.startswith("1 article, ")
    assert "1 record without an article skipped" in result.stdout
    assert {s.article_id for s in read_statements(project / "annotations" / "statements.jsonl")} == {"a_story"}


def test_empty_html_file_is_a_bad_file(project):
    (project / "seeds" / "a.html").write_text(html_page("Blinken", WIRE_STORY), encoding="utf-8")
    (project / "seeds" / "b.html").write_bytes(b"  \n")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 1
    assert "Warning: " in result.stderr and "b.html: empty file" in result.stderr
    assert "1 bad file skipped" in result.stdout
