"""Model suggestions: shown with confidence, recorded on the event, never pre-filled; ordering; background refit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebench.annotation.opening import open_annotation_session
from stancebench.logs import read_label_log
from stancebench.project import load_project
from stancebench.store import read_statements

FIXED_MODEL = '''
class Fixed:
    """Always 'oppose'; confidence grows with the text's length (so the order is checkable)."""
    classes_ = ["support", "oppose", "hedge"]

    def predict(self, examples):
        return ["oppose" for _ in examples]

    def predict_proba(self, examples):
        out = []
        for e in examples:
            p = min(0.3 + len(e["text"]) / 1000, 0.98)
            out.append([(1 - p) / 2, p, (1 - p) / 2])
        return out

model = Fixed
'''

LEARNING_MODEL = '''
import threading
from collections import Counter

release = threading.Event()
release.set()
fits = []

class Majority:
    """Predicts its training majority; cannot predict before fit. fit waits on `release` (the tests hold it)."""
    def fit(self, examples, labels):
        release.wait(10)
        self.label_ = Counter(labels).most_common(1)[0][0]
        fits.append(len(labels))
        return self

    def predict(self, examples):
        return [self.label_ for _ in examples]

model = Majority
'''


def model_file(folder: Path, source: str, name: str) -> str:
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return str(path)


def log(project: Path, name: str = "a"):
    return read_label_log(project / "annotations" / "labels" / f"{name}.jsonl")


def test_suggestion_is_shown_recorded_and_never_prefilled(seeded, stancebench, tmp_path):
    spec = model_file(tmp_path, FIXED_MODEL, "fixed")
    first = read_statements(seeded / "annotations" / "statements.jsonl")[0]
    # Enter alone (an empty key) must not accept the suggestion; then the annotator disagrees with it.
    result = stancebench("annotate", "--annotator", "a", "--suggest", spec, input="\ns\no\nq\n")
    assert result.exit_code == 0, result.output
    confidence = min(0.3 + len(first.text) / 1000, 0.98)
    assert f"Suggestion: oppose (confidence {confidence:.2f}, by fixed)" in result.output
    screen = result.output.split("Suggestion:")[0]
    assert screen.rstrip().endswith(first.text.split()[-1])  # the suggestion sits right under the statement
    assert "press ? for help" in result.output  # the empty key did nothing
    events = log(seeded)
    assert [(e.statement_id, e.label) for e in events][0] == (first.id, "support")  # the annotator's key, not the model's
    assert events[0].suggestion == {"label": "oppose", "model": "fixed", "confidence": round(confidence, 4)}
    assert events[1].label == "oppose" and events[1].suggestion["label"] == "oppose"
    without = stancebench("annotate", "--annotator", "b", input="h\nq\n")
    assert "Suggestion" not in without.output and log(seeded, "b")[0].suggestion is None
    report = stancebench("agreement")
    assert "  a: followed 1/2 (50%), Cohen kappa vs model" in report.output
    data = json.loads(stancebench("agreement", "--json").output)["suggestions"]
    assert data["annotators"]["a"]["with_suggestion"] == 2 and data["annotators"]["a"]["followed"] == 1
    assert "b" not in data["annotators"]


def test_order_uncertainty_puts_the_least_confident_first(seeded, tmp_path):
    spec = model_file(tmp_path, FIXED_MODEL, "fixed")
    statements = {s.id: s for s in read_statements(seeded / "annotations" / "statements.jsonl")}
    session = open_annotation_session(load_project(), "a", order="uncertainty", suggest=spec)
    lengths = [len(statements[sid].text) for sid in session.queue]
    assert lengths == sorted(lengths) and len(lengths) == len(statements)
    random_one = open_annotation_session(load_project(), "a", order="random", seed=4).queue
    assert random_one == open_annotation_session(load_project(), "a", order="random", seed=4).queue
    assert random_one != open_annotation_session(load_project(), "a").queue


def test_refit_runs_in_the_background_without_blocking_the_screen(seeded, tmp_path):
    spec = model_file(tmp_path, LEARNING_MODEL, "learning")
    session = open_annotation_session(load_project(), "a", suggest=spec, refit_every=2)
    module = __import__("sys").modules[type(session.suggester.model).__module__]
    assert "Suggestion: none yet" in session.render()  # unfitted: no suggestion, no error on screen
    module.release.clear()  # the next fit will hang until we let it go
    session.handle_key("h")
    session.render()
    outcome = session.handle_key("s")  # second label (two classes now): a refit starts
    assert outcome.label == "support" and session.suggester.is_refitting
    assert "Suggestion: none yet (model refitting)" in session.render()  # the screen did not wait
    assert session.handle_key("o").label == "oppose"  # and labelling goes on meanwhile
    module.release.set()
    session.suggester.wait(10)
    assert module.fits == [2]
    assert "Suggestion: hedge (confidence n/a, by learning)" in session.render()


def test_refit_every_from_the_command_line(seeded, stancebench, tmp_path):
    source = LEARNING_MODEL.replace("        fits.append(len(labels))", "        fits.append(len(labels))\n"
                                    "        open(__file__ + '.fits', 'a').write(f'{len(labels)}\\n')")
    spec = model_file(tmp_path, source, "learning_cli")
    result = stancebench("annotate", "--annotator", "a", "--suggest", spec, "--refit-every", "2", input="s\no\nh\nq\n")
    assert result.exit_code == 0, result.output
    assert "Suggestion: none yet" in result.output  # before the first fit
    fits = Path(spec + ".fits").read_text().split()
    assert fits[0] == "2"  # refitted on the first two labels (the session waits for it before exiting)
    assert [e.label for e in log(seeded)] == ["support", "oppose", "hedge"]


def test_bad_suggest_options_are_one_line(seeded, stancebench, tmp_path):
    for args, message in [
        (("--suggest", str(tmp_path / "missing.py")), "missing.py"),
        (("--order", "uncertainty"), "--order uncertainty needs a model: --suggest MODEL"),
        (("--refit-every", "3"), "--refit-every needs a model: --suggest MODEL"),
    ]:
        result = stancebench("annotate", "--annotator", "a", *args, input="q\n")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and message in result.output


@pytest.mark.slow
def test_suggest_with_a_baseline_file(seeded, stancebench):
    from tests.support import REPO

    for sid, label in zip([s.id for s in read_statements(seeded / "annotations" / "statements.jsonl")][:4],
                          ["support", "oppose", "support", "hedge"], strict=True):
        assert stancebench("label", sid, label, "--annotator", "z").exit_code == 0
    session = open_annotation_session(load_project(), "a", suggest=str(REPO / "baselines" / "tfidf_logreg.py"))
    session.suggester.wait(60)  # fitted in the background on z's labels
    screen = session.render(columns=200)
    assert "Suggestion: " in screen and "by tfidf_logreg" in screen and "confidence 0." in screen
