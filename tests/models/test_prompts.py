"""Prompt templates and k-shot examples for language models."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stancebench import codebook
from stancebench.cli import cli
from stancebench.errors import InputError, StancebenchError
from stancebench.models.chat import build_messages
from stancebench.models.prompts import DEFAULT_TEMPLATE, FewShot, PromptTemplate
from tests.support import make_rows


def test_default_template_is_the_prompt_stancebench_always_sent():
    row = make_rows(1)[0]
    rendered = PromptTemplate().render(row)
    assert rendered.splitlines() == [
        f"Target: {row['target']}",
        f"Speaker: {row['speaker']} ({row['speaker_role']}, {row['speaker_affiliation']})",
        f"Context: {row['context']}",
        f"Statement: {row['text']}",
        "Stance of the statement toward the target (support, oppose or hedge):",
    ]
    no_context = PromptTemplate().render({**row, "context": None})
    assert "Context:" not in no_context and no_context.count("\n") == 3


def test_template_variables_and_codebook_definitions():
    template = PromptTemplate("{label_definitions}\nSay {labels}.\n{{literal}} {text}")
    text = template.render({"text": "We must.", "target_id": codebook.TARGET_ID})
    assert f"- support: {codebook.LABEL_DEFINITIONS['support']}" in text
    assert "Say support, oppose or hedge." in text and "{literal} We must." in text
    other = template.render({"text": "x", "target_id": "ban-x"})
    assert codebook.GENERIC_LABEL_DEFINITIONS["oppose"] in other


def test_unknown_variable_names_file_and_line(tmp_path):
    path = tmp_path / "prompt.txt"
    path.write_text("Statement: {text}\nStance of {speeker}?\n")
    with pytest.raises(InputError, match=r"prompt.txt:2: unknown template variable \{speeker\} \(known: text,"):
        PromptTemplate.from_file(path)
    path.write_text("Statement: {text\n")
    with pytest.raises(InputError, match=r"prompt.txt:1: bad template"):
        PromptTemplate.from_file(path)
    path.write_text("\n\n")
    with pytest.raises(InputError, match="empty prompt template"):
        PromptTemplate.from_file(path)
    result = CliRunner().invoke(cli, ["eval", "--endpoint", "http://127.0.0.1:9/v1", "--model-name", "m",
                                      "--prompt-template", str(path)])
    assert result.exit_code == 1 and result.output == f"Error: {path}: empty prompt template\n"


def test_shots_are_seeded_per_item_and_never_the_item_itself():
    rows = make_rows(12)
    examples = [{k: v for k, v in r.items() if k != "label"} for r in rows]
    few = FewShot(shots=3, seed=7)
    few.fit(examples, [("support", "oppose", "hedge")[r["label"]] for r in rows])
    for example in examples:
        drawn = few.draw(example)
        assert len(drawn) == 3 and example["id"] not in {e["id"] for e, _ in drawn}
        assert drawn == FewShot(3, 7, few.pool).draw(example)  # same seed, same examples
    assert any(few.draw(e) != FewShot(3, 8, few.pool).draw(e) for e in examples)
    messages = build_messages(examples[0], shots=few.draw(examples[0]))
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user", "assistant",
                                             "user"]
    assert messages[2]["content"] in ("support", "oppose", "hedge")


def test_shots_need_training_rows():
    with pytest.raises(StancebenchError, match="--shots 2 needs training rows"):
        FewShot(2).draw({"id": "a"})
    with pytest.raises(StancebenchError, match="--shots 5: only 1 training rows"):
        FewShot(5).fit([{"id": "a"}], ["support"])
    assert DEFAULT_TEMPLATE.count("{") == 4
