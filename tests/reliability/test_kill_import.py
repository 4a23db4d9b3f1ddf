"""SIGKILL that really lands mid-write, for import-labels.

A forked writer signals just before each write call; the parent kills it at a random point
inside the write (timed from the earlier writes), then checks that every acknowledged write is
on disk and every reader still works. Each test prints `rounds / acknowledged / landed
mid-write / lost` (run with -s to see it); lost must be 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from stancebench import logs
from stancebench.project import load_project
from stancebench.schema import LABELS
from tests.support import KillRound, kill_corpus, log_events, status_works

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

ROUNDS = 50


def test_import_labels_killed_mid_write_leaves_all_rows_or_none(project, tmp_path):
    rows = 2000
    kill_corpus(project, rows)
    csv = tmp_path / "rows.csv"
    csv.write_text("statement_id,label,note\n" + "".join(
        f"s{i:05d},{LABELS[i % 3]},{'why ' * 60}{i}\n" for i in range(rows)), encoding="utf-8")
    killer = KillRound(seed=2)
    outcomes = {"none": 0, "all": 0}
    for round_ in range(ROUNDS):
        name = f"r{round_}"

        def work(say: Callable[[str], None], name: str = name) -> None:
            from stancebench.annotation.labelling import import_labels

            say(f"imported {import_labels(load_project(project), csv, name)}")

        acks = killer.run(work, let_through=int(round_ % 5 == 4))  # every fifth import runs to the end
        log = project / "annotations" / "labels" / f"{name}.jsonl"
        found = len(log_events(log))
        killer.mid_write += found == 0 and log.exists() and log.stat().st_size > 0  # bytes there, batch unfinished
        assert found in (0, rows), f"round {round_}: {found} of {rows} rows"
        if acks:
            killer.acked_total += rows
            assert found == rows
        outcomes["all" if found else "none"] += 1
        # The re-run completes the import and never duplicates:
        from stancebench.annotation.labelling import import_labels

        if round_ % 5 == 0:  # a re-run completes an import killed early, and never duplicates one
            for _ in range(1 if found else 2):
                import_labels(load_project(project), csv, name)
            events = logs.read_label_log(log, problems=[])
            assert len(events) == rows and len({e.statement_id for e in events}) == rows
    status_works()
    killer.summary(f"import-labels ({outcomes['all']} rounds all, {outcomes['none']} none)", lost=0)
    assert killer.mid_write >= ROUNDS // 25  # the kills really land inside writes (measured: see the printed summary)
