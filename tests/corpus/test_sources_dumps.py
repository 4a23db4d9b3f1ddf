"""News dumps as sources: JSONL, CSV and parquet rows, column conventions, bad rows and files, the topic filter."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.corpus.sources import SourceSettings, partition
from stancebench.corpus.sources.dumps import read_dump
from stancebench.store import read_statements
from tests.support import WIRE_STORY, other_story, truncate


def run():
    return CliRunner().invoke(cli, ["extract"])


def statements(project: Path):
    return read_statements(project / "annotations" / "statements.jsonl")


def story(n: int) -> str:
    # Different enough not to be syndicated copies of each other, each on the target.
    return f"Story number {n}. {other_story(n)}\n\n{WIRE_STORY}" if n else WIRE_STORY


def write_jsonl(path: Path, rows: list[dict], compress: bool = False) -> Path:
    data = "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def test_jsonl_rows_become_articles_with_stable_ids_and_provenance(project):
    rows = [{"id": "ap-1", "headline": "Blinken signals shift", "body": story(0), "link": "https://ap.example/1",
             "published": "2024-05-29", "source": "AP"},
            {"id": "ap-2", "headline": "Another", "body": story(1) + " Extra words for a different text " * 30}]
    write_jsonl(project / "seeds" / "news.jsonl", rows)
    result = run()
    assert result.exit_code == 0, result.output
    found = statements(project)
    assert {s.article_id for s in found} == {"news-ap-1", "news-ap-2"}
    first = [s for s in found if s.article_id == "news-ap-1"]
    assert {(s.source_file, s.source_record, s.url) for s in first} == {("news.jsonl", "ap-1", "https://ap.example/1")}
    before = (project / "annotations" / "statements.jsonl").read_bytes()
    assert run().exit_code == 0
    assert (project / "annotations" / "statements.jsonl").read_bytes() == before  # ids and file stable


def test_row_without_text_and_bad_json_line_are_warnings_naming_the_line(project):
    path = project / "seeds" / "feed.jsonl"
    path.write_text(json.dumps({"text": WIRE_STORY}) + "\n" + json.dumps({"text": "  ", "title": "x"}) + "\n{oops\n",
                    encoding="utf-8")
    result = run()
    assert result.exit_code == 0, result.output
    assert "feed.jsonl:2: no text; skipped" in result.stderr
    assert "feed.jsonl:3: not valid JSON" in result.stderr
    assert "2 records without an article skipped" in result.stdout
    assert {s.article_id for s in statements(project)} == {"feed-row1"}  # no id column: the row number


def test_csv_by_convention_and_column_override(project):
    import csv

    with (project / "seeds" / "export.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["article_id", "maintext", "url", "story"])
        writer.writerow(["7", story(0), "https://x.example/7", ""])
        writer.writerow(["8", "", "https://x.example/8", story(2)])
    result = run()
    assert result.exit_code == 0, result.output
    assert "export.csv: row 2: no text; skipped" in result.stderr
    assert {s.article_id for s in statements(project)} == {"export-7"}
    # Named in stancebench.toml instead: the `story` column is the text.
    config = project / "stancebench.toml"
    config.write_text(config.read_text() + '\n[sources.columns]\ntext = "story"\n', encoding="utf-8")
    result = run()
    assert result.exit_code == 0, result.output
    assert "export.csv: row 1: no text; skipped" in result.stderr
    live = {s.article_id for s in statements(project) if not s.is_stale}
    assert live == {"export-8"}


def test_csv_without_a_text_column_is_a_bad_file_and_the_rest_is_extracted(project):
    (project / "seeds" / "a.csv").write_text("id,title\n1,Headline only\n", encoding="utf-8")
    write_jsonl(project / "seeds" / "b.jsonl", [{"text": WIRE_STORY}])
    result = run()
    assert result.exit_code == 1
    assert "a.csv: no text column (looked for text, content, body, maintext, article; name it with sources.columns.text" \
        in result.stderr
    assert "1 bad file skipped" in result.stdout and "Traceback" not in result.output
    assert {s.article_id for s in statements(project)} == {"b-row1"}


def test_override_naming_a_missing_column_is_a_bad_file(project):
    config = project / "stancebench.toml"
    config.write_text(config.read_text() + '\n[sources.columns]\ntext = "Body"\n', encoding="utf-8")
    write_jsonl(project / "seeds" / "a.jsonl", [{"text": WIRE_STORY}])
    result = run()
    assert result.exit_code == 1
    assert "a.jsonl: no column 'Body' (sources.columns.text in stancebench.toml); columns: text" in result.stderr


def test_truncated_gzip_keeps_the_rows_before_the_break(project):
    rows = [{"id": str(i), "text": story(i)} for i in range(40)]
    truncate(write_jsonl(project / "seeds" / "big.jsonl.gz", rows, compress=True), keep=0.5)
    (project / "seeds" / "other.txt").write_text(WIRE_STORY, encoding="utf-8")
    result = run()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "big.jsonl.gz:" in result.stderr and "truncated or unreadable after line" in result.stderr
    ids = {s.article_id for s in statements(project)}
    assert "other" in ids and "big-0" in ids and "big-39" not in ids


def test_truncated_csv_gzip_is_reported(project):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    for i in range(60):
        writer.writerow([i, story(i)])
    path = project / "seeds" / "dump.csv.gz"
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    truncate(path, keep=0.5)
    result = run()
    assert result.exit_code == 1
    assert "dump.csv.gz:" in result.stderr and "truncated or unreadable" in result.stderr


def _parquet(path: Path, n: int, row_group_size: int) -> Path:
    table = pa.table({"id": [f"r{i}" for i in range(n)], "content": [story(i) for i in range(n)],
                      "title": [f"Title {i}" for i in range(n)]})
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def test_parquet_is_read_by_row_group_with_global_row_numbers(tmp_path):
    path = _parquet(tmp_path / "d.parquet", 10, 4)
    parts = list(partition([path]))
    assert [p.row_group for p in parts] == [0, 1, 2]
    settings = SourceSettings(batch_rows=3)
    ids = [item.article.id for p in parts for item in read_dump(path, settings, row_group=p.row_group)]
    assert ids == [f"d-r{i}" for i in range(10)]


def test_parquet_row_with_no_text_names_the_row(project):
    table = pa.table({"text": [WIRE_STORY, None, ""], "title": ["a", "b", "c"]})
    pq.write_table(table, project / "seeds" / "p.parquet")
    result = run()
    assert result.exit_code == 0, result.output
    assert "p.parquet: row 2: no text; skipped" in result.stderr
    assert "p.parquet: row 3: no text; skipped" in result.stderr
    assert {s.article_id for s in statements(project)} == {"p-row1"}


def test_topic_filter_keeps_target_articles_and_reports_counts(project):
    rows = [{"id": "on", "text": story(0)}, {"id": "off1", "text": other_story(1)}, {"id": "off2", "text": other_story(2)}]
    write_jsonl(project / "seeds" / "mixed.jsonl", rows)
    (project / "seeds" / "handpicked.txt").write_text(other_story(3) + ' "We build it," the mayor said.', encoding="utf-8")
    result = run()
    assert result.exit_code == 0, result.output
    assert "topic filter kept 1, dropped 2" in result.stdout
    assert {s.article_id for s in statements(project)} >= {"mixed-on"}
    assert not {"mixed-off1", "mixed-off2"} & {s.article_id for s in statements(project)}


def test_topic_keywords_from_the_config(project):
    config = project / "stancebench.toml"
    config.write_text(config.read_text() + '\n[sources]\ntopic_keywords = ["mayor"]\n', encoding="utf-8")
    write_jsonl(project / "seeds" / "mixed.jsonl", [{"id": "on", "text": story(0)}, {"id": "off", "text": other_story(1)}])
    result = run()
    assert "topic filter kept 1, dropped 1" in result.stdout  # story(0) never says "mayor"


def test_bad_sources_config_names_the_problem(project):
    config = project / "stancebench.toml"
    config.write_text(config.read_text() + "\n[sources]\ndedup_threshold = 2\n", encoding="utf-8")
    result = run()
    assert result.exit_code == 1
    assert "stancebench.toml: sources.dedup_threshold must be a number from 0 (off) to 1" in result.output


def test_csv_row_with_the_wrong_number_of_fields_is_a_warning(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,"Kyiv asked, officials said."\n2,too,many,fields\n3,"Third row\nover two lines"\n',
                    encoding="utf-8")
    items = [str(i) if not hasattr(i, "article") else i.article.id for i in read_dump(path, SourceSettings())]
    assert items == ["a-1", f"{path}: row 2: 2 columns expected, 4 found; skipped", "a-3"]  # in row order


def test_topic_settings_default_by_target_and_bad_values():
    import pytest

    from stancebench import codebook
    from stancebench.corpus.topic import TopicFilter
    from stancebench.errors import InputError

    assert SourceSettings.from_config({}, codebook.TARGET_ID).topic_keywords == codebook.TARGET_KEYWORDS
    assert SourceSettings.from_config({}, "ban-x").topic_keywords == ()  # another target: keep every article
    assert SourceSettings.from_config({"sources": {"topic_keywords": ["a", "b"]}}, "ban-x").topic_keywords == (("a", "b"),)
    assert SourceSettings.from_config({"sources": {"topic_keywords": False}}, codebook.TARGET_ID).topic_keywords == ()
    with pytest.raises(InputError, match="sources.topic_keywords must be a list of words"):
        SourceSettings.from_config({"sources": {"topic_keywords": [["ok"], [3]]}}, "x")
    with pytest.raises(InputError, match="sources.columns: unknown field 'txt'"):
        SourceSettings.from_config({"sources": {"columns": {"txt": "body"}}}, "x")
    bundled = TopicFilter(codebook.TARGET_KEYWORDS)
    assert bundled.matches("Kyiv wants to use Storm Shadow missiles against targets in Russia")
    assert not bundled.matches("Ukrainian grain exports to Russia's neighbours rose")  # no weapons group word
    assert TopicFilter([["strike*"]]).matches("after the STRIKES on Belgorod")  # a trailing * takes any ending
    assert not TopicFilter([["arms"]]).matches("a farmstead near the river")  # whole words only
    assert TopicFilter([["red line*"]]).matches("crossing  red\nlines")  # a space matches any run of spaces
