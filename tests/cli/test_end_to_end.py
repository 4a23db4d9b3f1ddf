"""A new user's whole session, through the CLI only: init, extract, annotate, agree, adjudicate, build, load, eval, compare.

Every step checks its numbers. The agreement figures were computed by hand for these labels
(6 statements, alice and bob agree on 4):

    alice  s o h s o h        bob  s o h s h x
    observed agreement   4/6
    Cohen's kappa        p_o = 2/3, p_e = 1/3*1/3 + 1/3*1/6 + 1/3*1/3 = 5/18   -> (2/3 - 5/18) / (13/18) = 7/13
    Fleiss' kappa        pooled s 4/12, o 3/12, h 4/12, x 1/12 -> p_e = 42/144  -> (2/3 - 7/24) / (17/24) = 9/17
    Krippendorff alpha   n = 12, 4 off-diagonal coincidences, sum n_c n_k (c != k) = 144 - 42 = 102
                         -> 1 - 11 * 4 / 102 = 29/51
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import DATA as DATA_DIR
from tests.support import REPO

DATA = DATA_DIR / "e2e"
SPEAKERS = ["Jane Doe", "Tom Berg", "Anna Weber", "Marco Rossi", "Ingrid Dahl", "Paul Lind"]
ALICE = {"Jane Doe": "support", "Tom Berg": "oppose", "Anna Weber": "hedge",
         "Marco Rossi": "support", "Ingrid Dahl": "oppose", "Paul Lind": "hedge"}
BOB = {**ALICE, "Ingrid Dahl": "hedge", "Paul Lind": "off_target"}


def stancebench(*args: str, input: str | None = None, expect: int = 0) -> str:
    """Run one command the way a user types it; return its output (stdout and stderr)."""
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == expect, f"stancebench {' '.join(args)} -> {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result.output


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_new_corpus_from_articles_to_a_compared_evaluation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # 1. init, and two articles into seeds/
    monkeypatch.chdir(tmp_path)
    out = stancebench("init", "mycorpus", "--target-id", "lift-x", "--target", "Lifting the restrictions on X")
    assert "Created corpus 'mycorpus'" in out
    corpus = tmp_path / "mycorpus"
    for article in sorted(DATA.glob("*.*")):
        shutil.copy(article, corpus / "seeds" / article.name)
    monkeypatch.chdir(corpus / "seeds")  # commands find the corpus from a subfolder

    # 2. extract: 3 statements per article, each with its speaker, all on this corpus's target
    out = stancebench("extract")
    assert "2 articles, 6 statements, 6 new" in out
    statements = read_jsonl(corpus / "annotations" / "statements.jsonl")
    assert [s["speaker"] for s in statements] == SPEAKERS
    assert {s["target_id"] for s in statements} == {"lift-x"}
    assert [s["article_id"] for s in statements] == ["001_harbour_talks"] * 3 + ["002_summit_day"] * 3
    assert [s["quote_type"] for s in statements] == ["direct", "indirect", "direct", "direct", "indirect", "direct"]
    sid = {s["speaker"]: s["id"] for s in statements}

    # 3. alice labels through the annotation loop, keys piped one per line; she undoes one label
    keys = ["s", "o", "u", "o", "h", "s", "o", "h"]
    out = stancebench("annotate", "--annotator", "alice", input="\n".join(keys) + "\n")
    # the undone label counts as saved: it is in the log, withdrawn by a retraction event
    assert "7 labels saved this session, 1 undone (6/6 done); nothing left in this queue" in out
    alice_log = read_jsonl(corpus / "annotations" / "labels" / "alice.jsonl")
    assert len(alice_log) == 8  # 7 labels and 1 retraction
    assert [e["is_retraction"] for e in alice_log].count(True) == 1
    assert {e["guidelines_version"] for e in alice_log} == {"0.1"}  # from the init codebook template

    # 4. bob's labels come from a spreadsheet
    with (tmp_path / "bob.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["statement_id", "label", "note"])
        for speaker in SPEAKERS:
            writer.writerow([sid[speaker], BOB[speaker], "relays others" if BOB[speaker] == "off_target" else ""])
    out = stancebench("import-labels", str(tmp_path / "bob.csv"), "--annotator", "bob")
    assert out.strip() == "imported 6 label(s) for bob"

    status = json.loads(stancebench("status", "--json"))
    assert status["statements"] == 6 and status["with_2_labels"] == 6 and status["disputed"] == 2
    assert status["annotators"]["alice"]["by_label"] == {"hedge": 2, "oppose": 2, "support": 2}
    assert status["annotators"]["bob"]["by_label"] == {"hedge": 2, "off_target": 1, "oppose": 1, "support": 2}

    # 5. agreement, against the values computed by hand (module docstring)
    summary = json.loads(stancebench("agreement", "--json"))
    assert summary["annotators"] == ["alice", "bob"] and summary["labelled_items"] == 6
    assert summary["observed_agreement"]["value"] == pytest.approx(4 / 6)
    assert summary["pairs"][0]["cohen_kappa"] == pytest.approx(7 / 13)
    assert summary["fleiss_kappa"]["value"] == pytest.approx(9 / 17)
    assert summary["krippendorff_alpha"]["value"] == pytest.approx(29 / 51)
    assert {d["statement_id"] for d in summary["disagreements"]} == {sid["Ingrid Dahl"], sid["Paul Lind"]}
    table = stancebench("agreement")
    assert f"{'Krippendorff alpha (nominal)':<34}{29 / 51:>8.3f}{6:>8}" in table

    # 6. adjudicate: 4 unanimous, 2 disputed reported; carol decides one interactively, leaves one
    out = stancebench("adjudicate")
    assert "wrote 4 gold label(s)" in out and "(single 0, unanimous 4, majority 0, adjudicated 0)" in out
    assert "2 disputed statement(s) without a decision" in out
    out = stancebench("adjudicate", "--interactive", "--adjudicator", "carol", input="o\nq\n")
    assert "1 decision saved this session (1/2 done); 1 statement(s) left for next time" in out
    assert "wrote 5 gold label(s)" in out and "(single 0, unanimous 4, majority 0, adjudicated 1)" in out
    assert "1 disputed statement(s) without a decision" in out and f"  {sid['Paul Lind']}" in out
    gold = {g["statement_id"]: g for g in read_jsonl(corpus / "annotations" / "gold.jsonl")}
    assert set(gold) == {sid[s] for s in SPEAKERS if s != "Paul Lind"}
    assert (gold[sid["Ingrid Dahl"]]["label"], gold[sid["Ingrid Dahl"]]["method"]) == ("oppose", "adjudicated")
    assert gold[sid["Ingrid Dahl"]]["adjudicator"] == "carol"
    assert gold[sid["Ingrid Dahl"]]["annotations"] == {"alice": "oppose", "bob": "hedge"}
    assert {g["target_id"] for g in gold.values()} == {"lift-x"}

    # 7. build: 5 on-target gold statements, speaker-grouped split 3 train / 2 test, 1 left out as disputed
    out = stancebench("build")
    assert "targets: lift-x" in out
    release = corpus / "release"
    info = json.loads((release / "release.json").read_text(encoding="utf-8"))
    assert info["counts"]["total"] == {"support": 2, "oppose": 2, "hedge": 1, "total": 5}
    assert info["counts"]["train"] == {"support": 1, "oppose": 1, "hedge": 1, "total": 3}
    assert info["counts"]["test"] == {"support": 1, "oppose": 1, "hedge": 0, "total": 2}
    assert info["skipped"] == {"disputed": 1}
    assert info["inputs"]["gold_methods"] == {"adjudicated": 1, "unanimous": 4}
    assert info["inputs"]["label_events"] == {"alice": 8, "bob": 6}
    assert info["inputs"]["articles"] == 2 and info["inputs"]["outlets"] == ["Example Herald"]
    assert info["agreement"]["krippendorff_alpha"]["value"] == pytest.approx(29 / 51)
    assert [t["id"] for t in info["targets"]] == ["lift-x"]
    assert info["targets"][0]["description"] == "Lifting the restrictions on X"
    assert stancebench("build", "--check").strip().endswith("up to date")

    # 8. load it with plain `datasets`, no loading code
    import datasets

    loaded = datasets.load_dataset(str(release))
    assert {name: len(split) for name, split in loaded.items()} == {"train": 3, "test": 2}
    assert loaded["test"].features["label"].names == ["support", "oppose", "hedge"]
    train_speakers, test_speakers = set(loaded["train"]["speaker"]), set(loaded["test"]["speaker"])
    assert not train_speakers & test_speakers and len(train_speakers | test_speakers) == 5
    test_gold = {row["id"]: loaded["test"].features["label"].int2str(row["label"]) for row in loaded["test"]}
    assert sorted(test_gold.values()) == ["oppose", "support"]
    assert {row["target"] for row in loaded["train"]} == {"Lifting the restrictions on X"}
    annotated = datasets.load_dataset(str(release), "annotations")["annotated"]
    assert len(annotated) == 6
    unresolved = next(row for row in annotated if row["id"] == sid["Paul Lind"])
    assert unresolved["gold_label"] is None and unresolved["split"] is None
    assert {a["annotator"]: a["label"] for a in unresolved["annotations"]} == {"alice": "hedge", "bob": "off_target"}

    # 9. a baseline: majority fitted on train (1/1/1: the tie goes to support) scores 1/2 on test
    monkeypatch.chdir(tmp_path)
    out = stancebench("--root", "mycorpus", "eval", "--model", str(REPO / "baselines" / "majority.py"),
                      "-o", "majority.json", "--plot", "majority.png")
    assert "Accuracy" in out
    majority = json.loads((tmp_path / "majority.json").read_text(encoding="utf-8"))
    assert majority["dataset"]["n_items"] == 2 and majority["dataset"]["release_content_hash"] == info["content_hash"]
    assert majority["headline"]["accuracy"]["value"] == pytest.approx(0.5)
    assert majority["headline"]["f_avg"]["value"] == pytest.approx((2 / 3 + 0) / 2)  # support F1 2/3, oppose 0
    assert {p["pred"] for p in majority["predictions"]} == {"support"}
    assert (tmp_path / "majority.png").stat().st_size > 0

    # 10. a predictions file: right on both test items, plus one id that is not in the gold
    rows = [{"id": item, "label": label} for item, label in test_gold.items()] + [{"id": "not-an-item", "label": "hedge"}]
    (tmp_path / "mine.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    stancebench("--root", "mycorpus", "eval", "--predictions", "mine.jsonl", "-o", "mine.json")
    mine = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    assert mine["headline"]["accuracy"]["value"] == 1.0 and mine["headline"]["f_avg"]["value"] == 1.0
    assert mine["coverage"]["n_missing"] == 0 and mine["coverage"]["n_unknown_ids"] == 1
    assert mine["dataset"]["content_hash"] == majority["dataset"]["content_hash"]

    # 11. compare: B (mine) is right where A (majority) is wrong on exactly one item
    stancebench("compare", "majority.json", "mine.json", "-o", "cmp.json")
    comparison = json.loads((tmp_path / "cmp.json").read_text(encoding="utf-8"))
    assert comparison["n_common"] == 2 and comparison["n_only_a"] == 0 and comparison["n_only_b"] == 0
    accuracy = comparison["metrics"]["accuracy"]
    assert (accuracy["a"], accuracy["b"], accuracy["difference"]) == pytest.approx((0.5, 1.0, 0.5))
    assert comparison["mcnemar"] == {"both_correct": 1, "only_a_correct": 0, "only_b_correct": 1,
                                     "neither_correct": 0, "p_value": 1.0}

    # 12. the bundled release stays the default for eval
    out = stancebench("eval", "--model", str(REPO / "baselines" / "majority.py"), "-o", "bundled.json")
    bundled = json.loads((tmp_path / "bundled.json").read_text(encoding="utf-8"))
    assert bundled["dataset"]["name"] == "stancebench" and bundled["dataset"]["content_hash"] != mine["dataset"]["content_hash"]
    out = stancebench("compare", "majority.json", "bundled.json", expect=1)
    assert "were scored on different gold" in out


def test_two_targets_in_one_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Records carry their target id, so agreement, adjudication, build and eval work across targets.

    alice  t-b: o s h o   t-a: s o h s        bob: the same but the t-a hedge is support
    observed 7/8; Cohen's kappa: p_e = (3*4 + 3*3 + 2*1) / 64 = 23/64 -> (56/64 - 23/64) / (41/64) = 33/41
    """
    from stancebench.schema import Statement

    monkeypatch.chdir(tmp_path)
    stancebench("init", "multi", "--target-id", "t-a", "--target", "Target A in words")
    corpus = tmp_path / "multi"
    with (corpus / "stancebench.toml").open("a", encoding="utf-8") as config:
        config.write('\n[targets]\n"t-b" = "Target B in words"\n')
    targets = ["t-b"] * 4 + ["t-a"] * 4  # t-b first, so the annotation screen opens on it
    alice = ["oppose", "support", "hedge", "oppose", "support", "oppose", "hedge", "support"]
    bob = alice[:6] + ["support"] + alice[7:]
    statements = [
        Statement(id=f"{target}-{i}", article_id=f"art{i % 2}", speaker=f"Speaker {i}", text=f"Statement number {i}.",
                  context=f"Statement number {i}.", start=i * 30, end=i * 30 + 20, quote_type="direct",
                  target_id=target, speaker_affiliation=f"Country {i % 3}")
        for i, target in enumerate(targets)
    ]
    (corpus / "annotations" / "statements.jsonl").write_text("".join(s.to_json() + "\n" for s in statements), "utf-8")
    ids = [s.id for s in statements]
    monkeypatch.chdir(corpus)
    for name, labels in (("alice", alice), ("bob", bob)):
        rows = "".join(json.dumps({"statement_id": sid, "label": label}) + "\n" for sid, label in zip(ids, labels, strict=True))
        (tmp_path / f"{name}.jsonl").write_text(rows, encoding="utf-8")
        assert stancebench("import-labels", str(tmp_path / f"{name}.jsonl"), "--annotator", name).strip() == (
            f"imported 8 label(s) for {name}"
        )

    # the annotation screen names each statement's own target
    screen = stancebench("annotate", "--annotator", "carol", input="k\nk\nk\nk\nq\n")
    assert screen.index("Target: Target B in words") < screen.index("Target: Target A in words")

    summary = json.loads(stancebench("agreement", "--json"))
    assert summary["observed_agreement"]["value"] == pytest.approx(7 / 8)
    assert summary["pairs"][0]["cohen_kappa"] == pytest.approx(33 / 41)
    assert [d["statement_id"] for d in summary["disagreements"]] == ["t-a-6"]
    # per target: t-b is unanimous (observed 1), t-a holds the one disagreement (observed 3/4)
    only_b = json.loads(stancebench("agreement", "--json", "--target", "t-b"))
    only_a = json.loads(stancebench("agreement", "--json", "--target", "t-a"))
    assert only_b["observed_agreement"]["value"] == 1.0 and only_b["disagreements"] == []
    assert only_a["observed_agreement"]["value"] == pytest.approx(3 / 4)
    assert only_a["observed_agreement"]["items"] == 4
    refused = stancebench("agreement", "--target", "t-c", expect=1)
    assert "Error: unknown target id 't-c' (statements have: t-a, t-b)" in refused

    out = stancebench("adjudicate", "--interactive", "--adjudicator", "dana", input="h\n")
    assert "(single 0, unanimous 7, majority 0, adjudicated 1)" in out
    gold = {g["statement_id"]: g for g in read_jsonl(corpus / "annotations" / "gold.jsonl")}
    assert {sid: g["target_id"] for sid, g in gold.items()} == dict(zip(ids, targets, strict=True))
    assert (gold["t-a-6"]["label"], gold["t-a-6"]["method"]) == ("hedge", "adjudicated")

    out = stancebench("build")
    assert "targets: t-a, t-b" in out
    info = json.loads((corpus / "release" / "release.json").read_text(encoding="utf-8"))
    assert info["targets"] == [
        {"id": "t-a", "description": "Target A in words", "statements": 4},
        {"id": "t-b", "description": "Target B in words", "statements": 4},
    ]
    assert info["counts"]["total"] == {"support": 3, "oppose": 3, "hedge": 2, "total": 8}
    import datasets

    loaded = datasets.load_dataset(str(corpus / "release"))
    rows = [row for split in loaded.values() for row in split]
    assert {(row["target_id"], row["target"]) for row in rows} == {("t-a", "Target A in words"), ("t-b", "Target B in words")}

    # eval on every item: right everywhere but one t-b item; the report breaks results down by target
    names = loaded["train"].features["label"].names
    gold_label = {row["id"]: names[row["label"]] for row in rows}
    preds = {sid: ("hedge" if sid == "t-b-0" else label) for sid, label in gold_label.items()}
    assert gold_label["t-b-0"] == "oppose"
    (tmp_path / "preds.csv").write_text("id,label\n" + "".join(f"{k},{v}\n" for k, v in preds.items()), "utf-8")
    stancebench("eval", "--release", str(corpus / "release"), "--split", "all", "--predictions",
                str(tmp_path / "preds.csv"), "-o", str(tmp_path / "r.json"))
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert result["headline"]["accuracy"]["value"] == pytest.approx(7 / 8)
    by_target = {g["value"]: (g["n"], g["accuracy"]) for g in result["breakdowns"]["target_id"]}
    assert by_target == {"t-a": (4, 1.0), "t-b": (4, 0.75)}
