"""Figures quoted in the README come from the committed release, not from memory."""

from __future__ import annotations

import json
import re

from tests.support import REPO

ROOT = REPO


def test_readme_figures_match_the_release():
    info = json.loads((ROOT / "stancebench" / "data" / "release.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"The first release is small: (\w+) source article, (\d+) statements, (\d+) of them on target \(train (\d+),\s+"
        r"test (\d+)\), labelled by (\w+) annotator",
        readme,
    )
    assert found, "README's release summary sentence changed; keep it checked here"
    articles, statements, on_target, train, test, annotators = found.groups()
    words = {"one": 1, "two": 2, "three": 3}
    assert words.get(articles, articles) == info["inputs"]["articles_used"]
    assert int(statements) == info["annotations_counts"]["annotated"]["rows"]
    assert int(on_target) == info["counts"]["total"]["total"]
    assert (int(train), int(test)) == (info["counts"]["train"]["total"], info["counts"]["test"]["total"])
    assert words.get(annotators, annotators) == len(info["inputs"]["annotators"])
