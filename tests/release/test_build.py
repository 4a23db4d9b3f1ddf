"""The release: `release.build` writes parquet + card that `datasets.load_dataset` reads with no loading code."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never touch the network, even by accident
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import pytest  # noqa: E402

from stancebench.errors import InputError, StancebenchError  # noqa: E402
from stancebench.project import load_project, repository_root  # noqa: E402
from stancebench.release import build as release  # noqa: E402
from stancebench.release import dataset
from stancebench.release.card import DATASHEET_BEGIN, DATASHEET_END  # noqa: E402
from stancebench.schema import STANCE_LABELS, gold_content_hash  # noqa: E402
from tests.support import (  # noqa: E402
    CYCLE,
    TARGET_ID,
    gold,
    make_corpus,
    make_statement,
    stmt,
    write_article,
    write_gold,
    write_log,
    write_statements,
)


def load(path: Path, tmp_path: Path, config: str = "default"):
    import datasets

    return datasets.load_dataset(str(path), config, cache_dir=str(tmp_path / "hf-cache"))


# ---------------------------------------------------------------- end to end


def test_built_release_loads_with_datasets_and_stancebench(project, tmp_path):
    make_corpus(project)
    result = release.build(load_project())
    release_dir = project / "release"
    assert result.release_dir == release_dir
    assert sorted(p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*") if p.is_file()) == [
        "README.md", "annotations/annotated.parquet", "default/test.parquet", "default/train.parquet", "release.json",
    ]
    info = json.loads((release_dir / "release.json").read_text())

    for ds in (load(release_dir, tmp_path), dataset.load_dataset(path=release_dir, cache_dir=str(tmp_path / "hf-cache2"))):
        assert set(ds) == {"train", "test"}
        assert ds["test"].features["label"].names == list(STANCE_LABELS)
        assert {name: len(ds[name]) for name in ds} == {name: info["counts"][name]["total"] for name in ("train", "test")}
        assert len(ds["train"]) + len(ds["test"]) == 24
        assert not set(ds["train"]["speaker"]) & set(ds["test"]["speaker"])
        row = ds["test"][0]
        assert row["target_id"] == TARGET_ID
        assert row["article_title"] == "Allies weigh strikes inside Russia"
        assert row["outlet"] == "The Daily Test" and row["date"] == "2024-05-29"
        triples = [(r["id"], r["text"], STANCE_LABELS[r["label"]]) for name in ds for r in ds[name]]
        assert info["content_hash"] == gold_content_hash(triples)

    annotated = load(release_dir, tmp_path, "annotations")["annotated"]
    assert len(annotated) == 26
    off = [r for r in annotated if r["gold_label"] == "off_target"]
    assert len(off) == 2 and off[0]["split"] is None
    assert off[0]["annotations"] == [{"annotator": "maintainers", "label": "off_target", "note": None}]
    assert {r["split"] for r in annotated if r["gold_label"] != "off_target"} == {"train", "test"}


def test_release_json_has_the_keys_eval_reads(project):
    make_corpus(project)
    info = release.build(load_project()).info
    assert info["name"] == "testcorpus" and info["version"] == release.DATASET_VERSION
    assert info["content_hash"].startswith("sha256:")
    assert info["counts"]["total"] == {"support": 8, "oppose": 8, "hedge": 8, "total": 24}
    assert info["target_ids"] == [TARGET_ID]
    assert info["skipped"] == {"off_target": 2}
    assert info["agreement"]["status"] == "not yet measured: one annotator"
    assert info["inputs"]["annotators"] == ["maintainers"]


def test_card_declares_configs_and_classlabel(project):
    make_corpus(project)
    release.build(load_project())
    import yaml

    card = (project / "release" / "README.md").read_text()
    header = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in header["configs"]] == ["default", "annotations"]
    assert header["configs"][0]["data_files"] == [
        {"split": "train", "path": "default/train.parquet"},
        {"split": "test", "path": "default/test.parquet"},
    ]
    splits = header["dataset_info"][0]["splits"]
    assert [(x["name"], x["num_examples"]) for x in splits] == [("train", 18), ("test", 6)]
    assert all(x["num_bytes"] > 0 for x in splits)  # datasets ignores split info without it
    label = next(f for f in header["dataset_info"][0]["features"] if f["name"] == "label")
    assert label["dtype"]["class_label"]["names"] == {"0": "support", "1": "oppose", "2": "hedge"}
    assert "not yet measured: one annotator" in card
    assert "## Limitations and biases" in card and "## Citation" in card


def test_two_builds_are_byte_identical(project, tmp_path):
    make_corpus(project)
    corpus = load_project()
    release.build(corpus, out_dir=tmp_path / "one")
    release.build(corpus, out_dir=tmp_path / "two")
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert len(files) == 5
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_statements_left_out_are_counted_by_reason(project):
    write_article(project)
    statements = [stmt(f"s{i}", f"Statement {i}.", i * 20, speaker=f"Speaker {i}") for i in range(4)]
    statements += [
        stmt("off", "Off.", 10, speaker="Speaker 0"),
        stmt("disputed", "Disputed.", 11, speaker="Speaker 1"),
        stmt("agreed", "Agreed.", 12, speaker="Speaker 2"),
        stmt("nobody", "Nobody.", 13, speaker="Speaker 3"),
        stmt("old", "Old.", 14, speaker="Speaker 3", is_stale=True),
    ]
    write_statements(project, statements)
    write_gold(project, *(gold(f"s{i}", CYCLE[i % 3]) for i in range(4)), gold("off", "off_target"))
    event = {"annotator": "alice", "timestamp": "2024-06-01T00:00:00Z", "guidelines_version": "1"}
    write_log(project, "alice", {**event, "statement_id": "disputed", "label": "support"})
    write_log(project, "alice", {**event, "statement_id": "agreed", "label": "hedge"})
    write_log(project, "bob", {**event, "annotator": "bob", "statement_id": "disputed", "label": "oppose"})
    info = release.build(load_project()).info
    assert info["skipped"] == {"off_target": 1, "disputed": 1, "no_gold_yet": 1, "unlabelled": 1, "stale": 1}
    assert info["annotations_counts"]["annotated"]["no_gold"] == 2  # disputed and agreed: labelled, no gold


def test_single_speaker_puts_everything_in_test_with_a_warning(project, tmp_path):
    write_article(project)
    write_statements(project, [stmt(f"s{i}", f"Statement {i}.", i * 20) for i in range(3)])
    write_gold(project, *(gold(f"s{i}", CYCLE[i]) for i in range(3)))
    result = release.build(load_project())
    assert any("everything goes to 'test'" in w for w in result.warnings)
    assert result.info["configs"]["default"] == {"test": "default/test.parquet"}
    ds = load(project / "release", tmp_path)
    assert list(ds) == ["test"] and len(ds["test"]) == 3


def test_rows_carry_their_own_target(project):
    write_article(project)
    write_statements(project, [
        stmt(f"s{i}", f"Statement {i}.", i * 20, speaker=f"Speaker {i}", target_id="other-target" if i % 2 else TARGET_ID)
        for i in range(6)
    ])
    write_gold(project, *(gold(f"s{i}", CYCLE[i % 3]) for i in range(6)))
    info = release.build(load_project()).info
    assert info["target_ids"] == sorted([TARGET_ID, "other-target"])
    assert {t["id"]: t["statements"] for t in info["targets"]} == {TARGET_ID: 3, "other-target": 3}


def test_cv_folds_are_speaker_disjoint_and_cover_every_item(project, tmp_path):
    make_corpus(project)
    release.build(load_project())
    folds = list(dataset.cv_folds(k=4, seed=0, path=project / "release", cache_dir=str(tmp_path / "hf-cache")))
    assert len(folds) == 4
    seen = []
    for train, test in folds:
        assert not set(train["speaker"]) & set(test["speaker"])
        assert len(train) + len(test) == 24
        seen += test["id"]
    assert sorted(seen) == sorted(f"s{i:03d}" for i in range(24))


def test_cv_folds_with_too_few_speakers_is_a_clear_error(project, tmp_path):
    make_corpus(project, speakers=3)
    release.build(load_project())
    with pytest.raises(StancebenchError, match="cannot make 5 folds from 3 speakers"):
        list(dataset.cv_folds(k=5, path=project / "release", cache_dir=str(tmp_path / "hf-cache")))


def test_load_dataset_names_a_missing_release_and_unknown_config(project):
    with pytest.raises(StancebenchError, match="no release here"):
        dataset.load_dataset(path=project / "release")
    make_corpus(project)
    release.build(load_project())
    with pytest.raises(StancebenchError, match="no config 'anotations'; did you mean 'annotations'"):
        dataset.load_dataset("anotations", path=project / "release")


def test_stancebench_exposes_load_dataset_lazily():
    import subprocess
    import sys

    code = ("import sys, stancebench\nbefore = 'datasets' in sys.modules\nfunction = stancebench.load_dataset\n"
            "from stancebench.release.dataset import load_dataset\n"
            "print(before, function is load_dataset, 'datasets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    # `import stancebench` leaves datasets alone; the attribute is the real function, still without datasets.
    assert out.stdout.split() == ["False", "True", "False"]


# ---------------------------------------------------------------- DATASHEET.md and --check


def test_build_rewrites_the_datasheet_section(project):
    make_corpus(project)
    sheet = project / "DATASHEET.md"
    sheet.write_text(f"# Datasheet\n\nProse.\n\n{DATASHEET_BEGIN}\nold numbers\n{DATASHEET_END}\n\nMore prose.\n")
    result = release.build(load_project())
    text = sheet.read_text()
    assert result.datasheet_updated
    assert "old numbers" not in text and text.startswith("# Datasheet\n\nProse.") and text.endswith("More prose.\n")
    assert f"content hash `{result.info['content_hash']}`" in text
    assert "| benchmark statements (`default`) | 24 |" in text
    assert not release.build(load_project()).datasheet_updated  # second build: nothing to change


def test_check_release_finds_an_out_of_date_release(project):
    ids = make_corpus(project)
    corpus = load_project()
    assert release.check_release(corpus) == [f"{project / 'release' / name}: missing" for name in sorted([
        "README.md", "annotations/annotated.parquet", "default/test.parquet", "default/train.parquet", "release.json"])]
    release.build(corpus)
    assert release.check_release(corpus) == []
    records = [gold(sid, "support") for sid in ids]
    write_gold(project, *records)
    problems = release.check_release(corpus)
    assert f"{project / 'release' / 'release.json'}: differs from a fresh build" in problems


def test_committed_release_is_up_to_date():
    root = repository_root()
    if root is None or not (root / "annotations" / "gold.jsonl").is_file():
        pytest.skip("annotations/gold.jsonl does not exist yet: no release to check")
    assert release.check_release(load_project(root)) == []


# ---------------------------------------------------------------- bad input: one line, nothing written


def _release_files(project: Path) -> dict[str, bytes]:
    release_dir = project / "release"
    return {p.relative_to(release_dir).as_posix(): p.read_bytes() for p in release_dir.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "gold_lines, message",
    [
        (['{"statement_id": "s000", "label": "support", "method": "single"', ""], "gold.jsonl:1: not valid JSON"),
        (['{"statement_id": "s000", "label": "maybe", "method": "single"}'],
         "gold.jsonl:1: unknown label 'maybe' (expected one of: support, oppose, hedge, off_target)"),
        (['{"statement_id": "s000", "label": "support", "method": "single"}',
          '{"statement_id": "nope", "label": "support", "method": "single"}'],
         "gold.jsonl:2: unknown statement 'nope' (not in statements.jsonl); re-run 'stancebench adjudicate'"),
        (['{"statement_id": "s000", "label": "support", "method": "single"}'] * 2,
         "gold.jsonl:2: duplicate gold for 's000' (first on line 1)"),
        (['{"statement_id": "x000", "label": "off_target", "method": "single"}'],
         "gold.jsonl: no on-target gold statements to release"),
        ([], "gold.jsonl: no on-target gold statements to release"),
    ],
)
def test_bad_gold_is_a_one_line_error_and_leaves_the_release_alone(project, gold_lines, message):
    make_corpus(project)
    release.build(load_project())
    before = _release_files(project)
    write_gold(project, *gold_lines)
    with pytest.raises(InputError) as caught:
        release.build(load_project())
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert _release_files(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]


def test_gold_label_outside_the_corpus_labels(project):
    make_corpus(project, off_target=0)
    config = project / "stancebench.toml"
    config.write_text(config.read_text().replace('"hedge", "off_target"]', '"hedge"]'))
    write_gold(project, gold("s000", "support"), gold("s001", "off_target"))
    message = r"gold.jsonl:2: label 'off_target' is not in this corpus's labels \(support, oppose, hedge\)"
    with pytest.raises(InputError, match=message):
        release.build(load_project())


def test_missing_inputs_name_the_file_and_the_command_to_run(project):
    with pytest.raises(InputError, match=r"statements.jsonl: file not found; run 'stancebench extract' first"):
        release.build(load_project())
    write_statements(project, [make_statement("s1")])
    with pytest.raises(InputError, match=r"gold.jsonl: file not found; run 'stancebench adjudicate' first"):
        release.build(load_project())


def test_empty_and_duplicate_statements(project):
    write_statements(project, [])
    write_gold(project)
    with pytest.raises(InputError, match=r"statements.jsonl: no statements; run 'stancebench extract' first"):
        release.build(load_project())
    write_statements(project, [make_statement("s1"), make_statement("s1")])
    with pytest.raises(InputError, match=r"statements.jsonl:2: duplicate statement id 's1' \(first on line 1\)"):
        release.build(load_project())


def test_malformed_label_log_names_file_and_line(project):
    make_corpus(project)
    event = {"statement_id": "s000", "annotator": "alice", "timestamp": "t", "guidelines_version": "1"}
    write_log(project, "alice", {**event, "label": "support"}, {**event, "label": "maybe"})
    with pytest.raises(InputError, match=r"alice.jsonl:2: unknown label 'maybe'"):
        release.build(load_project())


def test_labels_for_unknown_statements_are_a_warning(project):
    make_corpus(project)
    event = {"annotator": "alice", "timestamp": "t", "guidelines_version": "1", "label": "support"}
    write_log(project, "alice", {**event, "statement_id": "s000"}, {**event, "statement_id": "gone"})
    result = release.build(load_project())
    message = "alice.jsonl: 1 label event(s) point to unknown statements (first: 'gone'); not released"
    assert any(w.endswith(message) for w in result.warnings)


def test_unknown_statements_are_counted_per_annotator(project):
    make_corpus(project)
    event = {"timestamp": "t", "guidelines_version": "1", "label": "support"}
    write_log(project, "alice", *({**event, "statement_id": sid} for sid in ("s000", "gone")))
    write_log(project, "bob", *({**event, "statement_id": sid} for sid in ("s001", "s002", "lost", "s003", "gone", "lost")))
    write_log(project, "carol", {**event, "statement_id": "s000"})
    warnings = [w for w in release.build(load_project()).warnings if "unknown statements" in w]
    assert [w.rsplit("/", 1)[-1] for w in warnings] == [
        "alice.jsonl: 1 label event(s) point to unknown statements (first: 'gone'); not released",
        "bob.jsonl: 3 label event(s) point to unknown statements (first: 'lost'); not released",
    ]


def test_a_failure_while_writing_keeps_the_old_release(project, monkeypatch):
    make_corpus(project)
    release.build(load_project())
    before = _release_files(project)
    write_gold(project, *(gold(f"s{i:03d}", "hedge") for i in range(24)))

    def broken(table, path):
        raise OSError("disk full")

    monkeypatch.setattr(release, "_write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        release.build(load_project())
    assert _release_files(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]


# ---------------------------------------------------------------- the split itself


def test_grouped_split_keeps_speakers_apart_and_both_sides_non_empty():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from stancebench.release.splits import grouped_split

    rows = st.lists(st.tuples(st.sampled_from(STANCE_LABELS), st.integers(0, 12)), min_size=2, max_size=80)

    @settings(max_examples=200, deadline=None)
    @given(rows=rows.filter(lambda r: len({g for _, g in r}) >= 2), seed=st.integers(0, 5))
    def check(rows, seed):
        labels, groups = [label for label, _ in rows], [f"speaker {g}" for _, g in rows]
        train, test = grouped_split(labels, groups, seed=seed)
        assert len(train) and len(test)
        assert sorted([*train, *test]) == list(range(len(rows)))
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        again = grouped_split(labels, groups, seed=seed)
        assert (again[0] == train).all() and (again[1] == test).all()

    check()


def test_grouped_split_stratifies_when_groups_allow():
    from stancebench.release.splits import grouped_split

    labels = [STANCE_LABELS[i % 3] for i in range(300)]
    groups = [f"speaker {i}" for i in range(300)]  # one statement each: any stratification is possible
    _, test = grouped_split(labels, groups, test_fraction=0.3)
    assert [sum(labels[i] == name for i in test) for name in STANCE_LABELS] == [30, 30, 30]


def test_card_label_definitions_follow_the_target(project):
    make_corpus(project)
    release.build(load_project())
    bundled = (project / "release" / "README.md").read_text(encoding="utf-8")
    assert "favours lifting or loosening the restrictions" in bundled
    for name in ("statements.jsonl", "gold.jsonl"):
        path = project / "annotations" / name
        path.write_text(path.read_text(encoding="utf-8").replace(TARGET_ID, "ban-x"), encoding="utf-8")
    release.build(load_project())
    other = (project / "release" / "README.md").read_text(encoding="utf-8")
    assert "favours the target: argues for it" in other
    assert "restrictions" not in other.split("### Labels")[1].split("###")[0]


def test_gold_older_than_the_current_labels_is_named_in_gold_file_order(project):
    from stancebench.release.inputs import read_inputs
    from stancebench.release.rows import compute_rows

    make_corpus(project)
    records = [json.loads(line) for line in (project / "annotations" / "gold.jsonl").read_text().splitlines()]
    records.reverse()  # the outdated ones come out in gold file order, not statement order
    write_gold(project, *(gold(r["statement_id"], r["label"]) for r in records))
    event = {"timestamp": "t", "guidelines_version": "1"}
    for r in records:
        label = "hedge" if r["statement_id"] == "s001" else r["label"]  # s001: relabelled since its gold
        write_log(project, "maintainers", {**event, "statement_id": r["statement_id"], "label": label})
    write_log(project, "zed", {**event, "statement_id": "s002", "label": "support"})  # s002: a new annotator
    write_log(project, "zed", {**event, "statement_id": "s005", "label": "support"},
              {**event, "statement_id": "s005", "label": None, "is_retraction": True})  # retracted: not current
    rows = compute_rows(read_inputs(load_project()))
    assert rows.outdated == ["s002", "s001"]
    warnings = release.compute_release(load_project()).warnings
    assert any("2 gold record(s) predate the current labels (first: 's002')" in w for w in warnings), warnings
