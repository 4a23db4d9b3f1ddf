"""Article metadata in the release for every source kind, and what happens when a source is gone or changed."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.project import load_project
from stancebench.release import build as release
from stancebench.release.articles import article_table
from stancebench.release.inputs import read_statements as read_statement_table
from stancebench.store import read_statements
from tests.support import MIXED_SOURCES, gold, write_gold, write_mixed_seeds


@pytest.fixture
def mixed(project):
    """Mixed seeds, extracted, every canonical statement given gold by its speaker."""
    write_mixed_seeds(project / "seeds")
    assert CliRunner().invoke(cli, ["extract"]).exit_code == 0
    found = read_statements(project / "annotations" / "statements.jsonl")
    labels = ("support", "oppose", "hedge")
    write_gold(project, *(gold(s.id, labels[len(s.speaker) % 3]) for s in found if not s.canonical_id))
    return project


def articles(project) -> dict[str, dict]:
    table = article_table(load_project(), read_statement_table(load_project()), warnings := [])
    return {row["id"]: row for row in table.to_pylist()}, warnings


def test_every_source_kind_gives_title_outlet_date_url(mixed):
    found, warnings = articles(mixed)
    assert warnings == []
    warc_id = next(i for i in found if i.startswith("crawl-"))
    for article_id, key in (("reuters", "reuters"), ("dpa-42", "dpa-42"), (warc_id, "warc")):
        assert {k: found[article_id][k] for k in ("title", "outlet", "date", "url")} == MIXED_SOURCES[key]
    assert found["ap"]["title"] == "Blinken says US could let Ukraine hit Russia" and found["ap"]["url"] is None
    assert sorted(found) == sorted(["ap", "reuters", "dpa-42", warc_id])


def test_a_source_file_gone_keeps_the_recorded_url_and_warns(mixed):
    (mixed / "seeds" / "reuters.html").unlink()
    result = release.build(load_project())
    assert any(w.startswith(f"{mixed / 'seeds' / 'reuters.html'}: source file not found") for w in result.warnings)
    rows = [r for part in ("train", "test") if (mixed / "release" / "default" / f"{part}.parquet").exists()
            for r in pq.read_table(mixed / "release" / "default" / f"{part}.parquet").to_pylist()]
    reuters = [r for r in rows if r["article_id"] == "reuters"]
    assert reuters and all(r["url"] == MIXED_SOURCES["reuters"]["url"] and r["article_title"] is None for r in reuters)


def test_a_source_changed_since_extract_warns_and_keeps_the_rest(mixed):
    dump = mixed / "seeds" / "dpa.jsonl"
    row = json.loads(dump.read_text(encoding="utf-8"))
    dump.write_text(json.dumps({**row, "id": "43"}) + "\n", encoding="utf-8")  # the row now has another id
    found, warnings = articles(mixed)
    assert warnings == [f"{dump}: 1 article(s) with statements no longer found in it; title/outlet/date left empty"]
    assert found["dpa-42"]["title"] is None and found["dpa-42"]["url"] == MIXED_SOURCES["dpa-42"]["url"]
    assert found["reuters"]["outlet"] == "Reuters"  # the other sources are unaffected


def test_a_source_that_no_longer_reads_is_a_warning_not_a_crash(mixed):
    warc = next((mixed / "seeds").glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[:40])  # a truncated download
    found, warnings = articles(mixed)
    assert len(warnings) == 1 and warnings[0].startswith(str(warc)) and "left empty" in warnings[0]
    warc_id = next(i for i in found if i.startswith("crawl-"))
    assert found[warc_id]["url"] == MIXED_SOURCES["warc"]["url"] and found[warc_id]["title"] is None
