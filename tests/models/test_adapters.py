"""Predictions files, label maps, Python models, Hugging Face models and the chat endpoint."""

from __future__ import annotations

import json
import socket

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stancebench.errors import InputError, StancebenchError, first_line
from stancebench.evaluation.predictions import model_codes, parse_label_map, predictions_from_mapping, read_predictions
from stancebench.models.chat import ChatModel, build_messages, parse_label
from stancebench.models.loading import MODEL_LOADERS, load_model, load_python_model, parse_model_spec
from tests.support import DATA as DATA_DIR
from tests.support import ChatServer, make_rows, tiny_hf_model

DATA = DATA_DIR / "eval"


# --- predictions files ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet", ".tsv"])
def test_every_format_reads_the_same_codes(tmp_path, suffix):
    rows = [{"id": "a", "label": "Support"}, {"id": "b", "label": "OPPOSE"}, {"id": "c", "label": " hedge "}]
    path = tmp_path / f"preds{suffix}"
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        sep = "\t" if suffix == ".tsv" else ","
        path.write_text(f"id{sep}label\n" + "".join(f"{r['id']}{sep}{r['label']}\n" for r in rows), encoding="utf-8")
    predictions = read_predictions(path)
    assert predictions.ids.to_pylist() == ["a", "b", "c"]
    assert predictions.codes.tolist() == [0, 1, 2]
    assert predictions.codes.dtype == np.uint8


def test_numeric_ids_are_read_as_text(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,label\n007,support\n8,hedge\n", encoding="utf-8")
    assert read_predictions(path).ids.to_pylist() == ["007", "8"]
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 7, "label": "support"}\n', encoding="utf-8")
    assert read_predictions(path).ids.to_pylist() == ["7"]


def test_label_map_from_option_and_json_file(tmp_path):
    mapping = "FAVOR=support,AGAINST=oppose,NONE=hedge"
    assert read_predictions(DATA / "semeval_labels.csv", mapping).codes.tolist() == [0, 1, 2]
    json_map = tmp_path / "map.json"
    json_map.write_text(json.dumps({"FAVOR": "support", "AGAINST": "oppose", "NONE": "hedge"}), encoding="utf-8")
    assert read_predictions(DATA / "semeval_labels.csv", str(json_map)).codes.tolist() == [0, 1, 2]


def test_label_map_errors_are_one_line():
    with pytest.raises(StancebenchError, match="--label-map: expected NAME=LABEL, got 'FAVOR'"):
        parse_label_map("FAVOR")
    with pytest.raises(StancebenchError, match="--label-map: 'FAVOR' maps to unknown label 'pro'"):
        parse_label_map("FAVOR=pro")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.jsonl", "empty.jsonl: empty file"),
        ("missing_label.csv", "missing_label.csv:1: missing column 'label' (found: id, pred)"),
        ("missing_id.jsonl", "missing_id.jsonl:1: missing 'id'"),
        ("duplicate_id.jsonl", "duplicate_id.jsonl:3: duplicate id 's036' (first on line 1)"),
        ("unknown_label.jsonl", "unknown_label.jsonl:3: unknown label 'maybe' (expected one of: support, oppose, hedge"),
        ("latin1.csv", "latin1.csv:3: not UTF-8 text"),
        ("bad_json.jsonl", "bad_json.jsonl:2: not valid JSON"),
        ("ragged.csv", "ragged.csv:3: expected 2 fields, found 3"),
    ],
)
def test_bad_predictions_files_name_file_and_line(name, message):
    with pytest.raises(InputError) as err:
        read_predictions(DATA / name)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"preds\.txt: unknown file type '\.txt'"):
        read_predictions(tmp_path / "preds.txt")
    with pytest.raises(InputError, match=r"nope\.jsonl: file not found"):
        read_predictions(tmp_path / "nope.jsonl")


def test_parquet_errors_name_the_row(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "a"], "label": ["support", "oppose", "hedge"]}), path)
    with pytest.raises(InputError, match=r"p\.parquet:3: duplicate id 'a' \(first on line 1\)"):
        read_predictions(path)
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="junk.parquet: not a parquet file"):
        read_predictions(tmp_path / "junk.parquet")


def test_predictions_from_a_dict_name_the_item():
    assert predictions_from_mapping({"a": "Hedge", "b": None}).codes.tolist() == [2, 3]
    with pytest.raises(StancebenchError, match="predictions: item 'b': unknown label 'maybe'"):
        predictions_from_mapping({"a": "support", "b": "maybe"})


def test_model_codes_checks_count_and_labels():
    assert model_codes(["SUPPORT", None, 2], ["a", "b", "c"], "m").tolist() == [0, 3, 2]
    with pytest.raises(StancebenchError, match="model m: predict returned 1 labels for 2 items"):
        model_codes(["support"], ["a", "b"], "m")
    with pytest.raises(StancebenchError, match="model m: item 'b': unknown label 'off_target'"):
        model_codes(["support", "off_target"], ["a", "b"], "m")


# --- Python models ----------------------------------------------------------------------------


def test_model_file_with_class_factory_and_instance(tmp_path):
    path = tmp_path / "my_model.py"
    path.write_text(
        "class Model:\n"
        "    def __init__(self, default='hedge'):\n        self.default = default\n"
        "    def get_params(self, deep=True):\n        return {'default': self.default}\n"
        "    def predict(self, examples):\n        return [self.default for _ in examples]\n"
        "model = Model\n"
        "def build():\n    return Model('support')\n"
        "instance = Model('oppose')\n",
        encoding="utf-8",
    )
    model, descriptor = load_python_model(str(path))
    assert model.predict([{}]) == ["hedge"]
    assert descriptor["params"] == {"default": "hedge"} and descriptor["path"] == str(path)
    assert load_python_model(f"{path}:build")[0].predict([{}]) == ["support"]
    assert load_python_model(f"{path}:instance")[0].predict([{}]) == ["oppose"]


def test_model_module_spec(monkeypatch, tmp_path):
    (tmp_path / "pkg_for_eval_test").mkdir()
    (tmp_path / "pkg_for_eval_test" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg_for_eval_test" / "models.py").write_text(
        "class Always:\n    def predict(self, examples):\n        return ['hedge'] * len(examples)\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    model, descriptor = load_python_model("pkg_for_eval_test.models:Always")
    assert model.predict([{}, {}]) == ["hedge", "hedge"]
    assert descriptor["class"] == "pkg_for_eval_test.models.Always"


def test_model_loading_errors(tmp_path):
    with pytest.raises(StancebenchError, match=r"model file .*missing\.py not found"):
        load_python_model(str(tmp_path / "missing.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no weights here')\n", encoding="utf-8")
    with pytest.raises(StancebenchError, match=r"broken\.py raised on import: RuntimeError: no weights here"):
        load_python_model(str(broken))
    typo = tmp_path / "typo.py"
    typo.write_text("class Modle:\n    def predict(self, x):\n        return []\n", encoding="utf-8")
    with pytest.raises(StancebenchError, match=r"typo\.py has no attribute 'model'"):
        load_python_model(str(typo))
    with pytest.raises(StancebenchError, match="did you mean 'Modle'"):
        load_python_model(f"{typo}:Model")
    not_model = tmp_path / "not_model.py"
    not_model.write_text("model = 3\n", encoding="utf-8")
    with pytest.raises(StancebenchError, match=r"not_model\.py:model is not a model"):
        load_python_model(str(not_model))
    with pytest.raises(StancebenchError, match="cannot import model module 'no_such_pkg_xyz'"):
        load_python_model("no_such_pkg_xyz:model")


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("my_model.py", ("my_model.py", "model")),
        ("dir/my_model.py:build", ("dir/my_model.py", "build")),
        ("package.module:Model", ("package.module", "Model")),
        ("C:model.py", ("C:model.py", "model")),        # a drive letter, not an attribute
        ("dir/:x", ("dir/:x", "model")),
        ("file.py:not-an-identifier", ("file.py:not-an-identifier", "model")),
    ],
)
def test_one_model_spec_parser(spec, parts):
    assert parse_model_spec(spec) == parts


def test_load_model_is_one_registry_with_a_hint(tmp_path):
    assert set(MODEL_LOADERS) == {"python", "hf", "chat"}
    path = tmp_path / "m.py"
    path.write_text("class Model:\n    def predict(self, examples):\n        return ['hedge'] * len(examples)\n"
                    "model = Model\n", encoding="utf-8")
    model, descriptor = load_model("python", str(path))
    assert model.predict([{}]) == ["hedge"] and descriptor["spec"] == str(path)
    hint = r"unknown kind of model 'pyhton'; did you mean 'python'\? \(kinds: python, hf, chat\)"
    with pytest.raises(StancebenchError, match=hint):
        load_model("pyhton", str(path))
    with pytest.raises(StancebenchError, match="a Python model takes no loading options"):
        load_model("python", str(path), batch_size=3)


def test_first_line_of_any_exception():
    assert first_line(ValueError("bad\nmore")) == "ValueError: bad"
    assert first_line(ValueError("bad\nmore"), with_type=False) == "bad"
    assert first_line(KeyError()) == "KeyError"


# --- Hugging Face models ----------------------------------------------------------------------




def test_hf_classifier_uses_id2label(tmp_path):
    from stancebench.models.hf import HFClassifier

    folder = tiny_hf_model(tmp_path / "clf", {0: "SUPPORT", 1: "OPPOSE", 2: "HEDGE"}, bias=[0.0, 0.0, 50.0])
    model = HFClassifier(folder, batch_size=2)
    examples = [{"id": r["id"], "text": r["text"]} for r in make_rows(5)]
    assert model.predict(examples) == ["HEDGE"] * 5
    assert model.describe()["mode"] == "classifier"


def test_hf_nli_model_is_used_zero_shot(tmp_path):
    from stancebench.models.hf import HFClassifier

    folder = tiny_hf_model(tmp_path / "nli", {0: "entailment", 1: "neutral", 2: "contradiction"})
    model = HFClassifier(folder, hypothesis="The speaker {} lifting the restrictions.")
    predictions = model.predict([{"id": r["id"], "text": r["text"]} for r in make_rows(4)])
    assert len(predictions) == 4 and set(predictions) <= {"support", "oppose", "hedge"}
    assert model.describe()["mode"] == "nli"
    assert model.describe()["hypothesis"] == "The speaker {} lifting the restrictions."


def test_nli_default_hypothesis_names_each_statements_own_target(tmp_path):
    from stancebench.models.hf import HFClassifier

    folder = tiny_hf_model(tmp_path / "nli", {0: "entailment", 1: "neutral", 2: "contradiction"})
    model = HFClassifier(folder)
    assert model._hypothesis({"target": "Banning X everywhere"}, "support") == "The speaker supports banning X everywhere."
    bundled = model._hypothesis({}, "hedge")
    assert bundled.startswith("The speaker avoids taking a position on lifting the restrictions on Ukraine")


def test_hf_model_folder_must_exist(tmp_path):
    from stancebench.models.hf import HFClassifier

    with pytest.raises(StancebenchError, match="not a local model folder .*never downloaded"):
        HFClassifier(tmp_path / "bert-base-uncased")


# --- chat endpoint ----------------------------------------------------------------------------


def test_parse_label_tolerates_case_and_extra_words():
    assert parse_label("Label: Support.") == "support"
    assert parse_label("OPPOSE") == "oppose"
    assert parse_label("The speaker hedges here.") == "hedge"
    assert parse_label("support, not oppose") == "support"
    assert parse_label("I cannot tell whether they support or oppose it") is None
    assert parse_label("no idea") is None
    assert parse_label("") is None


def test_prompt_holds_target_speaker_context_and_statement():
    messages = build_messages({"id": "s1", "text": "We must hit back.", "context": "He said: We must hit back.",
                               "speaker": "Jane Doe", "speaker_role": "Minister", "speaker_affiliation": "Ruritania",
                               "target": "Lifting the limits"})
    user = messages[1]["content"]
    assert "Target: Lifting the limits" in user and "Speaker: Jane Doe (Minister, Ruritania)" in user
    assert "Context: He said: We must hit back." in user and "Statement: We must hit back." in user
    assert "support" in messages[0]["content"] and "one word" in messages[0]["content"]


def test_prompt_follows_the_statements_target_unless_overridden():
    from stancebench.models.chat import GENERIC_SYSTEM_PROMPT, SYSTEM_PROMPT

    bundled = build_messages({"text": "x", "target_id": "lift-ukraine-strike-restrictions"})
    assert bundled[0]["content"] == SYSTEM_PROMPT and "Ukraine" in SYSTEM_PROMPT
    other = build_messages({"text": "x", "target_id": "ban-x", "target": "Banning X"})
    assert other[0]["content"] == GENERIC_SYSTEM_PROMPT and "Ukraine" not in GENERIC_SYSTEM_PROMPT
    assert "Target: Banning X" in other[1]["content"]
    custom = build_messages({"text": "x", "target_id": "ban-x"}, system_prompt="Answer support.")
    assert custom[0]["content"] == "Answer support."




@pytest.fixture
def chat_server():
    server = ChatServer()
    yield server
    server.close()


def _examples(n: int = 6) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "label"} for r in make_rows(n)]


def test_chat_model_answers_and_cache_makes_reruns_free(chat_server, tmp_path):
    model = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path / "cache", concurrency=3)
    assert model.predict(_examples()) == ["support", "oppose", "hedge"] * 2
    assert chat_server.requests == 6
    again = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path / "cache", concurrency=3)
    assert again.predict(_examples()) == ["support", "oppose", "hedge"] * 2
    assert chat_server.requests == 6  # every answer came from the cache
    assert again.cache_hits_ == 6
    other_temperature = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path / "cache", temperature=0.7)
    other_temperature.predict(_examples(1))
    assert chat_server.requests == 7


def test_chat_model_retries_429_then_succeeds(chat_server, tmp_path):
    chat_server.script = [(429, b'{"error": "slow down"}', {"Retry-After": "0"}), (503, b"busy", {})]
    model = ChatModel(chat_server.url + "/chat/completions", "tiny", cache_dir=tmp_path, backoff=0.01, concurrency=1)
    assert model.predict(_examples(3)) == ["support", "oppose", "hedge"]
    assert chat_server.requests == 5


def test_chat_model_gives_up_after_repeated_500s(chat_server, tmp_path):
    chat_server.script = [(500, b"oops", {})] * 3
    model = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path, backoff=0.01, max_retries=2, concurrency=1,
                      fail_fast=True)
    with pytest.raises(StancebenchError, match=r"/v1/chat/completions: HTTP 500 for item 's000' after 3 attempts"):
        model.predict(_examples(1))


def test_chat_model_garbage_answer_is_missing_with_a_warning(chat_server, tmp_path):
    chat_server.garbage_for = {"s001"}
    model = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path)
    assert model.predict(_examples(3)) == ["support", None, "hedge"]
    assert model.warnings_ == [
        "endpoint answer for item 's001' names no label: 'I would rather not say.' (counted as missing)"
    ]


def test_chat_model_api_key_is_sent_but_never_stored(chat_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MY_TEST_KEY", "sk-secret-123")
    model = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path / "cache", api_key_env="MY_TEST_KEY")
    model.predict(_examples(2))
    assert chat_server.headers[0]["Authorization"] == "Bearer sk-secret-123"
    stored = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert stored and "sk-secret" not in stored
    assert "sk-secret" not in json.dumps(model.describe())


def test_chat_endpoint_down_is_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = ChatModel(f"http://127.0.0.1:{port}/v1", "tiny", cache_dir=tmp_path, backoff=0.01, max_retries=1)
    with pytest.raises(StancebenchError, match=rf"cannot reach endpoint http://127.0.0.1:{port}/v1/chat/completions"):
        model.predict(_examples(1))


def test_chat_endpoint_garbage_response_is_one_line(chat_server, tmp_path):
    chat_server.script = [(200, b"<html>proxy error</html>", {})]
    model = ChatModel(chat_server.url, "tiny", cache_dir=tmp_path, concurrency=1)
    with pytest.raises(StancebenchError, match=r"sent a response for item 's000' that is not a chat completion \(24 bytes\)$"):
        model.predict(_examples(1))


def test_models_never_import_from_evaluation():
    # models/ is the lower layer: evaluation scores models, never the other way round.
    import ast
    from pathlib import Path

    import stancebench.models

    for path in Path(stancebench.models.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in getattr(node, "names", [])]
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                assert not any(n.startswith("stancebench.evaluation") for n in names), f"{path.name} imports {names}"
