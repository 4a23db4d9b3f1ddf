"""Scoring on a researcher's own labelled file: what the model is fitted on, what it may read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import stancebench
from stancebench.cli import cli
from stancebench.errors import StancebenchError
from tests.support import REPO, KeywordModel, make_rows, write_jsonl, write_release

NAMES = ("support", "oppose", "hedge")


def _gold_file(tmp_path, rows, name="mine.jsonl", **extra):
    out = []
    for row in rows:
        record = {**row, "label": NAMES[row["label"]], **extra}
        out.append(record)
    return write_jsonl(tmp_path / name, out)


class Recorder(KeywordModel):
    """Remembers what fit and predict were handed."""

    def fit(self, examples, labels):
        self.fit_ids_ = [e["id"] for e in examples]
        return super().fit(examples, labels)

    def predict(self, examples):
        self.seen_keys_ = set().union(*(e.keys() for e in examples))
        return super().predict(examples)


def test_gold_file_without_split_is_fitted_on_the_release_train_split(tmp_path, release, rows):
    gold = _gold_file(tmp_path, make_rows(9, offset=300))
    model = Recorder()
    report = stancebench.evaluate(model=model, gold_file=gold, release=release)
    assert model.fit_ids_ == [r["id"] for r in rows[:36]]
    assert report.dataset["n_items"] == 9


def test_gold_file_with_train_rows_is_fitted_on_them(tmp_path, release):
    rows = make_rows(12, offset=300)
    records = [{**r, "split": "train" if i < 8 else "test"} for i, r in enumerate(rows)]
    gold = _gold_file(tmp_path, records)
    model = Recorder()
    report = stancebench.evaluate(model=model, gold_file=gold, release=release)
    assert model.fit_ids_ == [r["id"] for r in rows[:8]] and report.dataset["n_items"] == 4
    # --train release overrides the file's own rows
    stancebench.evaluate(model=model, gold_file=gold, release=release, train="release")
    assert len(model.fit_ids_) == 36


def test_train_file(tmp_path, release):
    gold = _gold_file(tmp_path, make_rows(6, offset=300))
    train = _gold_file(tmp_path, make_rows(5, offset=400), name="train.csv.jsonl")
    model = Recorder()
    report = stancebench.evaluate(model=model, gold_file=gold, release=release, train=str(train))
    assert model.fit_ids_ == [f"s{i}" for i in range(400, 405)]
    assert report.options["train"] == str(train)


def test_scored_items_that_are_training_rows_are_named(tmp_path, release, rows):
    report = stancebench.evaluate(model=Recorder(), release=release, split="train")
    assert "36 of the 36 scored items are also training rows" in " ".join(report.warnings)


def test_model_with_fit_and_no_training_rows_is_one_line(tmp_path, rows):
    test_only = write_release(tmp_path / "test_only", {"test": rows[36:]})
    gold = _gold_file(tmp_path, make_rows(6, offset=300))
    for spec in ("baselines/majority.py", "baselines/tfidf_logreg.py"):
        result = CliRunner().invoke(cli, ["eval", "--model", str(REPO / spec), "--gold", str(gold),
                                          "--release", str(test_only)])
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1
        assert "has fit() but there are no training rows" in result.output and "AttributeError" not in result.output


def test_split_train_on_a_file_without_split_column_is_an_error(tmp_path, release):
    gold = _gold_file(tmp_path, make_rows(6, offset=300))
    with pytest.raises(StancebenchError, match=r"mine.jsonl: --split train: the file has no 'split' column"):
        stancebench.evaluate(predictions={"s300": "support"}, gold_file=gold, split="train")
    assert stancebench.evaluate(predictions={"s300": "support"}, gold_file=gold).dataset["n_items"] == 6  # default: every row


def test_missing_feature_column_is_one_line(tmp_path, release):
    rows = [{k: v for k, v in r.items() if k != "speaker_affiliation"} for r in make_rows(6, offset=300)]
    gold = _gold_file(tmp_path, rows)
    result = CliRunner().invoke(cli, ["eval", "--model", f"{REPO / 'baselines/tfidf_logreg.py'}:with_affiliation",
                                      "--gold", str(gold), "--release", str(release)])
    assert result.exit_code == 1
    assert result.output == (f"Error: model {REPO / 'baselines/tfidf_logreg.py'}:with_affiliation reads the column "
                             f"'speaker_affiliation', which {gold} does not have\n")
    # the plain model reads only the text: fine
    plain = CliRunner().invoke(cli, ["eval", "--model", str(REPO / "baselines/tfidf_logreg.py"), "--gold", str(gold),
                                     "--release", str(release)])
    assert plain.exit_code == 0, plain.output


def test_extra_columns_never_reach_predict(tmp_path, release):
    rows = make_rows(6, offset=300)
    gold = _gold_file(tmp_path, rows, leak="the label is support", annotator_votes="3/3")
    model = Recorder()
    report = stancebench.evaluate(model=model, gold_file=gold, release=release)
    assert "leak" not in model.seen_keys_ and "annotator_votes" not in model.seen_keys_
    assert {"id", "text", "speaker_affiliation", "article_id"} <= model.seen_keys_
    assert any("'leak', 'annotator_votes' are not handed to the model" in w or
               "'annotator_votes', 'leak' are not handed to the model" in w for w in report.warnings)
