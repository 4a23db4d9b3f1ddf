"""A corpus from someone else: symlinks, FIFOs, devices and odd names must not make a command
write outside the corpus, hang, eat memory or print a traceback."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.errors import InputError, StancebenchError
from stancebench.logs import append_label, read_label_logs, validate_annotator
from stancebench.store import read_bytes, write_text_atomic
from tests.support import REPO, make_statement, write_log, write_statements

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks, FIFOs and /dev/zero")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def corpus(project: Path) -> Path:
    write_statements(project, [make_statement(f"s{i}") for i in range(3)])
    return project


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    victim = tmp_path / "outside" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("echo hello\n", encoding="utf-8")
    return victim


def _event():
    from stancebench.schema import LabelEvent

    return LabelEvent("s0", "alice", "support", "2026-01-01T00:00:00.000Z", "1.0")


# --- symlinks ----------------------------------------------------------------------------------


def test_label_through_a_symlinked_log_is_refused_and_the_target_untouched(corpus, outside):
    (corpus / "annotations" / "labels" / "alice.jsonl").symlink_to(outside)
    result = run("label", "s0", "support", "--annotator", "alice", "--note", "$(rm -rf ~)")
    assert result.exit_code == 1
    assert "alice.jsonl: is a symbolic link; refusing to write through it" in result.output
    assert outside.read_text(encoding="utf-8") == "echo hello\n"


@pytest.mark.parametrize("command", ["label", "import-labels", "annotate"])
def test_every_label_writer_refuses_a_symlinked_labels_folder(corpus, outside, command, tmp_path):
    labels = corpus / "annotations" / "labels"
    labels.rmdir()
    labels.symlink_to(outside.parent, target_is_directory=True)
    rows = tmp_path / "rows.csv"
    rows.write_text("statement_id,label\ns0,support\n", encoding="utf-8")
    args = {
        "label": ["label", "s0", "support", "--annotator", "alice"],
        "import-labels": ["import-labels", str(rows), "--annotator", "alice"],
        "annotate": ["annotate", "--annotator", "alice"],
    }[command]
    result = run(*args, input="s\nq\n")
    assert "outside the corpus" in result.output, result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in outside.parent.iterdir()) == [".bashrc"]


def test_a_symlinked_lock_or_quarantine_file_is_refused(corpus, outside):
    labels = corpus / "annotations" / "labels"
    (labels / ".alice.jsonl.lock").symlink_to(outside)
    assert run("label", "s0", "support", "--annotator", "alice").exit_code == 1
    (labels / ".alice.jsonl.lock").unlink()
    log = write_log(corpus, "alice", _event().to_json())
    with log.open("ab") as handle:
        handle.write(b'{"annotator": "alice", "lab')  # a torn tail the next writer sets aside...
    (labels / "alice.jsonl.torn").symlink_to(outside)  # ...into a file that points outside
    result = run("label", "s1", "support", "--annotator", "alice")
    assert result.exit_code == 1
    assert "alice.jsonl.torn: is a symbolic link; refusing to write through it" in result.output
    assert outside.read_text(encoding="utf-8") == "echo hello\n"


def test_atomic_rewrites_never_follow_a_symlinked_folder_out(corpus, outside):
    gold = corpus / "annotations" / "gold.jsonl"
    gold.symlink_to(outside)  # a symlinked file is replaced by the file itself: the target stays
    write_text_atomic(gold, "{}\n")
    assert not gold.is_symlink() and outside.read_text(encoding="utf-8") == "echo hello\n"
    (corpus / "annotations" / "sub").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(InputError, match="outside the corpus"):
        write_text_atomic(corpus / "annotations" / "sub" / "gold.jsonl", "{}\n")
    assert sorted(p.name for p in outside.parent.iterdir()) == [".bashrc"]


def test_extract_and_adjudicate_refuse_a_symlinked_annotations_folder(corpus, outside):
    (corpus / "seeds" / "a1.txt").write_text('Title\n\n"We must lift the limits," said Jane Doe.\n', encoding="utf-8")
    (corpus / "annotations").rename(corpus / "annotations.real")
    (corpus / "annotations").symlink_to(outside.parent, target_is_directory=True)
    for args in (["extract"], ["adjudicate"]):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    assert sorted(p.name for p in outside.parent.iterdir()) == [".bashrc"]


# --- special files ---------------------------------------------------------------------------------


def _run_cli_in(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    code = "import sys; from stancebench.cli import main; sys.argv = ['stancebench', *sys.argv[1:]]; main()"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_a_fifo_as_label_log_neither_hangs_nor_is_written(corpus):
    os.mkfifo(corpus / "annotations" / "labels" / "alice.jsonl")
    for args in (["status"], ["label", "s0", "support", "--annotator", "alice"]):
        result = _run_cli_in(corpus, *args, timeout=30)  # a hang fails here with TimeoutExpired
        assert result.returncode == 1, result.stderr
        assert "alice.jsonl: is a FIFO (named pipe), not a regular file" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("where", ["annotations/labels/alice.jsonl", "seeds/a1.txt", "annotations/statements.jsonl"])
def test_a_file_linked_to_dev_zero_is_refused_at_once(corpus, where):
    path = corpus / where
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")
    args = ["extract"] if where.startswith("seeds") else ["status"]
    result = _run_cli_in(corpus, *args, timeout=30)
    assert result.returncode == 1, result.stderr
    assert "is a device, not a regular file; refusing to read it" in result.stderr
    assert "MemoryError" not in result.stderr


def test_reading_a_fifo_or_a_device_is_one_line_error(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.jsonl: is a FIFO"):
        read_bytes(fifo)
    with pytest.raises(InputError, match=r"null: is a device"):
        read_bytes("/dev/null")


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.jsonl"
    with big.open("wb") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GiB on paper, nothing on disk
    with pytest.raises(InputError, match=r"big\.jsonl: is 3,221,225,472 bytes, over the 2,147,483,648-byte limit"):
        read_bytes(big)


# --- deep nesting ----------------------------------------------------------------------------------


_DEEP = "[" * 20000 + "]" * 20000


def _eval(corpus: Path, *args: str) -> subprocess.CompletedProcess:
    return _run_cli_in(corpus, "eval", *args, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.jsonl", '{"id": "1", "label": "support"}\n{"id": "2", "label": ' + _DEEP + "}\n"),
        ("deep_array.jsonl", '[{"id": "1", "label": ' + _DEEP + "}]"),
        ("deep_first.jsonl", '{"id": "1", "label": "support", "x": ' + _DEEP + "}\n"),
    ],
)
def test_deeply_nested_predictions_are_refused_without_a_crash(corpus, name, content):
    (corpus / name).write_text(content, encoding="utf-8")
    result = _eval(corpus, "--predictions", name)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])  # not 139 (segfault)
    assert "JSON nested more than 200 levels deep; refusing to parse it" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_deeply_nested_gold_label_map_and_report_are_one_line_errors(corpus):
    (corpus / "gold.jsonl").write_text('{"id": "1", "text": "t", "label": ' + _DEEP + "}\n", encoding="utf-8")
    (corpus / "preds.jsonl").write_text('{"id": "1", "label": "support"}\n', encoding="utf-8")
    result = _eval(corpus, "--predictions", "preds.jsonl", "--gold", "gold.jsonl")
    assert result.returncode == 1 and "gold.jsonl:1: JSON nested more than 200" in result.stderr, result.stderr[-500:]
    (corpus / "map.json").write_text('{"FAVOR": ' + _DEEP + "}", encoding="utf-8")
    result = _eval(corpus, "--predictions", "preds.jsonl", "--label-map", "map.json")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-500:]
    assert "map.json:1: JSON nested more than 200" in result.stderr
    (corpus / "a.json").write_text('{"x": ' + _DEEP + "}", encoding="utf-8")
    result = _run_cli_in(corpus, "compare", "a.json", "a.json", timeout=60)
    assert result.returncode == 1 and "a.json:1: JSON nested more than 200" in result.stderr, result.stderr[-500:]


def test_check_json_depth_agrees_with_brackets_inside_strings():
    from stancebench.store import check_json_depth

    shallow = json.dumps({"note": "[" * 5000, "x": [[1]]}).encode()
    assert check_json_depth(shallow, "p") == shallow
    with pytest.raises(InputError, match=r"p:3: JSON nested more than 10 levels"):
        check_json_depth(b'{"a": 1}\n{"b": 2}\n' + json.dumps({"x": [[[[[[[[[[[[1]]]]]]]]]]]]}).encode(), "p", limit=10)


# --- names, modes, the fallback corpus ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["-", "--help", "-x", "CON", "con", "nul", "PRN.txt", "COM1", "lpt9", "aux.", "a."])
def test_names_a_shell_or_windows_would_misread_are_refused(name):
    with pytest.raises(StancebenchError, match="annotator name"):
        validate_annotator(name)


def test_an_over_long_name_is_not_echoed_whole(corpus):
    name = "x" * 5000
    result = run("label", "s0", "support", "--annotator", name)
    assert result.exit_code == 1
    assert "(5000 characters)" in result.output and len(result.output) < 300


def test_a_reserved_name_via_the_cli(corpus):
    result = run("label", "s0", "support", "--annotator", "CON")
    assert result.exit_code == 1
    assert "Error: annotator name 'CON' is a reserved device name on Windows" in result.output


def test_rewrites_keep_the_old_mode_and_new_files_honour_the_umask(corpus):
    statements = corpus / "annotations" / "statements.jsonl"
    statements.chmod(0o664)
    write_text_atomic(statements, statements.read_text(encoding="utf-8"))
    assert stat.S_IMODE(statements.stat().st_mode) == 0o664
    old = os.umask(0o002)
    try:
        write_text_atomic(corpus / "annotations" / "gold.jsonl", "")
        append_label(corpus / "annotations" / "labels" / "alice.jsonl", _event())
    finally:
        os.umask(old)
    assert stat.S_IMODE((corpus / "annotations" / "gold.jsonl").stat().st_mode) == 0o664
    assert stat.S_IMODE((corpus / "annotations" / "labels" / "alice.jsonl").stat().st_mode) == 0o664


def test_outside_any_corpus_writing_commands_refuse_and_reading_ones_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted((REPO / "annotations" / "labels").iterdir())
    result = run("label", "anything", "support", "--annotator", "stray")
    assert result.exit_code == 1
    assert "so 'label' would write into this package's own checkout" in result.output
    assert sorted((REPO / "annotations" / "labels").iterdir()) == before
    for args in (["import-labels", str(tmp_path / "x.csv"), "--annotator", "stray"], ["extract"], ["adjudicate"]):
        assert "would write into this package's own checkout" in run(*args).output
    assert run("status").exit_code == 0  # reading the bundled corpus is fine
    assert run("--root", str(REPO), "fsck").exit_code == 0


def test_the_maintainers_log_reads_unchanged():
    logs = read_label_logs(REPO / "annotations" / "labels", problems=(problems := []))
    assert len(logs["maintainers"]) == 23 and problems == []
