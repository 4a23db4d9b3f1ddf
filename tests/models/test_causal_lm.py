"""A local causal LM (`--hf-model` on a GPT-2-style folder): log-likelihood scoring, generation, samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import stancebench
from stancebench.cli import cli
from stancebench.models.causal_lm import CausalLM, is_causal_lm
from stancebench.models.prompts import LABELS
from tests.support import make_rows

WORDS = ["<pad>", "<unk>", "<eos>", "support", "oppose", "hedge", "ukraine", "must", "strike", "red", "line",
         "target", "statement", "speaker", "context", "the", "of", "a", "to", "stance"]


def tiny_causal_lm(folder: Path, favour: str | None = None) -> Path:
    """A random 1-layer GPT-2 with a word-level tokenizer, saved to `folder`; `favour` makes it always say that word."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>",
                                                eos_token="<eos>")
    config = transformers.GPT2Config(vocab_size=len(WORDS), n_positions=512, n_embd=16, n_layer=1, n_head=2,
                                     tie_word_embeddings=False, eos_token_id=2, pad_token_id=0, bos_token_id=2)
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(config)
    if favour is not None:
        with torch.no_grad():
            # A constant final hidden state, and an output row that only the favoured word has.
            model.transformer.ln_f.weight.zero_()
            model.transformer.ln_f.bias.fill_(1.0)
            model.lm_head.weight.zero_()
            model.lm_head.weight[WORDS.index(favour)] = 1.0
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def _examples(n: int) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "label"} for r in make_rows(n)]


def test_is_causal_lm_reads_the_config(tmp_path):
    folder = tiny_causal_lm(tmp_path / "lm")
    assert is_causal_lm(folder)
    assert not is_causal_lm(tmp_path) and not is_causal_lm(tmp_path / "missing")


def test_loglik_scores_match_a_one_sequence_reference(tmp_path):
    torch = pytest.importorskip("torch")
    model = CausalLM(tiny_causal_lm(tmp_path / "lm"), batch_size=2)
    examples = _examples(5)
    prompts = [model.prompt(e) for e in examples]
    batched = model.logliks(prompts)
    for prompt, scores in zip(prompts, batched, strict=True):
        context = model.tokenizer_(prompt)["input_ids"]
        for label in LABELS:
            continuation = model.tokenizer_(f" {label}", add_special_tokens=False)["input_ids"]
            ids = torch.tensor([context + continuation])
            with torch.no_grad():
                logprobs = torch.log_softmax(model.model_(input_ids=ids).logits[0], dim=-1)
            reference = sum(float(logprobs[len(context) - 1 + i, t]) for i, t in enumerate(continuation))
            assert scores[label] == pytest.approx(reference, abs=1e-4)
    labels = model.predict(examples)
    assert labels == [max(LABELS, key=s.__getitem__) for s in batched]
    assert model.coverage_ == {"n_unparsable": 0, "unparsable_rate": 0.0}


def test_a_model_that_always_says_oppose(tmp_path):
    folder = tiny_causal_lm(tmp_path / "lm", favour="oppose")
    assert CausalLM(folder).predict(_examples(4)) == ["oppose"] * 4
    generating = CausalLM(folder, mode="generate", max_new_tokens=3)
    assert generating.predict(_examples(2)) == ["oppose"] * 2
    assert generating.samples_[0]["answer"].split()[0] == "oppose"


def test_generate_mode_counts_unparsable_answers(tmp_path):
    folder = tiny_causal_lm(tmp_path / "lm", favour="strike")
    model = CausalLM(folder, mode="generate", max_new_tokens=2)
    assert model.predict(_examples(3)) == [None] * 3
    assert model.coverage_ == {"n_unparsable": 3, "unparsable_rate": 1.0}
    assert model.warnings_[0].startswith("causal LM answer for item 's000' names no label: 'strike strike'")


@pytest.mark.slow
def test_eval_hf_model_on_a_causal_lm_end_to_end(tmp_path, release):
    folder = tiny_causal_lm(tmp_path / "lm", favour="hedge")
    log = tmp_path / "samples.jsonl"
    result = CliRunner().invoke(cli, ["eval", "--hf-model", str(folder), "--release", str(release), "--shots", "2",
                                      "--limit", "9", "--log-samples", str(log), "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["model"]["type"] == "causal_lm" and report["model"]["mode"] == "loglik"
    assert report["model"]["shots"] == 2 and report["dataset"]["n_items"] == 9
    hedges = sum(p["gold"] == "hedge" for p in report["predictions"])
    assert report["headline"]["accuracy"]["value"] == pytest.approx(hedges / 9)
    assert all(p["pred"] == "hedge" for p in report["predictions"])
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [s["id"] for s in lines] == [p["id"] for p in report["predictions"]]
    train_texts = {r["text"] for r in make_rows(36)}
    for sample in lines:
        assert sample["label"] == "hedge" and set(sample["logliks"]) == set(LABELS)
        assert sample["prompt"].count("Statement: ") == 3  # two shots and the item
        shots = [part.split("\n")[0] for part in sample["prompt"].split("Statement: ")[1:-1]]
        assert len(shots) == 2 and all(shot in train_texts for shot in shots)  # from train, never the scored split
    again = CliRunner().invoke(cli, ["eval", "--hf-model", str(folder), "--release", str(release), "--shots", "2",
                                     "--limit", "9", "--log-samples", str(tmp_path / "again.jsonl")])
    assert again.exit_code == 0 and (tmp_path / "again.jsonl").read_bytes() == log.read_bytes()  # seeded


def test_stancebench_evaluate_accepts_the_causal_lm_object(tmp_path, release):
    model = CausalLM(tiny_causal_lm(tmp_path / "lm", favour="support"))
    report = stancebench.evaluate(model=model, release=release, limit=6, seed=1)
    assert report.coverage["n_unparsable"] == 0 and report.dataset["n_items"] == 6
    assert "--limit 6: scored a sample of 6 of the 24 items (seed 1)" in report.warnings
