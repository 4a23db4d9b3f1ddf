"""The README's recipes for running extraction elsewhere: 🤗 datasets.map, Spark mapInPandas, a Dask cluster
started from the command line; each gives the bytes `stancebench extract` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import WIRE_STORY, other_story


def extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


@pytest.mark.slow
def test_the_readme_datasets_map_recipe_gives_what_extract_writes(project):
    # README "Past one machine": datasets.Dataset.map(num_proc=2) over a dump, copies linked on the driver.
    datasets = pytest.importorskip("datasets")
    from stancebench.corpus.distributed import ExtractJob, extract_columns, merge_columns
    from stancebench.corpus.extract import merge_statements
    from stancebench.store import read_statements, write_statements_atomic

    rows = [{"text": f"{other_story(i)}\n\n{WIRE_STORY}", "url": f"https://x.example/{i}"} for i in range(12)]
    rows[3] = {"text": "", "url": "https://x.example/empty"}
    rows[5] = {"text": other_story(5), "url": "https://x.example/off-topic"}
    for i in (2, 7, 10):  # one wire story from three sites, in different batches and processes
        rows[i] = {"text": f"Headline of site {i}\n\n{WIRE_STORY}", "url": f"https://site{i}.example/"}
    pq.write_table(pa.Table.from_pylist(rows), project / "seeds" / "news.parquet", row_group_size=5)
    assert extract().exit_code == 0
    expected = (project / "annotations" / "statements.jsonl").read_bytes()

    ds = datasets.load_dataset("parquet", data_files=str(project / "seeds" / "news.parquet"), split="train")
    job = ExtractJob.for_corpus()  # the target, actor table and [sources] settings of this corpus
    features = datasets.Features({
        "article_id": datasets.Value("string"), "signature": datasets.Sequence(datasets.Value("uint32")),
        "statements": datasets.Sequence(datasets.Value("string")), "warnings": datasets.Sequence(datasets.Value("string")),
        "dropped": datasets.Value("bool")})
    out = ds.map(extract_columns, batched=True, batch_size=4, with_indices=True, num_proc=2, features=features,
                 fn_kwargs={"source_file": "news.parquet", "job": job}, remove_columns=ds.column_names)
    statements, warnings = merge_columns(out, job.settings)
    assert warnings == ["news.parquet: row 4: no text; skipped"] and sum(out["dropped"]) == 1
    path = project / "annotations" / "from-datasets.jsonl"
    write_statements_atomic(path, merge_statements([], statements)[0])
    assert path.read_bytes() == expected
    assert any(s.copies for s in read_statements(path))  # the copies were grouped across batches and processes


def test_the_readme_spark_map_in_pandas_function_on_pandas_batches(project):
    # The function README gives to Spark's mapInPandas, fed pandas batches as Spark would (no Spark here):
    # pandas types (numpy ints, NaN for a missing text) and no row positions, so the dump has an id column.
    import pandas as pd

    from stancebench.corpus.distributed import ROW_COLUMNS, ExtractJob, extract_columns, merge_columns
    from stancebench.corpus.extract import merge_statements
    from stancebench.store import write_statements_atomic

    texts = [f"{other_story(i)}\n\n{WIRE_STORY}" for i in range(6)]
    texts[2] = None
    table = pa.table({"id": list(range(100, 106)), "text": texts})
    pq.write_table(table, project / "seeds" / "news.parquet", row_group_size=4)
    assert extract().exit_code == 0
    expected = (project / "annotations" / "statements.jsonl").read_bytes()

    job = ExtractJob.for_corpus()

    def extract_frames(frames):  # spark.read.parquet(...).mapInPandas(extract_frames, SCHEMA)
        for frame in frames:
            yield pd.DataFrame(extract_columns(frame.to_dict("list"), source_file="news.parquet", job=job))

    frames = (batch.to_pandas() for batch in pq.ParquetFile(project / "seeds" / "news.parquet").iter_batches(4))
    out = pd.concat(list(extract_frames(frames)))
    assert tuple(out.columns) == ROW_COLUMNS
    statements, warnings = merge_columns(out.to_dict("list"), job.settings)
    assert warnings == ["news.parquet: row 3: no text; skipped"]  # numbered within its batch (here the first)
    path = project / "annotations" / "from-spark.jsonl"
    write_statements_atomic(path, merge_statements([], statements)[0])
    assert path.read_bytes() == expected


@pytest.mark.slow
def test_extract_on_a_dask_scheduler_and_workers_started_from_the_command_line(project, tmp_path):
    # README: `dask scheduler` and `dask worker ADDRESS` (here both on this machine), then extract --scheduler.
    pytest.importorskip("dask.distributed")
    import os
    import subprocess
    import sys
    import time

    seeds = project / "seeds"
    (seeds / "a.txt").write_text(f"Blinken signals a shift\n\n{WIRE_STORY}", encoding="utf-8")
    rows = [{"id": f"j{i}", "text": f"{other_story(i)}\n\n{WIRE_STORY}"} for i in range(6)] + [{"text": ""}]
    (seeds / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = pa.table({"id": [f"p{i}" for i in range(6)], "body": [f"{other_story(100 + i)}\n\n{WIRE_STORY}" for i in range(6)]})
    pq.write_table(table, seeds / "d.parquet", row_group_size=2)  # three parts
    single = extract()
    assert single.exit_code == 0, single.output
    expected = (project / "annotations" / "statements.jsonl").read_bytes()
    (project / "annotations" / "statements.jsonl").unlink()
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    dask = [sys.executable, "-m"]  # what the `dask scheduler` and `dask worker` commands run
    scheduler = subprocess.Popen([*dask, "distributed.cli.dask_scheduler", "--port", "0", "--dashboard-address", ":0",
                                  "--scheduler-file", str(info)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = None
    try:
        for _ in range(300):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        workers = subprocess.Popen([*dask, "distributed.cli.dask_worker", address, "--nworkers", "2", "--nthreads", "1",
                                    "--dashboard-address", ":0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        on_cluster = extract("--scheduler", address)
        assert on_cluster.exit_code == 0 and on_cluster.stderr == single.stderr and on_cluster.stdout == single.stdout
        assert (project / "annotations" / "statements.jsonl").read_bytes() == expected
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
