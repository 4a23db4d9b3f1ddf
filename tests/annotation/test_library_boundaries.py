"""The annotation library stays a library: no click, and a pinned public API."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import stancebench.annotation as package

PUBLIC = {
    "labels": {"label_log_path", "latest_labels", "current_events", "current_labels", "current_notes",
               "latest_decisions", "is_disputed", "disputed_ids", "live_labels", "LabelState", "read_label_state",
               "canonical_events", "copy_conflicts"},
    "corrections": {"CORRECTION_KINDS", "SPAN_MODES", "make_correction", "latest_corrections", "apply_corrections",
                    "correction_counts", "speaker_choices", "speaker_correction", "span_correction", "sentence_span",
                    "correct_statement"},
    "queues": {"Assignment", "queues_dir", "queue_path", "read_queue", "read_queues", "assign", "overlap_ids"},
    "suggestions": {"Suggestion", "Suggester", "load_suggester", "statement_example", "uncertainty_order", "ORDERS"},
    "reports": {"labelling_status", "Status", "corpus_status", "AgreementReport", "corpus_agreement"},
}


def test_no_annotation_module_imports_click():
    for info in pkgutil.iter_modules(package.__path__):
        source = importlib.util.find_spec(f"stancebench.annotation.{info.name}").origin
        text = Path(source).read_text(encoding="utf-8")
        assert "import click" not in text, info.name


def test_public_names_are_pinned():
    for name, expected in PUBLIC.items():
        module = importlib.import_module(f"stancebench.annotation.{name}")
        assert set(module.__all__) == expected, name
        assert all(hasattr(module, item) for item in module.__all__), name
