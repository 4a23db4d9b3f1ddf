"""Syndicated copies in the release: one row per canonical statement, its copies listed, their labels counted once."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never touch the network, even by accident
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import pyarrow.parquet as pq  # noqa: E402
import pytest  # noqa: E402

from stancebench.annotation.adjudication import adjudicate_corpus  # noqa: E402
from stancebench.errors import InputError  # noqa: E402
from stancebench.project import load_project  # noqa: E402
from stancebench.release import build as release  # noqa: E402
from stancebench.schema import Gold  # noqa: E402
from tests.support import CYCLE, stmt, write_article, write_gold, write_log, write_statements  # noqa: E402

#: canonical id -> its copies (id, article, speaker as the copy's article attributes it)
GROUPS = {
    "s000": [("k000a", "a2", "Speaker 0"), ("k000b", "a3", "Speaker 0")],
    "s005": [("k005", "a2", "Speaker 5")],
    "s010": [("k010", "a3", "Speaker 2")],
    "s015": [("k015", "a2", "Speaker 7")],
    "s020": [("k020", "a3", "Speaker 4")],
}


def event(sid: str, annotator: str, label: str | None, minute: int) -> dict:
    return {"statement_id": sid, "annotator": annotator, "label": label, "timestamp": f"2024-06-01T10:{minute:02d}:00Z",
            "guidelines_version": "1", "is_retraction": label is None}


def statements(copy_speaker: dict[str, str] | None = None) -> list:
    out = []
    for i in range(24):
        sid = f"s{i:03d}"
        copies = tuple(c for c, _, _ in GROUPS.get(sid, []))
        out.append(stmt(sid, f"Statement number {i}.", i * 30, speaker=f"Speaker {i % 8}", article_id="a1", copies=copies))
    for head, copies in GROUPS.items():
        i = int(head[1:])
        for copy, article, speaker in copies:
            speaker = (copy_speaker or {}).get(copy, speaker)
            out.append(stmt(copy, f"Statement number {i}.", i * 30, speaker=speaker, article_id=article, canonical_id=head))
    return out


def make_copies_corpus(project: Path, copy_speaker: dict[str, str] | None = None) -> None:
    """24 statements in a1, copies of five of them in a2/a3, labelled on canonical statements and copies alike."""
    for name in ("a1", "a2", "a3"):
        write_article(project, name)
    write_statements(project, statements(copy_speaker))
    plain = [f"s{i:03d}" for i in range(24) if f"s{i:03d}" not in GROUPS]
    write_log(project, "alice", *(event(sid, "alice", CYCLE[int(sid[1:]) % 3], 1) for sid in plain),
              event("k000a", "alice", "support", 2),  # on a copy only
              event("s010", "alice", "hedge", 2),
              event("s015", "alice", "hedge", 2),  # k015 has no label of its own
              event("s020", "alice", "support", 2), event("k020", "alice", None, 3))  # retracted on a copy
    write_log(project, "bob", event("k000b", "bob", "support", 1),
              event("k005", "bob", "hedge", 1),  # the group's only label, on its copy
              event("k010", "bob", "oppose", 1))  # disagrees with alice on the canonical statement
    adjudicate_corpus(load_project())


def rows(folder: Path, config: str = "default") -> dict[str, dict]:
    parts = ("train", "test") if config == "default" else ("annotated",)
    out = {}
    for part in parts:
        path = folder / config / f"{part}.parquet"
        if path.exists():
            out.update({row["id"]: {**row, "_split": part} for row in pq.read_table(path).to_pylist()})
    return out


def test_one_row_per_canonical_statement_with_its_copies_listed(project):
    make_copies_corpus(project)
    result = release.build(load_project())
    assert result.warnings == []  # gold made from the folded labels is up to date
    default, annotated = rows(project / "release"), rows(project / "release", "annotations")
    copy_ids = {c for copies in GROUPS.values() for c, _, _ in copies}
    assert not copy_ids & (set(default) | set(annotated))
    assert default["s000"]["copies"] == ["k000a", "k000b"] and default["s000"]["copy_article_ids"] == ["a2", "a3"]
    assert default["s005"]["copies"] == ["k005"] and default["s005"]["label"] == 2  # hedge, given on the copy only
    assert default["s015"]["copies"] == ["k015"]  # a copy with no label of its own
    assert all(row["copies"] == [] == row["copy_article_ids"] for sid, row in default.items() if sid not in GROUPS)
    assert [a["annotator"] for a in annotated["s000"]["annotations"]] == ["alice", "bob"]
    assert annotated["s000"]["gold_method"] == "unanimous"
    assert "s010" not in default and annotated["s010"]["gold_label"] is None  # alice vs bob (on k010): disputed
    assert "s020" not in annotated  # the only label was retracted on a copy
    info = result.info
    assert info["skipped"] == {"disputed": 1, "unlabelled": 1, "copy": 6}
    assert info["inputs"]["copies"] == 6 and info["inputs"]["statements"] == 30
    assert info["inputs"]["gold"] == len(annotated) - 1 and set(info["inputs"]["annotators"]) == {"alice", "bob"}
    card = (project / "release" / "README.md").read_text(encoding="utf-8")
    assert "6 statements are syndicated copies" in card and "- 6: a syndicated copy of another statement" in card
    section = release.compute_release(load_project()).datasheet_section
    assert "| syndicated copies (folded into their canonical rows) | 6 |" in section


def test_copies_never_fall_on_two_sides_of_the_split(project):
    make_copies_corpus(project)
    release.build(load_project())
    first = rows(project / "release")
    side = {row["speaker"]: row["_split"] for row in first.values()}
    assert set(side.values()) == {"train", "test"}
    # Attribute each copy to a speaker on the other side than its canonical statement: as rows of their own,
    # every group would be split across train and test.
    other = {s: next(name for name, part in sorted(side.items()) if part != side[f"Speaker {int(s[1:]) % 8}"])
             for s in GROUPS}
    speakers = {c: other[head] for head, copies in GROUPS.items() for c, _, _ in copies}
    make_copies_corpus(project, speakers)
    release.build(load_project())
    second = rows(project / "release")
    assert second == first  # the copies moved nothing: they are no rows, so they have no side
    for head, copies in GROUPS.items():
        if head in second:
            assert side[other[head]] != second[head]["_split"]
            assert second[head]["copies"] == sorted(c for c, _, _ in copies)


def test_the_release_with_copies_loads_with_datasets_and_rebuilds_byte_identical(project, tmp_path):
    import datasets

    make_copies_corpus(project)
    release.build(load_project())
    files = {p: p.read_bytes() for p in (project / "release").rglob("*") if p.is_file()}
    release.build(load_project())
    assert {p: p.read_bytes() for p in (project / "release").rglob("*") if p.is_file()} == files
    ds = datasets.load_dataset(str(project / "release"), cache_dir=str(tmp_path / "hf"))
    assert ds["train"].features["copies"] == datasets.List(datasets.Value("string"))
    both = [row for part in ds.values() for row in part]
    assert {row["id"]: row["copies"] for row in both if row["copies"]} == {
        "s000": ["k000a", "k000b"], "s005": ["k005"], "s015": ["k015"]}
    annotated = datasets.load_dataset(str(project / "release"), "annotations", cache_dir=str(tmp_path / "hf"))["annotated"]
    assert annotated.features["copy_article_ids"] == datasets.List(datasets.Value("string"))


def test_conflicting_labels_on_copies_are_a_build_warning(project):
    make_copies_corpus(project)
    write_log(project, "bob", event("s000", "bob", "oppose", 5))  # bob's k000b said support: the latest wins
    adjudicate_corpus(load_project())
    result = release.build(load_project())
    assert any("bob labelled syndicated copies of statement s000 differently" in w for w in result.warnings)
    annotated = rows(project / "release", "annotations")
    assert {a["annotator"]: a["label"] for a in annotated["s000"]["annotations"]} == {"alice": "support", "bob": "oppose"}


def test_gold_left_on_a_copy_is_outdated_and_not_released(project):
    make_copies_corpus(project)
    path = project / "annotations" / "gold.jsonl"
    with path.open("a", encoding="utf-8") as handle:  # gold written before extract linked k005 to s005
        handle.write(Gold("k005", "oppose", "single", annotations={"bob": "oppose"}).to_json() + "\n")
    result = release.build(load_project())
    assert "k005" not in rows(project / "release", "annotations")
    assert any("predate the current labels" in w and "k005" in w for w in result.warnings)
    # s010 has no gold, and k005's is not counted.
    assert result.info["inputs"]["gold"] == len(rows(project / "release", "annotations")) - 1


@pytest.mark.parametrize(("canonical", "problem"), [
    ("nowhere", "canonical_id 'nowhere' of statement 'k1' is not a statement in this file"),
    ("k2", "canonical_id 'k2' of statement 'k1' is itself a copy"),
])
def test_a_broken_copy_link_is_a_one_line_error(project, canonical, problem):
    write_article(project, "a1")
    good = [stmt(f"s{i}", f"Statement {i}.", i * 20, speaker=f"Speaker {i % 3}") for i in range(6)]
    broken = [stmt("k1", "Statement 1.", 200, canonical_id=canonical), stmt("k2", "Statement 2.", 300, canonical_id="s2")]
    write_statements(project, [*good, *broken])
    write_gold(project, *(Gold(s.id, "support", "single", annotations={"alice": "support"}) for s in good))
    (project / "release").mkdir()
    with pytest.raises(InputError) as caught:
        release.build(load_project())
    assert str(caught.value) == f"{project / 'annotations' / 'statements.jsonl'}:7: {problem}; re-run 'stancebench extract'"
    assert not any((project / "release").iterdir())  # nothing written


def test_stale_copies_are_no_copies(project):
    make_copies_corpus(project)
    found = [replace(s, is_stale=True) if s.id == "k000b" else s for s in statements()]
    write_statements(project, found)
    adjudicate_corpus(load_project())
    result = release.build(load_project())
    default = rows(project / "release")
    assert default["s000"]["copies"] == ["k000a"]  # k000b is stale: bob's label on it no longer counts
    assert result.info["skipped"]["copy"] == 5 and result.info["skipped"]["stale"] == 1
    annotated = rows(project / "release", "annotations")
    assert [a["annotator"] for a in annotated["s000"]["annotations"]] == ["alice"]
    assert json.loads((project / "release" / "release.json").read_text())["inputs"]["copies"] == 5


def test_a_copy_of_a_statement_marked_not_a_statement_is_released_on_its_own(project):
    make_copies_corpus(project)
    fix = {**event("s005", "carol", None, 7), "is_retraction": False, "correction": {"kind": "not_statement"}}
    write_log(project, "carol", fix)
    adjudicate_corpus(load_project())
    result = release.build(load_project())
    default = rows(project / "release")
    assert "s005" not in default and default["k005"]["copies"] == [] and default["k005"]["label"] == 2
    assert result.info["skipped"]["copy"] == 5


def test_list_columns_taken_from_a_table_lose_only_their_validity_buffer():
    """A copies list column taken by index (validity buffer, slice offset) is written like one built from Python."""
    import pyarrow as pa

    from stancebench.release.rows import _plain

    built = pa.array([["a", "b"], [], ["c"]], pa.list_(pa.string()))
    taken = pa.chunked_array([pa.array([["x"], ["a", "b"], [], ["c"]], pa.list_(pa.string()))]).take(pa.array([1, 2, 3]))
    sliced = pa.array([["x"], ["a", "b"], [], ["c"]], pa.list_(pa.string())).slice(1)
    for column in (taken, sliced):
        plain = _plain(column)
        assert plain.to_pylist() == built.to_pylist()
        assert plain.buffers()[0] is None and plain.equals(built)
