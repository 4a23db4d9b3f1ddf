"""Navigation (b, j, --review, --disputed, --only-flagged) and the screen (wrap, legend, help, plurals)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from stancebench.annotation.opening import _is_flagged, open_annotation_session
from stancebench.annotation.screen import LEGEND
from stancebench.logs import read_label_log
from stancebench.project import load_project
from stancebench.schema import Statement
from tests.support import make_statement, read_until, write_log, write_statements

LONG = ("Officials said the extraordinarily-long-hyphenated-compound and the counter-escalation "
        "argument were weighed against the supercalifragilisticexpialidocious request, repeatedly, "
        "before anyone decided anything about the restrictions on long-range weapons.")


@pytest.fixture
def four(project: Path) -> Path:
    write_statements(project, [make_statement(f"s{i}", f"Statement {i} about the limits.") for i in range(1, 5)])
    (project / "annotations" / "GUIDELINES.md").write_text("# Codebook\n\nVersion: 1.0\n", encoding="utf-8")
    return project


def labels(project: Path, name: str = "a") -> list[tuple[str, str | None]]:
    path = project / "annotations" / "labels" / f"{name}.jsonl"
    return [(e.statement_id, e.label) for e in read_label_log(path, annotator=name)]


def rec(sid: str, label: str) -> dict:
    return {"statement_id": sid, "label": label, "timestamp": "2026-01-01T00:00:00Z", "guidelines_version": "1.0"}


def test_back_goes_to_the_previous_statement(four, stancebench):
    result = stancebench("annotate", "--annotator", "a", input="s\no\nb\nh\nq\n")
    assert result.exit_code == 0, result.output
    assert "back to s2" in result.output and "Your label: oppose" in result.output
    assert labels(four) == [("s1", "support"), ("s2", "oppose"), ("s2", "hedge")]  # latest wins
    again = stancebench("annotate", "--annotator", "a", input="b\nq\n")  # a new session: back reaches the last label
    assert "back to s2" in again.output


def test_jump_to_an_id_then_carry_on(four, stancebench):
    result = stancebench("annotate", "--annotator", "a", input="j\ns4\nx\nj\nnope\ns\nq\n")
    assert result.exit_code == 0, result.output
    assert "jumped to s4" in result.output and "unknown statement id 'nope'" in result.output
    assert labels(four) == [("s4", "off_target"), ("s1", "support")]


def test_review_own_labels_and_disputed_ones(four, stancebench):
    write_log(four, "a", rec("s1", "support"), rec("s2", "oppose"))
    write_log(four, "b", rec("s2", "hedge"))
    result = stancebench("annotate", "--annotator", "a", "--review", input="k\nh\nq\n")
    assert result.exit_code == 0, result.output
    assert "statement s1" in result.output and "Your label: support" in result.output
    assert labels(four)[-1] == ("s2", "hedge")
    disputed = stancebench("annotate", "--annotator", "b", "--review", "--disputed", input="q\n")
    assert "statement s2" not in disputed.output  # a now agrees with b on s2
    write_log(four, "b", rec("s1", "oppose"))
    disputed = stancebench("annotate", "--annotator", "b", "--review", "--disputed", input="q\n")
    assert "statement s1" in disputed.output and "statement s2" not in disputed.output


def test_only_flagged_reads_speaker_source_when_statements_have_it(four, stancebench):
    assert _is_flagged(SimpleNamespace(speaker_source="pronoun"))
    assert not _is_flagged(SimpleNamespace(speaker_source="named")) and not _is_flagged(SimpleNamespace())
    has_field = "speaker_source" in {f.name for f in dataclasses.fields(Statement)}
    if has_field:  # after the extraction stage records how each speaker was found
        write_statements(four, [make_statement("s1", speaker_source="named"),
                                make_statement("s2", speaker_source="pronoun")])
    result = stancebench("annotate", "--annotator", "a", "--only-flagged", input="q\n")
    assert result.exit_code == 0, result.output
    if has_field:
        assert "statement s2" in result.output and "statement s1" not in result.output
    else:
        assert "statements carry no speaker_source" in result.output


def test_screen_wraps_at_word_boundaries_and_the_legend_fits_80_columns(project):
    write_statements(project, [make_statement("s1", LONG, speaker="Jane Doe")])
    screen = open_annotation_session(load_project(), "a").render(columns=60)
    for line in screen.splitlines():
        if not line.startswith(("[", "fix:")):
            assert len(line) <= 60 or " " not in line.strip(), line  # only an unbreakable word may overflow
    body = " ".join(line.strip() for line in screen.split("Statement (direct): ")[1].split("Context:")[0].splitlines())
    assert body == LONG  # rejoined on spaces: no word was broken
    assert all(len(line) <= 80 for line in LEGEND.splitlines())


def test_help_plurals_and_the_summary_on_its_own_line(project, stancebench):
    write_statements(project, [make_statement("s1"), make_statement("s2", "Second one.")])
    result = stancebench("annotate", "--annotator", "a", input="?\ns\no\n")
    assert result.exit_code == 0, result.output
    assert "\n\n\n" not in result.output  # no run of blank lines around the help
    assert "[?]help [q]uit\nKeys:\n" in result.output
    assert "s2: oppose\n2 labels saved this session (2/2 done); nothing left in this queue" in result.output
    write_statements(project, [make_statement("s1"), make_statement("s2", "Second one."), make_statement("s3", "Third.")])
    one = stancebench("annotate", "--annotator", "a", input="s\n")
    assert "s3: support\n1 label saved this session (3/3 done)" in one.output


def test_terminal_keys_back_jump_and_help(four):
    master, slave = __import__("pty").openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from stancebench.cli import main; main()", "annotate", "--annotator", "tty"],
        stdin=slave, stdout=slave, stderr=slave, cwd=four, env={**os.environ, "TERM": "dumb", "COLUMNS": "80"},
    )
    os.close(slave)
    try:
        assert b"statement s1" in read_until(master, b"[q]uit")
        for key, expect in [(b"s", b"statement s2"), (b"b", b"back to s1"), (b"?", b"this help")]:
            time.sleep(0.4)  # let getchar put the terminal in raw mode
            os.write(master, key)
            assert expect in read_until(master, expect)
        time.sleep(0.4)
        os.write(master, b"j")
        assert b"Jump to statement id" in read_until(master, b"Jump to statement id")
        os.write(master, b"s3\r")
        assert b"jumped to s3" in read_until(master, b"jumped to s3")
        time.sleep(0.4)
        os.write(master, b"q")
        out = read_until(master, b"left for next time")
        assert re.search(rb"1 label saved this session \(1/4 done\)", out), out
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert labels(four, "tty") == [("s1", "support")]
