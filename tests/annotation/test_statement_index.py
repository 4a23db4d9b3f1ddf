"""`label` and the first screen find statements by a bytes scan; every other kind of file still reads right."""

from __future__ import annotations

import json

import pytest

from stancebench.annotation.labelling import StatementIndex, read_statement
from stancebench.errors import InputError, StancebenchError
from stancebench.project import load_project
from tests.support import make_statement, write_statements


def _path(project):
    return project / "annotations" / "statements.jsonl"


def test_index_parses_only_what_is_asked_for(project):
    statements = [make_statement(f"s{i}", f"Text {i}.") for i in range(5)]
    write_statements(project, statements)
    lines = _path(project).read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"quote_type": "direct"', '"quote_type": "sideways"')  # s3 is bad
    _path(project).write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = StatementIndex(_path(project))
    assert index.ids == ["s0", "s1", "s2", "s3", "s4"] and index.get("s4").text == "Text 4."
    with pytest.raises(InputError, match=r"statements.jsonl:4: unknown quote_type 'sideways'"):
        index.get("s3")  # checked when shown, and named by its line


@pytest.mark.parametrize("variant", ["compact", "reordered", "blank line", "stale"])
def test_files_extract_did_not_write_fall_back_to_a_full_read(project, variant):
    statements = [make_statement("s1"), make_statement("s2", "Two.", is_stale=variant == "stale")]
    records = [s.to_dict() for s in statements]
    if variant == "compact":
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
    elif variant == "reordered":
        text = "".join(json.dumps(dict(reversed(list(r.items())))) + "\n" for r in records)
    elif variant == "blank line":
        text = json.dumps(records[0]) + "\n\n" + json.dumps(records[1]) + "\n"
    else:
        text = "".join(s.to_json() + "\n" for s in statements)
    _path(project).write_text(text, encoding="utf-8")
    index = StatementIndex(_path(project))
    assert index.ids == ["s1", "s2"] and index.get("s2").text == "Two."
    assert index.live_ids() == (["s1"] if variant == "stale" else ["s1", "s2"])
    assert read_statement(load_project(), "s2").text == "Two."


def test_read_statement_by_id_and_prefix_with_full_read_errors(project):
    write_statements(project, [make_statement("abc1"), make_statement("abc2"), make_statement("s1"), make_statement("s10")])
    assert read_statement(load_project(), "abc2").id == "abc2"
    assert read_statement(load_project(), "s1").id == "s1"  # exact beats the prefix of s10
    assert read_statement(load_project(), "s10").id == "s10"
    with pytest.raises(StancebenchError, match="prefix 'abc' matches 2 statements"):
        read_statement(load_project(), "abc")
    with pytest.raises(StancebenchError, match="unknown statement id 'zz'"):
        read_statement(load_project(), "zz")
    text = _path(project).read_text(encoding="utf-8")
    _path(project).write_text(text + make_statement("s1").to_json() + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"statements.jsonl:5: duplicate statement id 's1' \(first on line 3\)"):
        read_statement(load_project(), "s1")


def test_first_screen_before_the_queue_is_built_agrees_with_it(project):
    from stancebench.annotation.opening import open_annotation_session

    write_statements(project, [make_statement("s1", is_stale=True), make_statement("s2"), make_statement("s3"),
                               make_statement("s4"), make_statement("s5")])
    log = project / "annotations" / "labels" / "bob.jsonl"
    base = {"annotator": "bob", "timestamp": "2026-01-01T00:00:00Z", "guidelines_version": "1.0"}
    log.write_text(json.dumps({**base, "statement_id": "s2", "label": "hedge"}) + "\n"
                   + json.dumps({**base, "statement_id": "s3", "label": None, "correction": {"kind": "not_statement"}})
                   + "\n", encoding="utf-8")
    session = open_annotation_session(load_project(), "bob")
    assert session.pending is not None  # nothing but the first statement looked up yet
    first = session.render(columns=200)
    assert first.startswith("[1/3 labelled by bob]  statement s4")
    assert session.queue == ["s4", "s5"] and session.progress == "1/3"  # built: the same screen
    assert session.render(columns=200) == first


def test_statements_of_one_article(project):
    write_statements(project, [make_statement("s1", article_id="a1"), make_statement("s2", article_id="a2"),
                               make_statement("s3", article_id="a1", context='He said {"article_id": "a2", ...}')])
    index = StatementIndex(_path(project))
    assert [s.id for s in index.of_article("a1")] == ["s1", "s3"]
    assert [s.id for s in index.of_article("a2")] == ["s2"]  # not fooled by the quote inside s3's context
    assert index.of_article("zz") == []
