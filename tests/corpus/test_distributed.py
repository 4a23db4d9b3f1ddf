"""Extraction on Dask (a 2-worker LocalCluster) and in worker processes: the same bytes as one process."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import WIRE_STORY, html_page, other_story, truncate, write_warc

pytest.importorskip("dask.distributed")


def mixed_seeds(project: Path) -> None:
    seeds = project / "seeds"
    (seeds / "a.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    (seeds / "b.html").write_text(html_page("US may let Kyiv strike", WIRE_STORY + "\n\nReporting by staff."), encoding="utf-8")
    rows = [{"id": f"j{i}", "text": f"{other_story(i)}\n\n{WIRE_STORY}"} for i in range(6)]
    (seeds / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"text": ""}\n', encoding="utf-8")
    table = pa.table({"id": [f"p{i}" for i in range(9)], "body": [f"{other_story(100 + i)}\n\n{WIRE_STORY}" for i in range(9)]})
    pq.write_table(table, seeds / "d.parquet", row_group_size=3)  # three parts
    pages = [{"id": f"{i:04d}", "uri": f"https://x.example/{i}",
              "body": html_page(f"Story {i}", f"{other_story(200 + i)}\n{WIRE_STORY}")} for i in range(4)]
    write_warc(seeds / "e.warc.gz", pages)
    broken = [{"id": f"g{i}", "text": f"{other_story(300 + i)}\n\n{WIRE_STORY}"} for i in range(30)]
    (seeds / "f.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in broken).encode(), mtime=0))
    truncate(seeds / "f.jsonl.gz")  # a bad file: its first rows are kept, the command exits 1


def extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


@pytest.mark.slow
def test_local_cluster_and_worker_processes_write_the_same_bytes(project):
    mixed_seeds(project)
    out = project / "annotations" / "statements.jsonl"
    single = extract()
    assert single.exit_code == 1 and "f.jsonl.gz:" in single.stderr and "Traceback" not in single.output
    expected = out.read_bytes()
    assert len(expected.splitlines()) > 20
    out.unlink()
    on_dask = extract("--scheduler", "local")
    assert on_dask.exit_code == 1 and on_dask.stderr == single.stderr
    assert out.read_bytes() == expected
    assert on_dask.stdout == single.stdout
    assert not list((project / "annotations").glob(".extract-shards-*"))  # shards merged and removed
    out.unlink()
    pooled = extract("--jobs", "2")
    assert pooled.exit_code == 1 and pooled.stderr == single.stderr
    assert out.read_bytes() == expected


def test_unreachable_scheduler_is_a_one_line_error(project):
    import dask

    (project / "seeds" / "a.txt").write_text(WIRE_STORY, encoding="utf-8")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(cli, ["extract", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (project / "annotations").iterdir()) == ["labels"]  # nothing written


def test_past_the_size_limit_statements_go_to_parquet_and_read_back(project):
    from stancebench.project import load_project
    from stancebench.store import read_statements

    config = project / "stancebench.toml"
    config.write_text(config.read_text() + "\n[sources]\njsonl_max_statements = 3\n", encoding="utf-8")
    (project / "seeds" / "a.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    (project / "seeds" / "b.txt").write_text(f"US may let Kyiv strike\n\n{WIRE_STORY}", encoding="utf-8")
    first = extract()
    assert first.exit_code == 0, first.output
    annotations = project / "annotations"
    assert not (annotations / "statements.jsonl").exists()
    assert load_project(project).statements_path == annotations / "statements.parquet"
    stored = read_statements(annotations / "statements.parquet")
    assert len(stored) > 3 and any(s.copies for s in stored) and all(s.source_file for s in stored)
    again = extract()
    assert again.exit_code == 0
    assert f"0 new, {len(stored)} unchanged, 0 stale" in again.stdout
    assert read_statements(annotations / "statements.parquet") == stored
    status = CliRunner().invoke(cli, ["status"])
    assert status.exit_code == 0, status.output


def test_rows_in_memory_give_the_statements_the_file_gives(tmp_path):
    # What a Spark mapInPandas or datasets.map batch calls: the same ids and provenance as reading the file.
    from stancebench.corpus.distributed import ExtractJob, extract_part, extract_rows
    from stancebench.corpus.sources import partition

    rows = [{"body": f"{other_story(i)}\n\n{WIRE_STORY}", "link": f"https://x.example/{i}"} for i in range(5)]
    rows.insert(2, {"body": "", "link": "https://x.example/empty"})
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "news.parquet", row_group_size=3)
    job = ExtractJob("lift-ukraine-strike-restrictions", tmp_path / "actors.tsv")
    from_file = [extract_part(part, job) for part in partition([tmp_path / "news.parquet"])]
    in_memory = [extract_rows(rows[:3], "news.parquet", job), extract_rows(rows[3:], "news.parquet", job, first_row=4)]
    assert [r.statements for r in in_memory] == [r.statements for r in from_file]
    assert [str(w) for r in in_memory for w in r.warnings] == ["news.parquet: row 3: no text; skipped"]
    assert {s.article_id for r in in_memory for s in r.statements} == {f"news-row{n}" for n in (1, 2, 4, 5, 6)}

