"""A local causal language model (transformers) as a stance model, scored the way lm-evaluation-harness does.

`mode="loglik"` (lm-eval's multiple choice): the prompt is followed by each label's word, and
the label whose continuation has the highest total log-likelihood wins; nothing is generated,
so there is never an unparsable answer. `mode="generate"`: greedy decoding of `max_new_tokens`,
parsed like an endpoint's answer (`chat.parse_label`); an answer naming no label is missing.

The prompt is the codebook's instructions, `shots` k-shot examples from the training rows and
the item, through a `PromptTemplate`: with the tokenizer's chat template when it has one (as
`lm_eval --apply_chat_template`), else as plain text ("…\n\n" between examples, each answer
after a space). Models load from a local folder only; nothing is downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stancebench import codebook
from stancebench.errors import StancebenchError, first_line, quoted
from stancebench.models.chat import build_messages, parse_label, system_prompt_for
from stancebench.models.prompts import LABELS, FewShot, PromptTemplate

__all__ = ["CausalLM", "is_causal_lm", "MODES"]

MODES: tuple[str, ...] = ("loglik", "generate")


def is_causal_lm(path: str | Path) -> bool:
    """Does the local model folder hold a causal LM (config architectures `…ForCausalLM` / `…LMHeadModel`)?"""
    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    architectures = config.get("architectures") or [] if isinstance(config, dict) else []
    return any(str(a).endswith(("ForCausalLM", "LMHeadModel")) for a in architectures)


class CausalLM:
    """A causal LM from a local folder; `predict` gives a label (or None, in generate mode) per example."""

    def __init__(self, path: str | Path, *, mode: str = "loglik", template: PromptTemplate | None = None,
                 system_prompt: str | None = None, shots: int = 0, seed: int = 0, batch_size: int = 8,
                 max_new_tokens: int = 8, max_length: int = 2048, trust_remote_code: bool = False,
                 target: str = codebook.TARGET) -> None:
        from stancebench.models.hf import _import_transformers

        if mode not in MODES:
            raise StancebenchError(f"--lm-mode {mode!r}: expected one of {', '.join(MODES)}")
        self.path, self.mode, self.target = str(path), mode, target
        self.template = template or PromptTemplate()
        self.system_prompt = system_prompt
        self.few_shot = FewShot(shots, seed)
        self.batch_size, self.max_new_tokens, self.max_length = batch_size, max_new_tokens, max_length
        torch, transformers = _import_transformers()
        self._torch = torch
        transformers.utils.logging.disable_progress_bar()
        try:
            self.tokenizer_ = transformers.AutoTokenizer.from_pretrained(
                self.path, local_files_only=True, trust_remote_code=trust_remote_code)
            self.model_ = transformers.AutoModelForCausalLM.from_pretrained(
                self.path, local_files_only=True, trust_remote_code=trust_remote_code)
        except Exception as err:  # noqa: BLE001 - transformers raises many kinds
            raise StancebenchError(f"--hf-model {path}: cannot load as a causal LM ({first_line(err)})") from None
        self.model_.eval()
        self.chat_template_ = bool(getattr(self.tokenizer_, "chat_template", None))
        self.warnings_: list[str] = []
        self.samples_: list[dict[str, Any]] = []
        self.coverage_: dict[str, Any] = {}

    @property
    def fit(self) -> Any:
        """`fit(examples, labels)` keeps the k-shot pool; None (no fitting) when `shots` is 0."""
        return self.few_shot.fit if self.few_shot.shots else None

    def describe(self) -> dict[str, Any]:
        """Report descriptor."""
        return {"type": "causal_lm", "path": self.path, "mode": self.mode, "shots": self.few_shot.shots,
                "chat_template": self.chat_template_, "prompt_template": self.template.source,
                "prompt_template_sha256": self.template.sha256, "max_new_tokens": self.max_new_tokens,
                "system_prompt": "custom" if self.system_prompt is not None else "codebook (per target)"}

    # -- prompts ------------------------------------------------------------------------------------

    def prompt(self, example: Mapping[str, Any]) -> str:
        """The exact text the model continues for one example."""
        shots = self.few_shot.draw(example)
        if self.chat_template_:
            messages = build_messages(example, self.target, self.system_prompt, self.template, shots)
            return self.tokenizer_.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        system = self.system_prompt if self.system_prompt is not None else system_prompt_for(example)
        parts = [system]
        parts += [f"{self.template.render(shot, self.target)} {label}" for shot, label in shots]
        parts.append(self.template.render(example, self.target))
        return "\n\n".join(parts)

    def _continuation(self, label: str) -> str:
        return label if self.chat_template_ else f" {label}"

    # -- scoring ------------------------------------------------------------------------------------

    def _ids(self, text: str, special: bool) -> list[int]:
        return list(self.tokenizer_(text, add_special_tokens=special)["input_ids"])

    def logliks(self, prompts: Sequence[str]) -> list[dict[str, float]]:
        """Per prompt, the total log-likelihood of each label's continuation."""
        torch = self._torch
        requests = []
        for prompt in prompts:
            context = self._ids(prompt, special=not self.chat_template_)
            for label in LABELS:
                continuation = self._ids(self._continuation(label), special=False)
                whole = (context + continuation)[-(self.max_length + 1):]
                requests.append((whole, len(continuation)))
        out: list[float] = []
        pad = self.tokenizer_.pad_token_id if self.tokenizer_.pad_token_id is not None else 0
        with torch.no_grad():
            for start in range(0, len(requests), self.batch_size * len(LABELS)):
                batch = requests[start:start + self.batch_size * len(LABELS)]
                width = max(len(ids) - 1 for ids, _ in batch)
                inputs = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, (ids, _) in enumerate(batch):
                    inputs[row, : len(ids) - 1] = torch.tensor(ids[:-1])
                    mask[row, : len(ids) - 1] = 1
                logprobs = torch.log_softmax(self.model_(input_ids=inputs, attention_mask=mask).logits.float(), dim=-1)
                for row, (ids, n_cont) in enumerate(batch):
                    positions = torch.arange(len(ids) - 1 - n_cont, len(ids) - 1)
                    targets = torch.tensor(ids[-n_cont:])
                    out.append(float(logprobs[row, positions, targets].sum()))
        return [dict(zip(LABELS, out[i:i + len(LABELS)], strict=True)) for i in range(0, len(out), len(LABELS))]

    def generate(self, prompt: str) -> str:
        """Greedy decoding of up to `max_new_tokens` after the prompt."""
        torch = self._torch
        ids = self._ids(prompt, special=not self.chat_template_)[-self.max_length:]
        inputs = torch.tensor([ids])
        pad = self.tokenizer_.pad_token_id if self.tokenizer_.pad_token_id is not None else self.tokenizer_.eos_token_id
        with torch.no_grad():
            output = self.model_.generate(input_ids=inputs, attention_mask=torch.ones_like(inputs), do_sample=False,
                                          max_new_tokens=self.max_new_tokens, pad_token_id=pad)
        return self.tokenizer_.decode(output[0, len(ids):], skip_special_tokens=True)

    def predict(self, examples: Sequence[Mapping[str, Any]]) -> list[str | None]:
        """A label per example (None in generate mode when the answer names none)."""
        prompts = [self.prompt(e) for e in examples]
        labels: list[str | None] = []
        if self.mode == "loglik":
            for example, prompt, scores in zip(examples, prompts, self.logliks(prompts), strict=True):
                label = max(LABELS, key=lambda name: scores[name])
                labels.append(label)
                self.samples_.append({"id": example.get("id"), "prompt": prompt, "answer": label,
                                      "logliks": scores, "label": label})
        else:
            for example, prompt in zip(examples, prompts, strict=True):
                answer = self.generate(prompt)
                label = parse_label(answer)
                if label is None:
                    shown = quoted(answer.strip().replace("\n", " "))
                    self.warnings_.append(f"causal LM answer for item {quoted(example.get('id'))} names no label: "
                                          f"{shown} (counted as missing)")
                labels.append(label)
                self.samples_.append({"id": example.get("id"), "prompt": prompt, "answer": answer, "label": label})
        unparsable = sum(1 for s in self.samples_ if s["label"] is None)
        self.coverage_ = {"n_unparsable": unparsable,
                          "unparsable_rate": unparsable / len(self.samples_) if self.samples_ else 0.0}
        return labels
