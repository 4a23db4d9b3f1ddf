"""Helpers for the evaluation tests: a small release folder and gold/predictions files on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from stancebench.schema import STANCE_LABELS, gold_content_hash

SPEAKERS = [
    ("Volodymyr Zelensky", "President", "Ukraine"),
    ("Dmitry Peskov", "Kremlin spokesman", "Russia"),
    ("Antony Blinken", "Secretary of State", "United States"),
    ("David Cameron", "Foreign Secretary", "United Kingdom"),
    ("Jens Stoltenberg", "Secretary General", "NATO"),
    ("Olaf Scholz", "Chancellor", "Germany"),
]
TEXTS = {
    "support": "Ukraine must be able to strike the places it is attacked from.",
    "oppose": "Such strikes would be a dangerous escalation and cross a red line.",
    "hedge": "No decision has been made yet; we keep it under consideration.",
}


def make_rows(n: int, offset: int = 0) -> list[dict]:
    """`n` gold rows in the release schema; labels cycle support, oppose, hedge."""
    rows = []
    for i in range(offset, offset + n):
        label = STANCE_LABELS[i % 3]
        speaker, role, affiliation = SPEAKERS[i % len(SPEAKERS)]
        rows.append({
            "id": f"s{i:03d}",
            "text": f"{TEXTS[label]} ({i})",
            "context": f"Context sentence {i}. {TEXTS[label]}",
            "target": "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia",
            "speaker": speaker,
            "speaker_role": role,
            "speaker_affiliation": affiliation,
            "quote_type": "direct" if i % 2 == 0 else "indirect",
            "article_id": f"a{i // 4}",
            "article_title": f"Article {i // 4}",
            "outlet": "Example News",
            "date": "2024-05-30",
            "label": i % 3,
        })
    return rows


def write_release(folder: Path, splits: dict[str, list[dict]], name: str = "stancebench", version: str = "0.1.0") -> Path:
    """A release folder: release.json and default/<split>.parquet (int ClassLabel labels)."""
    (folder / "default").mkdir(parents=True, exist_ok=True)
    everything = []
    for split, rows in splits.items():
        pq.write_table(pa.Table.from_pylist(rows), folder / "default" / f"{split}.parquet")
        everything.extend(rows)
    triples = [(r["id"], r["text"], STANCE_LABELS[r["label"]]) for r in everything]
    info = {"name": name, "version": version, "content_hash": gold_content_hash(triples),
            "target_id": "lift-ukraine-strike-restrictions", "counts": {s: len(r) for s, r in splits.items()}}
    (folder / "release.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "README.md").write_text("# test release\n", encoding="utf-8")
    return folder


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Rows as JSON lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def perfect_predictions(rows: list[dict]) -> list[dict]:
    """Predictions equal to the gold labels, as names."""
    return [{"id": r["id"], "label": STANCE_LABELS[r["label"]]} for r in rows]


class KeywordModel:
    """A tiny model with the stancebench interface: keywords learned in fit()."""

    def __init__(self, default: str = "hedge") -> None:
        self.default = default

    def get_params(self, deep: bool = True) -> dict:
        return {"default": self.default}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, examples, labels):
        self.seen_ = len(examples)
        return self

    def predict(self, examples):
        out = []
        for example in examples:
            text = example["text"].lower()
            out.append("support" if "must be able" in text else "oppose" if "red line" in text else self.default)
        return out
