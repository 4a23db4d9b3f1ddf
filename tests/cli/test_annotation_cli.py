"""The annotation commands, driven the way a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.logs import read_label_log
from tests.support import make_statement, read_until, write_log, write_statements


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def rec(sid: str, label: str | None, **extra) -> dict:
    return {"statement_id": sid, "label": label, "timestamp": "2026-01-01T00:00:00Z", "guidelines_version": "1.0", **extra}


@pytest.fixture
def corpus(project: Path) -> Path:
    """Four statements and a versioned codebook."""
    write_statements(project, [
        make_statement("s1", "We must lift the limits."),
        make_statement("s2", "No change to our policy right now."),
        make_statement("s3", "It is under consideration."),
        make_statement("s4", "The aid package is large."),
    ])
    (project / "annotations" / "GUIDELINES.md").write_text("# Codebook\n\nVersion: 1.0\n", encoding="utf-8")
    return project


def log_of(project: Path, name: str) -> Path:
    return project / "annotations" / "labels" / f"{name}.jsonl"


# --- every command has help -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_text(name):
    command = cli.commands[name]
    assert (command.help or "").strip(), f"{name} has no help text"
    result = run(name, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


# --- annotate ----------------------------------------------------------------------------------------


def test_annotate_from_a_pipe_writes_each_label(corpus):
    result = run("annotate", "--annotator", "bob", input="s\no\nq\n")
    assert result.exit_code == 0, result.output
    assert "[0/4 labelled by bob]  statement s1" in result.output
    assert "s1: support" in result.output and "s2: oppose" in result.output
    assert "2 labels saved this session (2/4 done); 2 statement(s) left for next time" in result.output
    assert [(e.statement_id, e.label) for e in read_label_log(log_of(corpus, "bob"))] == [("s1", "support"), ("s2", "oppose")]
    again = run("annotate", "--annotator", "bob", input="")  # end of input quits
    assert "[2/4 labelled by bob]  statement s3" in again.output


def test_annotate_note_and_undo(corpus):
    result = run("annotate", "--annotator", "bob", input="n\nrule 2 applies\no\nu\nh\nq\n")
    assert result.exit_code == 0, result.output
    assert "undone: your label of s1 is withdrawn" in result.output
    events = read_label_log(log_of(corpus, "bob"))
    assert [(e.statement_id, e.label, e.note, e.is_retraction) for e in events] == [
        ("s1", "oppose", "rule 2 applies", False), ("s1", None, None, True), ("s1", "hedge", None, False),
    ]


def test_annotate_with_everything_done(corpus):
    for sid in ("s1", "s2", "s3", "s4"):
        write_log(corpus, "bob", rec(sid, "hedge"))
    result = run("annotate", "--annotator", "bob", input="s\n")
    assert result.exit_code == 0
    assert "0 labels saved this session (4/4 done); nothing left in this queue" in result.output


def test_annotate_bad_annotator_name(corpus):
    result = run("annotate", "--annotator", "../x", input="q\n")
    assert result.exit_code == 1
    assert "Error: invalid annotator name '../x'" in result.output
    assert not (corpus / "annotations" / "x.jsonl").exists()


# --- label ---------------------------------------------------------------------------------------------


def test_label_one_statement(corpus):
    result = run("label", "s2", "oppose", "--annotator", "alice", "--note", "rule 2")
    assert result.exit_code == 0, result.output
    assert result.output == "alice: s2 = oppose\n"
    (event,) = read_label_log(log_of(corpus, "alice"))
    assert (event.statement_id, event.label, event.note, event.guidelines_version) == ("s2", "oppose", "rule 2", "1.0")


def test_label_accepts_a_unique_id_prefix(project):
    write_statements(project, [make_statement("abc123"), make_statement("abd456")])
    assert run("label", "abc", "hedge", "--annotator", "alice").output == "alice: abc123 = hedge\n"
    result = run("label", "ab", "hedge", "--annotator", "alice")
    assert result.exit_code == 1
    assert "Error: statement id prefix 'ab' matches 2 statements; give more of it" in result.output


def test_label_unknown_label(corpus):
    result = run("label", "s1", "maybe", "--annotator", "alice")
    assert result.exit_code == 1
    assert result.output == "Error: unknown label 'maybe' (expected one of: support, oppose, hedge, off_target)\n"
    assert "did you mean 'support'?" in run("label", "s1", "suport", "--annotator", "alice").output
    assert not log_of(corpus, "alice").exists()


def test_label_unknown_statement_id(corpus):
    result = run("label", "zzz", "support", "--annotator", "alice")
    assert result.exit_code == 1
    assert "Error: unknown statement id 'zzz' (not in " in result.output
    assert "statements.jsonl)" in result.output


def test_label_bad_annotator_name(corpus):
    result = run("label", "s1", "support", "--annotator", "../x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: invalid annotator name '../x'; use 1-64 letters, digits")


def test_label_stale_statement(project):
    write_statements(project, [make_statement("old", is_stale=True)])
    result = run("label", "old", "support", "--annotator", "alice")
    assert result.exit_code == 1
    assert "Error: statement 'old' is stale" in result.output


def test_missing_statements_file(project):
    result = run("label", "s1", "support", "--annotator", "alice")
    assert result.exit_code == 1
    assert "statements.jsonl: file not found; run 'stancebench extract' first" in result.output
    assert run("status").exit_code == 1


# --- import-labels ------------------------------------------------------------------------------------


def test_import_labels_csv(corpus, tmp_path):
    source = tmp_path / "labels.csv"
    source.write_text("statement_id,label,note\ns1,support,\ns2,oppose,\"restated, rule 2\"\n", encoding="utf-8")
    result = run("import-labels", str(source), "--annotator", "alice")
    assert result.exit_code == 0, result.output
    assert result.output == "imported 2 label(s) for alice\n"
    events = read_label_log(log_of(corpus, "alice"))
    assert [(e.statement_id, e.label, e.note) for e in events] == [("s1", "support", None), ("s2", "oppose", "restated, rule 2")]


def test_import_labels_jsonl(corpus, tmp_path):
    source = tmp_path / "labels.jsonl"
    source.write_text('{"statement_id": "s3", "label": "hedge"}\n\n{"statement_id": "s4", "label": "off_target"}\n')
    assert run("import-labels", str(source), "--annotator", "alice").exit_code == 0
    assert [e.label for e in read_label_log(log_of(corpus, "alice"))] == ["hedge", "off_target"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("statement_id,label\ns1,support\ns2,maybe\n", "labels.csv:3: unknown label 'maybe'"),
        ("statement_id,label\ns1,support\nnope,hedge\n", "labels.csv:3: unknown statement id 'nope'"),
        ("statement_id,label\ns1,support\ns1,hedge\n", "labels.csv:3: statement 's1' already labelled on line 2"),
        ("statement_id,label\ns1,\n", "labels.csv:2: missing label"),
        ("statement_id,stance\ns1,hedge\n", "labels.csv:1: missing column 'label'"),
        ("statement_id,label\ns1,hedge,extra\n", "labels.csv:2: 3 cells, but the header has 2"),
        ("statement_id,label,annotator\ns1,hedge,bob\n", "labels.csv:2: row is by annotator 'bob', not 'alice'"),
        ("", "labels.csv: no labels in the file"),
    ],
)
def test_import_labels_bad_row_writes_nothing(corpus, tmp_path, content, message):
    write_log(corpus, "alice", rec("s4", "hedge"))
    before = log_of(corpus, "alice").read_bytes()
    source = tmp_path / "labels.csv"
    source.write_text(content, encoding="utf-8")
    result = run("import-labels", str(source), "--annotator", "alice")
    assert result.exit_code == 1
    assert message in result.output
    assert log_of(corpus, "alice").read_bytes() == before


def test_import_labels_bad_jsonl_line(corpus, tmp_path):
    source = tmp_path / "labels.jsonl"
    source.write_text('{"statement_id": "s1", "label": "hedge"}\n{"statement_id": "s2", "label": \n')
    result = run("import-labels", str(source), "--annotator", "alice")
    assert result.exit_code == 1
    assert "labels.jsonl:2: not valid JSON" in result.output
    assert not log_of(corpus, "alice").exists()


# --- status, agreement, bad logs --------------------------------------------------------------------


def test_status_text_and_json(corpus):
    write_log(corpus, "alice", rec("s1", "support"), rec("s2", "oppose"))
    write_log(corpus, "bob", rec("s1", "support"), rec("s2", "hedge"))
    result = run("status")
    assert result.exit_code == 0, result.output
    assert "labelled: 2  unlabelled: 2" in result.output
    assert "with 1 label: 0  2 labels: 2  3+ labels: 0" in result.output
    assert "disputed: 1" in result.output
    assert "alice: labelled 2/4, remaining 2, disputed 1 (oppose 1, support 1)" in result.output
    data = json.loads(run("status", "--json").output)
    assert data["with_2_labels"] == 2 and data["annotators"]["bob"]["by_label"] == {"hedge": 1, "support": 1}


def test_agreement_table_and_json(corpus):
    write_log(corpus, "alice", rec("s1", "support"), rec("s2", "oppose"), rec("s3", "hedge"))
    write_log(corpus, "bob", rec("s1", "support"), rec("s2", "hedge"), rec("s3", "hedge"))
    result = run("agreement")
    assert result.exit_code == 0, result.output
    assert "Krippendorff alpha (nominal)" in result.output and "Cohen kappa alice / bob" in result.output
    assert "s2  alice=oppose, bob=hedge  No change to our policy right now." in result.output
    data = json.loads(run("agreement", "--json").output)
    assert data["observed_agreement"] == {"value": pytest.approx(2 / 3), "items": 3, "reason": None}
    assert data["pairs"][0]["items"] == 3
    assert data["disagreements"] == [{"statement_id": "s2", "text": "No change to our policy right now.",
                                      "labels": {"alice": "oppose", "bob": "hedge"}}]


def test_agreement_with_one_annotator(corpus):
    write_log(corpus, "alice", rec("s1", "support"))
    result = run("agreement")
    assert result.exit_code == 0
    assert "agreement needs at least two annotators; found 1 (alice)" in result.output
    data = json.loads(run("agreement", "--json").output)
    assert data["krippendorff_alpha"]["value"] is None and data["reason"].startswith("agreement needs at least two")


def test_unknown_label_in_a_log_names_file_and_line(project):
    write_log(project, "alice", '{"statement_id": "s1", "label": "maybe"}')
    result = run("agreement")
    assert result.exit_code == 1
    assert "alice.jsonl:1: unknown label 'maybe'" in result.output


def test_malformed_line_mid_log(corpus):
    write_log(corpus, "alice", rec("s1", "support"), "{oops", rec("s2", "oppose"))
    result = run("status")
    assert result.exit_code == 1
    assert "alice.jsonl:2: not valid JSON" in result.output


def test_torn_final_line_is_a_warning(corpus):
    log = write_log(corpus, "alice", rec("s1", "support"))
    with log.open("a") as handle:
        handle.write('{"statement_id": "s2", "lab')
    result = run("status")  # click >= 8.2 keeps stderr apart in result.stderr
    assert result.exit_code == 0
    assert "alice.jsonl:2: torn line (an interrupted write) skipped" in result.stderr
    assert "labelled: 1" in result.stdout


def test_empty_log(corpus):
    log_of(corpus, "alice").write_text("")
    write_log(corpus, "bob", rec("s1", "hedge"))
    result = run("agreement")
    assert result.exit_code == 0
    assert "alice.jsonl: empty label log (no events)" in result.output
    assert "agreement needs at least two annotators; found 1 (bob)" in result.output


def test_log_named_like_a_path_trick(corpus):
    (corpus / "annotations" / "labels" / "a b.jsonl").write_text(json.dumps(rec("s1", "hedge")) + "\n")
    result = run("status")
    assert result.exit_code == 1
    assert "a b.jsonl: log file name is not an annotator name (invalid annotator name 'a b'" in result.output


# --- adjudicate -----------------------------------------------------------------------------------------


def test_adjudicate_writes_gold_and_lists_unresolved(corpus):
    write_log(corpus, "alice", rec("s1", "support"), rec("s2", "oppose", note="rule 2"), rec("s3", "hedge"))
    write_log(corpus, "bob", rec("s1", "support"), rec("s2", "hedge"))
    result = run("adjudicate")
    assert result.exit_code == 0, result.output
    assert "(single 1, unanimous 1, majority 0, adjudicated 0)" in result.output
    assert "1 disputed statement(s) without a decision" in result.output and "  s2" in result.output
    gold = [json.loads(line) for line in (corpus / "annotations" / "gold.jsonl").read_text().splitlines()]
    assert [(g["statement_id"], g["method"], g["label"]) for g in gold] == [
        ("s1", "unanimous", "support"), ("s3", "single", "hedge"),
    ]

    decided = run("adjudicate", "--interactive", "--adjudicator", "judge", input="o\n")
    assert decided.exit_code == 0, decided.output
    assert "alice: oppose  (note: rule 2)" in decided.output and "bob: hedge" in decided.output
    assert "(single 1, unanimous 1, majority 0, adjudicated 1)" in decided.output
    gold = [json.loads(line) for line in (corpus / "annotations" / "gold.jsonl").read_text().splitlines()]
    assert gold[1] == {
        "statement_id": "s2", "label": "oppose", "method": "adjudicated", "adjudicator": "judge",
        "annotations": {"alice": "oppose", "bob": "hedge"}, "notes": {"alice": "rule 2"},
        "target_id": "lift-ukraine-strike-restrictions",
    }


def test_adjudicate_interactive_needs_a_name(corpus):
    result = run("adjudicate", "--interactive")
    assert result.exit_code == 1
    assert "Error: --interactive needs --adjudicator NAME" in result.output


# --- a real terminal ------------------------------------------------------------------------------------


def test_annotate_in_a_terminal_reads_single_keys_and_survives_ctrl_c(corpus):
    import os
    import pty
    import subprocess
    import sys
    import time

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from stancebench.cli import main; main()", "annotate", "--annotator", "tty"],
        stdin=slave, stdout=slave, stderr=slave, cwd=corpus, env={**os.environ, "TERM": "dumb"},
    )
    os.close(slave)
    try:
        assert b"statement s1" in read_until(master, b"[?]")
        time.sleep(0.5)  # let getchar put the terminal in raw mode (it flushes keys typed before)
        os.write(master, b"h")  # one key, no Enter
        assert b"statement s2" in read_until(master, b"statement s2")
        time.sleep(0.5)
        os.write(master, b"\x03")  # Ctrl-C
        assert b"Stopped. 1 label saved this session (1/4 done)" in read_until(master, b"left for next time")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert [(e.statement_id, e.label) for e in read_label_log(log_of(corpus, "tty"))] == [("s1", "hedge")]


def test_agreement_leaves_out_stale_and_unknown_statements(project):
    write_statements(project, [make_statement("s1"), make_statement("old", is_stale=True)])
    write_log(project, "alice", rec("s1", "support"), rec("old", "hedge"), rec("gone", "hedge"))
    write_log(project, "bob", rec("s1", "oppose"), rec("old", "oppose"), rec("gone", "oppose"))
    data = json.loads(run("agreement", "--json").output)
    assert data["labelled_items"] == 1
    assert [item["statement_id"] for item in data["disagreements"]] == ["s1"]
