"""The id index beside statements.jsonl: written by extract, checked against the file, rebuilt when stale."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.annotation.labelling import StatementIndex, read_statement
from stancebench.cli import cli
from stancebench.errors import InputError, StancebenchError
from stancebench.id_index import index_path, open_id_index
from stancebench.logs import read_label_log
from stancebench.project import load_project
from tests.support import make_statement, write_statements

ARTICLE = 'Allies weigh strikes\n\n"We must lift the limits on strikes inside Russia," said Jane Doe.\n'
OTHER = 'Allies weigh strikes\n\n"We must not allow any strikes inside Russia with these weapons," said John Roe.\n'


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def _statements(project: Path) -> Path:
    return project / "annotations" / "statements.jsonl"


def _ids(project: Path) -> list[str]:
    return [json.loads(line)["id"] for line in _statements(project).read_text(encoding="utf-8").splitlines()]


def test_extract_writes_the_index_in_a_gitignored_cache(project):
    (project / "seeds" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    assert run("extract").exit_code == 0
    cache = index_path(_statements(project)).parent
    assert cache == project / "annotations" / ".cache"
    assert index_path(_statements(project)).is_file()
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_extract_to_another_file_writes_no_index_beside_it(project):
    (project / "seeds" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    out = project / "elsewhere" / "statements.jsonl"
    out.parent.mkdir()
    assert run("extract", "--output", str(out)).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["statements.jsonl"]
    assert not (project / "annotations" / ".cache").exists()


def test_re_extract_then_label_sees_the_new_statements(project):
    (project / "seeds" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    assert run("extract").exit_code == 0
    first = _ids(project)
    assert run("label", first[0], "support", "--annotator", "alice").exit_code == 0
    (project / "seeds" / "a2.txt").write_text(OTHER, encoding="utf-8")
    assert run("extract").exit_code == 0
    new = [sid for sid in _ids(project) if sid not in first]
    assert new
    result = run("label", new[0], "oppose", "--annotator", "alice")
    assert result.exit_code == 0, result.output
    assert [e.statement_id for e in read_label_log(project / "annotations" / "labels" / "alice.jsonl")] == [first[0], new[0]]


@pytest.mark.parametrize("edit", ["appended", "rewritten in place, same size", "replaced", "index deleted",
                                  "index torn", "index garbage"])
def test_an_index_that_no_longer_fits_the_file_is_rebuilt(project, edit):
    path = write_statements(project, [make_statement("s1", "One."), make_statement("s2", "Two.")])
    assert read_statement(load_project(), "s2").text == "Two."  # builds and stores the index
    stored = index_path(path)
    if edit == "appended":
        with path.open("a", encoding="utf-8") as handle:
            handle.write(make_statement("s3", "Three.").to_json() + "\n")
        wanted = ("s3", "Three.")
    elif edit == "rewritten in place, same size":
        before = os.stat(path)
        with path.open("r+b") as handle:  # same inode and size, the mtime put back
            handle.write(path.read_bytes().replace(b'"s1"', b'"s9"').replace(b"One.", b"Nin."))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        wanted = ("s9", "Nin.")
    elif edit == "replaced":
        write_statements(project, [make_statement("s0", "Zero, a longer first line."), make_statement("s2", "Deux.")])
        wanted = ("s2", "Deux.")
    elif edit == "index deleted":
        stored.unlink()
        wanted = ("s1", "One.")
    elif edit == "index torn":
        stored.write_bytes(stored.read_bytes()[:-3])
        wanted = ("s2", "Two.")
    else:
        stored.write_bytes(b'{"format": 7}\n\x00\xff garbage')
        wanted = ("s1", "One.")
    index = open_id_index(path)  # checked against the file before any lookup could repair it
    assert index.ids() == [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert index.records == len(index.ids())
    assert read_statement(load_project(), wanted[0]).text == wanted[1]


def test_a_stale_index_on_disk_does_not_hide_or_misplace_a_statement(project):
    # An earlier file's index, forged to carry this file's checks: lookups check what they read, and rebuild.
    path = write_statements(project, [make_statement("s1", "One."), make_statement("s2", "Two.")])
    open_id_index(path)
    old_header, _, old_body = index_path(path).read_bytes().partition(b"\n")
    write_statements(project, [make_statement("s2", "Two, first now."), make_statement("s3", "Three.")])
    open_id_index(path)
    forged = {**json.loads(old_header), "signature": json.loads(index_path(path).read_bytes().partition(b"\n")[0])["signature"]}
    index_path(path).write_bytes(json.dumps(forged).encode() + b"\n" + old_body)
    index = StatementIndex(path)
    assert index.ids == ["s1", "s2"]  # the forged index is taken at its word...
    assert index.get("s2").text == "Two, first now."  # ...until a lookup reads the file
    assert index.resolve("s3") == "s3" and index.ids == ["s2", "s3"]
    index_path(path).write_bytes(json.dumps(forged).encode() + b"\n" + old_body)
    with pytest.raises(StancebenchError, match="unknown statement id 's1'"):
        StatementIndex(path).get("s1")


def test_a_bad_line_is_named_by_file_and_line_when_it_is_read(project):
    path = write_statements(project, [make_statement(f"s{i}") for i in range(4)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"start": 0', '"start": "zero"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("label", "s3", "support", "--annotator", "alice").exit_code == 0  # s2 is not read
    result = run("label", "s2", "support", "--annotator", "alice")
    assert result.exit_code == 1
    assert "statements.jsonl:3: " in result.output and "start" in result.output
    assert "Traceback" not in result.output


def test_a_file_extract_did_not_write_is_checked_in_full_when_indexed(project):
    path = write_statements(project, [make_statement("s1"), make_statement("s2")])
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[1]["quote_type"] = "sideways"
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(InputError, match=r"statements.jsonl:2: unknown quote_type 'sideways'"):
        read_statement(load_project(), "s1")


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_the_index_is_never_written_outside_the_corpus(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "annotations" / ".cache").symlink_to(outside, target_is_directory=True)
    write_statements(project, [make_statement("s1"), make_statement("s2", "Two.")])
    assert read_statement(load_project(), "s2").text == "Two."  # works without a stored index
    result = run("label", "s2", "support", "--annotator", "alice")
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []


def test_a_statements_file_outside_any_corpus_gets_no_index(tmp_path):
    path = tmp_path / "loose" / "statements.jsonl"
    path.parent.mkdir()
    path.write_text(make_statement("s1").to_json() + "\n", encoding="utf-8")
    assert StatementIndex(path).get("s1").id == "s1"
    assert sorted(p.name for p in path.parent.iterdir()) == ["statements.jsonl"]


def test_stale_and_syndicated_copies_come_from_the_index(project):
    write_statements(project, [make_statement("s1", is_stale=True), make_statement("s2"),
                               make_statement("s3", canonical_id="s2"), make_statement("s4")])
    index = StatementIndex(_statements(project))
    assert index.stale == {"s1"} and index.copies() == {"s3"}
    assert index.live_ids() == ["s2", "s4"] and len(index) == 4
    assert index.first_live(lambda sid: sid == "s2") == "s4"


@pytest.mark.parametrize("text", ["", "\n", "\n\n"])
def test_an_empty_statements_file_has_an_empty_index(project, text):
    _statements(project).write_text(text, encoding="utf-8")
    index = StatementIndex(_statements(project))
    assert index.ids == [] and len(index) == 0 and index.first_live(lambda sid: False) is None
    with pytest.raises(StancebenchError, match="unknown statement id 's1'"):
        read_statement(load_project(), "s1")


@pytest.mark.parametrize("wanted", ["s\udcff", "s\n1", "\udcff"])
def test_an_id_no_statement_can_have_is_unknown_not_a_crash(project, wanted):
    write_statements(project, [make_statement("s1"), make_statement("s2")])
    with pytest.raises(StancebenchError, match="unknown statement id"):
        read_statement(load_project(), wanted)


@pytest.mark.parametrize("sid", ["line\nbreak", "lone \ud800 surrogate"])
def test_ids_the_index_cannot_hold_are_read_in_full(project, sid):
    records = [make_statement("s1").to_dict(), make_statement(sid, "Odd.").to_dict()]
    _statements(project).write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records), encoding="utf-8")
    assert read_statement(load_project(), sid).text == "Odd."
    assert StatementIndex(_statements(project)).ids == ["s1", sid]


@pytest.mark.parametrize("odd", [
    {}, {"sid": 'quo"te'}, {"sid": "back\\slash"}, {"sid": "tab\there"}, {"sid": "sp ace \u00e9\U0001F600"},
    {"sid": ""}, {"canonical_id": 'c"1'}, {"canonical_id": "c\\1"}, {"canonical_id": ""}, {"is_stale": True},
    {"sid": "line\nbreak"}, {"many": 600},
])
def test_the_index_extract_makes_from_what_it_wrote_is_the_one_a_scan_of_the_file_makes(project, odd):
    from stancebench.id_index import _signature, _written, write_id_index
    from stancebench.store import write_statements_atomic

    odd = dict(odd)
    statements = [make_statement(f"s{i:04d}", f"We must lift the limits {i} \u201cnow\u201d.", start=i, end=i + 5,
                                 is_stale=i % 7 == 3, canonical_id="s0000" if i % 5 == 4 else None)
                  for i in range(odd.pop("many", 6))]
    sid = odd.pop("sid", None)
    statements[2] = replace(statements[2], **odd, **({"id": sid} if sid is not None else {}))
    path = _statements(project)
    lines = write_statements_atomic(path, statements)
    assert b"\n".join(lines) + b"\n" == path.read_bytes()
    write_id_index(path, statements, lines)
    from_memory = index_path(path).read_bytes() if index_path(path).exists() else None
    index_path(path).unlink(missing_ok=True)
    write_id_index(path)
    assert from_memory == (index_path(path).read_bytes() if index_path(path).exists() else None)
    assert (from_memory is None) == (sid == "line\nbreak")
    fd = os.open(path, os.O_RDONLY)
    try:
        made = _written(statements, lines, _signature(fd, os.fstat(fd)))
    finally:
        os.close(fd)
    assert (made is None) == (sid is not None and any(c in sid for c in '"\\\t\n'))  # ids written with escapes are scanned


def test_an_index_is_not_made_from_lines_the_file_no_longer_holds(project):
    from stancebench.id_index import _signature, _written, write_id_index
    from stancebench.store import write_statements_atomic

    statements = [make_statement(f"s{i}") for i in range(3)]
    path = _statements(project)
    lines = write_statements_atomic(path, statements)
    with path.open("r+b") as handle:  # the same size, another id
        handle.write(path.read_bytes().replace(b'"id": "s1"', b'"id": "s9"'))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _written(statements, lines, _signature(fd, os.fstat(fd))) is None
    finally:
        os.close(fd)
    write_id_index(path, statements, lines)
    assert StatementIndex(path).ids == ["s0", "s9", "s2"]
