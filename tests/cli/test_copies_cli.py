"""From mixed seeds to a loaded dataset: syndicated copies labelled once, article metadata from every source kind."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never touch the network, even by accident
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from stancebench.cli import cli  # noqa: E402
from stancebench.store import read_statements  # noqa: E402
from tests.support import MIXED_SOURCES, write_log, write_mixed_seeds  # noqa: E402

LABEL_OF = {"Antony Blinken": "hedge", "Dmitry Peskov": "oppose", "Ukraine": "support", "Hanke Bruins Slot": "support",
            "Olaf Scholz": "support"}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_extract_label_copies_adjudicate_build_and_load(project, tmp_path):
    import datasets

    write_mixed_seeds(project / "seeds")
    run("extract")
    found = read_statements(project / "annotations" / "statements.jsonl")
    by_id = {s.id: s for s in found}
    copies = {s.id: s.canonical_id for s in found if s.canonical_id}
    assert len(copies) == 10 and {by_id[c].article_id for c in copies} == {"dpa-42", "reuters"}
    quote = next(s for s in found if s.article_id == "ap" and s.text.startswith("We have not encouraged"))
    adapt = next(s for s in found if s.article_id == "ap" and s.text.startswith("But as conditions change"))
    for s in found:
        label = LABEL_OF.get(s.speaker, "off_target")
        if s.id in copies or s.id == quote.id:
            continue
        run("label", s.id, label, "--annotator", "alice")
    reuters_copy, dpa_copy = sorted(quote.copies, key=lambda c: by_id[c].article_id, reverse=True)
    run("label", reuters_copy, "hedge", "--annotator", "alice")  # alice labels the quote through a copy only
    run("label", dpa_copy, "hedge", "--annotator", "bob")
    bob_adapt = next(c for c in adapt.copies if by_id[c].article_id == "dpa-42")
    run("label", bob_adapt, "support", "--annotator", "bob")
    write_log(project, "bob", {"statement_id": bob_adapt, "annotator": "bob", "label": None, "is_retraction": True,
                               "timestamp": "2099-01-01T00:00:00Z", "guidelines_version": "unversioned"})
    assert "syndicated copies, labelled through their canonical statement: 10" in run("status")
    run("adjudicate")
    out = run("build")
    assert "10  a syndicated copy of another statement" in out
    run("build", "--check")

    release = datasets.load_dataset(str(project / "release"), cache_dir=str(tmp_path / "hf"))
    rows = {row["id"]: row for part in release.values() for row in part}
    assert not set(rows) & set(copies)
    assert set(rows) == {s.id for s in found if s.id not in copies and s.speaker in LABEL_OF}
    assert rows[quote.id]["copies"] == sorted(quote.copies)
    assert rows[quote.id]["copy_article_ids"] == [by_id[c].article_id for c in sorted(quote.copies)]
    assert all(len(rows[s.id]["copies"]) == 2 for s in found if s.article_id == "ap" and s.id in rows and s.copies)
    annotated = datasets.load_dataset(str(project / "release"), "annotations", cache_dir=str(tmp_path / "hf"))["annotated"]
    entries = {row["id"]: {a["annotator"]: a["label"] for a in row["annotations"]} for row in annotated}
    assert entries[quote.id] == {"alice": "hedge", "bob": "hedge"}
    assert entries[adapt.id] == {"alice": "hedge"}  # bob's label on a copy was retracted on that copy

    # Article metadata of the saved page, the dump row and the WARC record, as their readers give it.
    warc_id = next(s.article_id for s in found if s.article_id.startswith("crawl-"))
    for article_id, key in (("reuters", "reuters"), ("dpa-42", "dpa-42"), (warc_id, "warc")):
        row = next(r for r in rows.values() if r["article_id"] == article_id)
        expected = MIXED_SOURCES[key]
        assert (row["article_title"], row["outlet"], row["date"], row["url"]) == (
            expected["title"], expected["outlet"], expected["date"], expected["url"]), article_id
