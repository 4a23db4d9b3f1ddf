"""Syndicated copies: near-duplicate articles grouped, their statements linked to one canonical statement."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.corpus.dedup import (
    article_signature,
    canonical_ids,
    canonical_statements,
    group_near_duplicates,
    link_copies,
)
from stancebench.corpus.statements import extract_statements
from stancebench.schema import Article, Statement
from stancebench.store import read_statements
from tests.support import WIRE_STORY, html_page, make_statement, other_story

AP = f"Blinken says US could let Ukraine hit Russia\n\n{WIRE_STORY}"
# The same wire story as another site runs it: its own headline, a dateline, a closing line of its own.
REUTERS = f"US may allow strikes inside Russia, Blinken signals\n\nCHISINAU (Reuters) - {WIRE_STORY}\n\nReporting by staff."
DPA = f"Washington open to Ukrainian strikes on Russian soil\n\n{WIRE_STORY}\n\nThe ministry in Berlin declined to comment."


def signatures(*texts: str) -> np.ndarray:
    return np.stack([article_signature(t) for t in texts])


def test_signatures_are_deterministic_and_estimate_similarity():
    a, b, c = signatures(AP, REUTERS, other_story(1))
    assert np.array_equal(a, article_signature(AP)) and a.dtype == np.uint32 and a.shape == (128,)
    assert np.mean(a == b) > 0.6
    assert np.mean(a == c) < 0.1


def test_copies_are_grouped_under_the_smallest_id_whatever_the_order():
    ids = ["reuters-7", "ap-1", "other", "dpa-3"]
    sigs = signatures(REUTERS, AP, other_story(2), DPA)
    groups = group_near_duplicates(ids, sigs, 0.7)
    assert groups == {"reuters-7": "ap-1", "ap-1": "ap-1", "dpa-3": "ap-1"}
    order = [3, 2, 1, 0]
    assert group_near_duplicates([ids[i] for i in order], sigs[order], 0.7) == groups


def test_threshold_decides_and_zero_turns_grouping_off():
    sigs = signatures(AP, REUTERS)
    similarity = float(np.mean(sigs[0] == sigs[1]))
    assert group_near_duplicates(["a", "b"], sigs, min(1.0, similarity + 0.05)) == {}
    assert group_near_duplicates(["a", "b"], sigs, 0) == {}
    assert group_near_duplicates(["a", "b"], sigs, max(0.05, similarity - 0.05)) == {"a": "a", "b": "a"}


def test_distinct_stories_on_the_same_topic_are_not_copies():
    paragraphs = WIRE_STORY.split("\n\n")
    texts = [f"{other_story(i)} {paragraphs[i % 4]}" for i in range(30)]
    assert group_near_duplicates([str(i) for i in range(30)], signatures(*texts), 0.7) == {}


def _statements(article_id: str, text: str) -> list[Statement]:
    return extract_statements(Article(id=article_id, title="", text=text))


def test_link_copies_points_each_copy_to_one_canonical_statement():
    found = _statements("ap-1", AP) + _statements("reuters-7", REUTERS) + _statements("zz-other", other_story(3))
    linked = link_copies(found, {"ap-1": "ap-1", "reuters-7": "ap-1"})
    assert [s.id for s in linked] == [s.id for s in found]  # ids and order unchanged
    by_id = {s.id: s for s in linked}
    ap = [s for s in linked if s.article_id == "ap-1"]
    copies = [s for s in linked if s.article_id == "reuters-7" and s.canonical_id]
    assert copies and all(by_id[c.canonical_id].article_id == "ap-1" for c in copies)
    for s in ap:
        assert s.canonical_id is None
        assert all(by_id[c].canonical_id == s.id for c in s.copies)
    assert sum(len(s.copies) for s in ap) == len(copies)
    # The Reuters headline is its own statement: no copy anywhere, so it stays canonical.
    assert all(not s.copies and not s.canonical_id for s in linked if s.article_id == "zz-other")
    mapping = canonical_ids(linked)
    assert {mapping[c.id] for c in copies} <= {s.id for s in ap}
    assert {s.id for s in canonical_statements(linked)} == {s.id for s in linked} - {c.id for c in copies}


def test_statement_json_keeps_old_lines_and_round_trips_links():
    old = make_statement("s1")
    line = old.to_json()
    assert "copies" not in line and "canonical_id" not in line and "source_file" not in line
    linked = Statement.from_json(line.replace("}", ', "copies": ["s2", "s3"], "source_file": "a.jsonl"}'))
    assert linked.copies == ("s2", "s3") and linked.source_file == "a.jsonl"
    assert Statement.from_json(linked.to_json()) == linked
    assert json.loads(linked.to_json())["copies"] == ["s2", "s3"]


def test_extract_links_syndicated_copies_across_source_kinds(project):
    seeds = project / "seeds"
    (seeds / "ap.txt").write_text(AP, encoding="utf-8")
    (seeds / "reuters.html").write_text(html_page("US may allow strikes", REUTERS.split("\n\n", 1)[1]), encoding="utf-8")
    (seeds / "dpa.jsonl").write_text(json.dumps({"id": "42", "text": DPA}) + "\n", encoding="utf-8")
    (seeds / "other.txt").write_text(other_story(9) + ' "We will build it," the mayor said.', encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0, result.output
    assert "2 syndicated copies (" in result.stdout
    found = read_statements(project / "annotations" / "statements.jsonl")
    by_id = {s.id: s for s in found}
    quote = "We have not encouraged or enabled strikes outside of Ukraine"
    same = [s for s in found if s.text == quote]
    assert sorted(s.article_id for s in same) == ["ap", "dpa-42", "reuters"]
    head = next(s for s in same if s.article_id == "ap")
    assert head.canonical_id is None and set(head.copies) == {s.id for s in same} - {head.id}
    assert all(by_id[s.canonical_id] == head for s in same if s is not head)
    assert all(not s.copies and not s.canonical_id for s in found if s.article_id == "other")
    before = (project / "annotations" / "statements.jsonl").read_bytes()
    assert CliRunner().invoke(cli, ["extract"]).exit_code == 0
    assert (project / "annotations" / "statements.jsonl").read_bytes() == before


def test_dedup_threshold_zero_in_config_turns_linking_off(project):
    config = project / "stancebench.toml"
    config.write_text(config.read_text() + "\n[sources]\ndedup_threshold = 0\n", encoding="utf-8")
    (project / "seeds" / "ap.txt").write_text(AP, encoding="utf-8")
    (project / "seeds" / "dpa.txt").write_text(DPA, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0 and "syndicated" not in result.stdout
    assert not any(s.copies or s.canonical_id for s in read_statements(project / "annotations" / "statements.jsonl"))


def test_annotate_queue_shows_a_syndicated_statement_once(project):
    from stancebench.annotation.opening import open_annotation_session
    from stancebench.project import load_project

    (project / "seeds" / "ap.txt").write_text(AP, encoding="utf-8")
    (project / "seeds" / "dpa.txt").write_text(DPA, encoding="utf-8")
    assert CliRunner().invoke(cli, ["extract"]).exit_code == 0
    found = read_statements(project / "annotations" / "statements.jsonl")
    session = open_annotation_session(load_project(), "alice")
    shown = list(session.queue)
    assert shown == [s.id for s in found if not s.canonical_id]
    by_id = {s.id: s for s in found}
    assert len(shown) < len(found) and len({by_id[sid].text for sid in shown}) == len(shown)
    assert session.total == len(shown)  # copies are not counted as work either


def test_many_identical_pages_form_one_group():
    sigs = signatures(*([AP] * 50), REUTERS, other_story(4))
    ids = [f"p{i:03d}" for i in range(52)]
    groups = group_near_duplicates(ids, sigs, 0.7)
    assert set(groups) == set(ids[:51]) and set(groups.values()) == {"p000"}
