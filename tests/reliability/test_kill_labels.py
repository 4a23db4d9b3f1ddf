"""SIGKILL that really lands mid-write, for label and annotate.

A forked writer signals just before each write call; the parent kills it at a random point
inside the write (timed from the earlier writes), then checks that every acknowledged write is
on disk and every reader still works. Each test prints `rounds / acknowledged / landed
mid-write / lost` (run with -s to see it); lost must be 0.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest

from stancebench.project import load_project
from stancebench.schema import LABELS
from tests.support import (
    KillRound,
    ends_torn,
    kill_corpus,
    log_events,
    rotate_log,
    status_works,
)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

ROUNDS = 50


def test_label_killed_mid_write_loses_no_acknowledged_label(project):
    kill_corpus(project, 50)
    log = project / "annotations" / "labels" / "alice.jsonl"
    killer = KillRound(seed=1)
    acked: list[str] = []
    counter = [0]

    def work(say: Callable[[str], None]) -> None:
        from stancebench.annotation.labelling import label_statement

        corpus = load_project(project)
        i = counter[0]
        while True:
            note = f"n{i}:" + "x" * random.randint(1_000_000, 4_000_000)  # MB records
            label_statement(corpus, f"s{i % 50:05d}", LABELS[i % 3], "alice", note)
            say(f"n{i}:")
            i += 1

    for _ in range(ROUNDS):
        acks = killer.run(work)
        killer.mid_write += ends_torn(log)
        acked.extend(acks)
        counter[0] += len(acks) + 1  # the killed write's note number is never reused
        killer.acked_total += len(acks)
        notes = {e.note.split(":", 1)[0] + ":" for e in log_events(log)}
        lost = len(set(acked) - notes)
        assert lost == 0
        acked.clear()  # checked; the log may now be rotated
        rotate_log(log)
    status_works()
    killer.summary("label", lost=lost)
    assert killer.mid_write >= ROUNDS // 25  # the kills really land inside writes (measured: see the printed summary)


def test_annotate_killed_mid_write_loses_no_acknowledged_label(project):
    kill_corpus(project, 400)
    log = project / "annotations" / "labels" / "bob.jsonl"
    killer = KillRound(seed=3)
    acked: list[str] = []

    def work(say: Callable[[str], None]) -> None:
        from stancebench.annotation.opening import open_annotation_session

        session = open_annotation_session(load_project(project), "bob", ask=lambda _: "y" * 1_500_000)
        while not session.is_finished:
            sid = session.current.id
            session.handle_key("n")
            session.handle_key("soh"[len(sid) % 3])
            say(sid)

    for _ in range(ROUNDS):
        acks = killer.run(work)
        killer.mid_write += ends_torn(log)
        acked.extend(acks)
        killer.acked_total += len(acks)
        lost = len(set(acked) - {e.statement_id for e in log_events(log)})
        assert lost == 0
        acked.clear()
        rotate_log(log)
    status_works()
    killer.summary("annotate", lost=lost)
    assert killer.mid_write >= ROUNDS // 25  # the kills really land inside writes (measured: see the printed summary)
