"""Extraction on Dask (a 2-worker LocalCluster) and in worker processes: the same bytes as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import WIRE_STORY, html_page, other_story, write_warc

pytest.importorskip("dask.distributed")


def mixed_seeds(project: Path) -> None:
    seeds = project / "seeds"
    (seeds / "a.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    (seeds / "b.html").write_text(html_page("US may let Kyiv strike", WIRE_STORY + "\n\nReporting by staff."), encoding="utf-8")
    rows = [{"id": f"j{i}", "text": f"{other_story(i)}\n\n{WIRE_STORY}"} for i in range(6)]
    (seeds / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"text": ""}\n', encoding="utf-8")
    table = pa.table({"id": [f"p{i}" for i in range(9)], "body": [f"{other_story(100 + i)}\n\n{WIRE_STORY}" for i in range(9)]})
    pq.write_table(table, seeds / "d.parquet", row_group_size=3)  # three parts
    write_warc(seeds / "e.warc.gz", [{"id": f"{i:04d}", "uri": f"https://x.example/{i}",
                                      "body": html_page(f"Story {i}", f"{other_story(200 + i)}\n{WIRE_STORY}")} for i in range(4)])


def extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


@pytest.mark.slow
def test_local_cluster_and_worker_processes_write_the_same_bytes(project):
    mixed_seeds(project)
    out = project / "annotations" / "statements.jsonl"
    single = extract()
    assert single.exit_code == 0, single.output
    expected = out.read_bytes()
    assert len(expected.splitlines()) > 20
    out.unlink()
    on_dask = extract("--scheduler", "local")
    assert on_dask.exit_code == 0, on_dask.output
    assert out.read_bytes() == expected
    assert on_dask.stdout == single.stdout
    assert not list((project / "annotations").glob(".extract-shards-*"))  # shards merged and removed
    out.unlink()
    pooled = extract("--jobs", "2")
    assert pooled.exit_code == 0, pooled.output
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
