"""Progress bars: on stderr and only on a terminal; nested bars and batched predict calls."""

from __future__ import annotations

import numpy as np
import pytest

from stancebench.errors import StancebenchError
from stancebench.evaluation import scoring as evaluate_module
from stancebench.progress import track


def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]):
    assert list(track(range(5), "counting")) == [0, 1, 2, 3, 4]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_bar_inside_a_bar_is_a_pass_through():
    # rich allows one live display at a time; the inner bar must not raise LiveError
    seen = [(i, list(track(range(3), "inner", enabled=True))) for i in track(range(2), "outer", enabled=True)]
    assert seen == [(0, [0, 1, 2]), (1, [0, 1, 2])]
    assert list(track(range(2), "again", enabled=True)) == [0, 1]  # the guard is released afterwards


class CountingModel:
    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[int] = []
        self.fail_on = fail_on

    def predict(self, examples):
        self.calls.append(len(examples))
        if any(e["id"] == self.fail_on for e in examples):
            raise ValueError("boom")
        return ["support" if int(e["id"][1:]) % 2 else "oppose" for e in examples]


def test_model_predictions_are_batched_in_order():
    examples = [{"id": f"s{i}"} for i in range(600)]
    model = CountingModel()
    codes = evaluate_module._predict(model, examples, "m", {})
    assert model.calls == [256, 256, 88]
    assert codes.tolist() == [0 if i % 2 else 1 for i in range(600)]
    assert codes.dtype == np.uint8


def test_a_model_may_take_everything_in_one_call():
    model = CountingModel()
    model.predict_batch_size = None
    evaluate_module._predict(model, [{"id": f"s{i}"} for i in range(600)], "m", {})
    assert model.calls == [600]


def test_a_failing_item_in_a_later_batch_is_named():
    with pytest.raises(StancebenchError, match="model m raised on item 's300': ValueError: boom"):
        evaluate_module._predict(CountingModel(fail_on="s300"), [{"id": f"s{i}"} for i in range(600)], "m", {})
