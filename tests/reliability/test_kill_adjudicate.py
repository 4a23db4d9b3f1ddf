"""SIGKILL that really lands mid-write, for adjudicate.

A forked adjudicator decides disputed statements with MB notes (appends to adjudications.jsonl)
and derives gold after each decision (an atomic rewrite of gold.jsonl holding those notes); the
parent kills it at a random point inside one of those writes, then checks that every
acknowledged decision is there with its whole note, that gold is the old file or the new one and
never loses an acknowledged decision, and that status, fsck and build still read the corpus.
Prints `rounds / acknowledged / landed mid-write / lost` (run with -s); lost must be 0.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench import store
from stancebench.annotation.adjudication import ADJUDICATOR_NOTE_KEY
from stancebench.annotation.labels import read_label_state
from stancebench.cli import cli
from stancebench.logs import append_labels
from stancebench.project import load_project
from stancebench.schema import LabelEvent
from tests.support import KillRound, ends_torn, kill_corpus, status_works

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

ROUNDS = 50
STATEMENTS = 300


def _disputed_corpus(project: Path) -> None:
    kill_corpus(project, STATEMENTS)
    for annotator, label in (("alice", "support"), ("bob", "oppose")):  # one against one: every statement disputed
        append_labels(project / "annotations" / "labels" / f"{annotator}.jsonl", [
            LabelEvent(f"s{i:05d}", annotator, label, "2026-01-01T00:00:00.000Z", "1.1", None, False)
            for i in range(STATEMENTS)])


def _gold_decisions(project: Path) -> dict[str, str]:
    """statement id -> the adjudicator note's marker, for every adjudicated gold record (the file must be whole)."""
    path = project / "annotations" / "gold.jsonl"
    if not path.exists():
        return {}
    return {g.statement_id: g.notes[ADJUDICATOR_NOTE_KEY].split(":", 1)[0]
            for g in store.read_gold(path) if g.method == "adjudicated"}


def _cli_works(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output[-2000:]


def test_adjudicate_killed_mid_write_loses_no_acknowledged_decision(project):
    _disputed_corpus(project)
    killer = KillRound(seed=5)
    counter = [0]

    def work(say: Callable[[str], None]) -> None:
        from stancebench.annotation.adjudication import adjudicate_corpus
        from stancebench.annotation.opening import open_adjudication_session

        rng = random.Random(os.getpid())
        n = counter[0]
        note = [""]
        corpus = load_project(project)
        session = open_adjudication_session(corpus, "judge", ask=lambda _: note[0])
        while not session.is_finished:
            sid = session.current.id
            note[0] = f"m{n}:" + "y" * rng.randint(100_000, 1_000_000)  # MB records
            session.handle_key("n")
            session.handle_key("soh"[n % 3])
            say(f"d {sid} m{n} {len(note[0])}")
            adjudicate_corpus(corpus)
            say(f"g {sid}")
            n += 1

    lost = gold_checks = 0
    killed_in = [0, 0]  # rounds killed inside a decision's append, inside a gold rewrite
    for round_ in range(ROUNDS):
        acks = killer.run(work)
        counter[0] += len(acks) + 1  # markers are never reused, even for a decision killed unacknowledged
        state = read_label_state(load_project(project))
        decisions = {sid: e for sid, e in state.decisions.items() if e.annotator == "judge"}
        gold = _gold_decisions(project)
        decided_before_gold: dict[str, str] = {}
        for ack in acks:
            kind, sid, *rest = ack.split()
            if kind == "d":
                marker, size = rest[0], int(rest[1])
                event = decisions.get(sid)
                lost += event is None or not event.note or event.note.split(":", 1)[0] != marker
                assert event is not None and event.note is not None and len(event.note) == size, f"round {round_}: {sid}"
                decided_before_gold[sid] = marker
                killer.acked_total += 1
            else:  # an acknowledged gold write holds every decision acknowledged before it
                gold_checks += 1
                missing = {s for s, m in decided_before_gold.items() if gold.get(s) != m}
                lost += len(missing)
                assert not missing, f"round {round_}: acknowledged decisions missing from gold: {sorted(missing)[:5]}"
        debris = list((project / "annotations").glob(".gold.jsonl.*.tmp"))  # a rewrite killed before its rename
        torn = ends_torn(project / "annotations" / "adjudications.jsonl")
        killed_in[0] += torn
        killed_in[1] += bool(debris)
        killer.mid_write += torn or bool(debris)
        for path in debris:
            path.unlink()  # what `fsck --repair` removes
        if round_ % 10 == 9:
            _readers_work(project)
        if round_ % 5 == 4 and round_ < ROUNDS - 1:  # checked: start over with every statement disputed again
            for path in (project / "annotations" / "adjudications.jsonl", project / "annotations" / "gold.jsonl"):
                path.unlink(missing_ok=True)
    killer.summary(f"adjudicate ({gold_checks} acknowledged gold rewrites checked; killed inside {killed_in[0]} "
                   f"decision appends, {killed_in[1]} gold rewrites)", lost=lost)
    assert lost == 0
    assert killer.mid_write >= ROUNDS // 25  # the kills really land inside writes (measured: see the printed summary)


def _readers_work(project: Path) -> None:
    status_works()
    _cli_works("fsck", "--repair")  # sets torn decisions aside, removes the killed rewrites' temp files
    _cli_works("fsck")
    _cli_works("adjudicate")
    if _gold_decisions(project):
        _cli_works("build")
    else:  # every kill of this stretch came before its first decision was written: there is nothing to release
        result = CliRunner().invoke(cli, ["build"])
        assert result.exit_code == 1 and "no on-target gold statements" in result.output, result.output[-2000:]
