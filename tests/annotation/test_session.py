"""The annotation loop as a library: keys, notes, undo, resume, filters, guidelines version, start-up."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stancebench.annotation.labelling import UNVERSIONED, guidelines_version
from stancebench.annotation.opening import open_adjudication_session, open_annotation_session
from stancebench.errors import InputError, StancebenchError
from stancebench.logs import read_label_log
from stancebench.project import load_project
from tests.support import REPO, make_statement, write_log, write_statements


def corpus(project: Path, n: int = 4, **overrides) -> list:
    statements = [
        make_statement(f"s{i}", f"Statement {i} about the limits.", context=f"Before. Statement {i} about the limits. After.")
        for i in range(1, n + 1)
    ]
    write_statements(project, statements)
    (project / "annotations" / "GUIDELINES.md").write_text("# Codebook\n\nVersion: 2.1\n", encoding="utf-8")
    return statements


def rec(sid: str, label: str, **extra) -> dict:
    """A label-log line as a hand-written dict (the annotator comes from the file name)."""
    return {"statement_id": sid, "label": label, "timestamp": "2026-01-01T00:00:00Z", "guidelines_version": "2.1", **extra}


def labels_in_log(project: Path, name: str) -> list[tuple[str, str | None]]:
    return [(e.statement_id, e.label) for e in read_label_log(project / "annotations" / "labels" / f"{name}.jsonl")]


def test_keys_label_skip_and_quit(project):
    corpus(project)
    session = open_annotation_session(load_project(), "bob")
    assert session.current.id == "s1" and session.progress == "0/4"
    assert session.handle_key("s").label == "support"
    assert session.handle_key("o").label == "oppose"
    assert session.handle_key("k").message == "skipped"
    assert session.current.id == "s4"
    outcome = session.handle_key("x")
    assert outcome.is_finished
    assert "3 labels saved this session (3/4 done); 1 statement(s) left for next time" in outcome.message
    assert labels_in_log(project, "bob") == [("s1", "support"), ("s2", "oppose"), ("s4", "off_target")]
    event = read_label_log(project / "annotations" / "labels" / "bob.jsonl")[0]
    assert event.guidelines_version == "2.1" and event.annotator == "bob"


def test_next_session_resumes_at_first_unlabelled(project):
    corpus(project)
    first = open_annotation_session(load_project(), "bob")
    first.handle_key("s")
    first.handle_key("k")
    first.handle_key("h")
    assert first.handle_key("q").is_finished
    second = open_annotation_session(load_project(), "bob")
    assert second.current.id == "s2" and second.progress == "2/4"


def test_note_is_attached_to_the_next_label_of_that_item(project):
    corpus(project)
    notes = iter(["conditional permission, rule 5"])
    session = open_annotation_session(load_project(), "bob", ask=lambda prompt: next(notes))
    assert "note kept" in session.handle_key("n").message
    assert "Note (saved with your label or skip): conditional permission, rule 5" in session.render(columns=200)
    session.handle_key("h")
    session.handle_key("s")
    events = read_label_log(project / "annotations" / "labels" / "bob.jsonl")
    assert [(e.statement_id, e.note) for e in events] == [("s1", "conditional permission, rule 5"), ("s2", None)]


def test_undo_retracts_and_goes_back(project):
    corpus(project)
    session = open_annotation_session(load_project(), "bob")
    session.handle_key("s")
    session.handle_key("o")
    assert session.handle_key("u").message == "undone: your label of s2 is withdrawn"
    assert session.current.id == "s2" and session.progress == "1/4"
    session.handle_key("h")
    assert labels_in_log(project, "bob") == [("s1", "support"), ("s2", "oppose"), ("s2", None), ("s2", "hedge")]


def test_undo_reaches_labels_from_an_earlier_session(project):
    corpus(project)
    first = open_annotation_session(load_project(), "bob")
    first.handle_key("s")
    second = open_annotation_session(load_project(), "bob")
    assert second.current.id == "s2"
    second.handle_key("u")
    assert second.current.id == "s1"
    assert second.handle_key("u").message == "nothing to undo"


def test_help_guidelines_and_unknown_keys(project):
    corpus(project)
    session = open_annotation_session(load_project(), "bob")
    assert "u  undo your last label" in session.handle_key("?").page
    assert "Version: 2.1" in session.handle_key("g").page
    assert session.handle_key("z").message == "unknown key 'z'; press ? for help"
    assert session.handle_key("S").label == "support"  # capitals work too


def test_screen_shows_speaker_context_title_and_progress(project):
    corpus(project)
    session = open_annotation_session(load_project(), "bob")
    screen = session.render()
    assert "[0/4 labelled by bob]  statement s1" in screen
    assert "Speaker: Jane Doe (Foreign Minister, Ruritania)" in screen
    assert "Context: Before. »Statement 1 about the limits.« After." in screen
    assert "Article: a1" in screen  # no seed file for a1: the id stands in for the title


def test_article_title_comes_from_the_seed(project):
    seed = REPO / "seeds" / "000_8c75088e5995e160.txt"
    (project / "seeds" / seed.name).write_bytes(seed.read_bytes())
    write_statements(project, [make_statement("s1", article_id=seed.stem)])
    session = open_annotation_session(load_project(), "bob")
    title = "Blinken signals US may let Ukraine strike inside Russia with American weapons"
    try:
        import stancebench.corpus.articles  # noqa: F401
    except ImportError:
        title = seed.stem
    assert f"Article: {title}" in session.render(columns=200)


def test_stale_statements_are_not_shown(project):
    write_statements(project, [make_statement("s1", is_stale=True), make_statement("s2")])
    session = open_annotation_session(load_project(), "bob")
    assert session.queue == ["s2"] and session.total == 1


def test_shuffle_is_repeatable_with_a_seed(project):
    corpus(project, n=20)
    order = open_annotation_session(load_project(), "bob", order="random", seed=7).queue
    again = open_annotation_session(load_project(), "bob", order="random", seed=7).queue
    assert order == again and order != sorted(order, key=lambda sid: int(sid[1:]))
    assert open_annotation_session(load_project(), "bob", order="shuffle", seed=7).queue == order  # the old name
    with pytest.raises(StancebenchError, match="unknown order 'sideways'"):
        open_annotation_session(load_project(), "bob", order="sideways")


def test_max_labels_and_disputed_filters(project):
    corpus(project)
    write_log(project, "alice", rec("s1", "support"), rec("s2", "hedge"))
    write_log(project, "carol", rec("s1", "oppose"), rec("s2", "hedge"))
    write_log(project, "dave", rec("s3", "oppose"))
    ids = lambda session: session.queue  # noqa: E731
    assert ids(open_annotation_session(load_project(), "bob", max_labels=1)) == ["s4"]
    assert ids(open_annotation_session(load_project(), "bob", max_labels=2)) == ["s3", "s4"]
    assert ids(open_annotation_session(load_project(), "bob", is_disputed_only=True)) == ["s1"]


def test_refused_labels_outside_the_corpus_label_set(project):
    corpus(project)
    config = project / "stancebench.toml"
    config.write_text(config.read_text().replace('"hedge", "off_target"', '"hedge"'), encoding="utf-8")
    session = open_annotation_session(load_project(), "bob")
    assert session.handle_key("x").message.startswith("label 'off_target' is not used in this corpus")


def test_adjudication_session_covers_disputed_items_and_shows_labels(project):
    corpus(project)
    write_log(project, "alice", rec("s1", "support", note="rule 7"), rec("s2", "hedge"))
    write_log(project, "bob", rec("s1", "hedge"), rec("s2", "hedge"))
    session = open_adjudication_session(load_project(), "judge")
    assert session.queue == ["s1"]
    screen = session.render()
    assert "alice: support  (note: rule 7)" in screen and "bob: hedge" in screen
    assert session.handle_key("s").is_finished
    (decision,) = read_label_log(project / "annotations" / "adjudications.jsonl")
    assert (decision.statement_id, decision.annotator, decision.label) == ("s1", "judge", "support")
    assert open_adjudication_session(load_project(), "judge").is_finished


# --- guidelines version ------------------------------------------------------------------------------


def test_repository_guidelines_carry_a_version():
    version = guidelines_version(REPO / "annotations" / "GUIDELINES.md")
    assert re.fullmatch(r"\d+\.\d+", version)


@pytest.mark.parametrize("line", ["Version: 1.2", "**Version:** 1.2", "version: 1.2", "> Version: 1.2"])
def test_guidelines_version_line_forms(tmp_path, line):
    path = tmp_path / "GUIDELINES.md"
    path.write_text(f"# Codebook\n\n{line}\n\nText.\n", encoding="utf-8")
    assert guidelines_version(path) == "1.2"


def test_guidelines_without_a_version_line(tmp_path):
    path = tmp_path / "GUIDELINES.md"
    path.write_text("# Codebook\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"GUIDELINES\.md: no 'Version: X' line in the first 30 lines"):
        guidelines_version(path)
    assert guidelines_version(tmp_path / "missing.md") == UNVERSIONED


# --- start-up cost ---------------------------------------------------------------------------------

_HEAVY = ("datasets", "torch", "sklearn", "pandas")
_PROBE = """
import json, sys
from stancebench.cli import cli
try:
    cli(sys.argv[1:], prog_name="stancebench", standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in ("datasets", "torch", "sklearn", "pandas") if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "args, keys",
    [
        (["annotate", "--annotator", "bob"], "q\n"),
        (["label", "s1", "support", "--annotator", "bob"], ""),
        (["--help"], ""),
    ],
)
def test_first_screen_and_label_import_nothing_heavy(project, args, keys):
    corpus(project)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], input=keys, capture_output=True, text=True, cwd=project, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
