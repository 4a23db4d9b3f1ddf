"""Baseline: TF-IDF word and character n-grams into class-weighted logistic regression.

Optionally adds the speaker's affiliation (one-hot) as a feature: who speaks is a strong
prior for stance, but a model leaning on it learns the speaker rather than the statement,
which the speaker-grouped test split is designed to expose.

    stancebench eval --model baselines/tfidf_logreg.py
    stancebench eval --model baselines/tfidf_logreg.py:with_affiliation
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.base import BaseEstimator, ClassifierMixin


class TfidfLogReg(ClassifierMixin, BaseEstimator):
    """Word (1-2) and char_wb (2-5) TF-IDF, optional affiliation one-hot, logistic regression."""

    def __init__(self, C: float = 1.0, use_affiliation: bool = False, seed: int = 0) -> None:
        self.C = C
        self.use_affiliation = use_affiliation
        self.seed = seed

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The example columns the model reads (eval refuses gold without them)."""
        return ("text", "speaker_affiliation") if self.use_affiliation else ("text",)

    def _frame(self, examples: Sequence[dict]):
        import pandas as pd

        return pd.DataFrame(
            {
                "text": [e["text"] for e in examples],
                "affiliation": [e.get("speaker_affiliation") or "unknown" for e in examples],
            }
        )

    def fit(self, examples: Sequence[dict], labels: Sequence[str]) -> TfidfLogReg:
        """Fit the vectorisers and the classifier."""
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder

        columns = [
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1), "text"),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1), "text"),
        ]
        if self.use_affiliation:
            columns.append(("affiliation", OneHotEncoder(handle_unknown="ignore"), ["affiliation"]))
        self.pipeline_ = Pipeline(
            [
                ("features", ColumnTransformer(columns)),
                ("classifier", LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed)),
            ]
        )
        self.pipeline_.fit(self._frame(examples), list(labels))
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, examples: Sequence[dict]) -> list[str]:
        """Predicted label names."""
        return [str(label) for label in self.pipeline_.predict(self._frame(examples))]

    def predict_proba(self, examples: Sequence[dict]):
        """Class probabilities in the order of `classes_`."""
        return self.pipeline_.predict_proba(self._frame(examples))


def model() -> TfidfLogReg:
    """Factory that `stancebench eval --model baselines/tfidf_logreg.py` calls."""
    return TfidfLogReg()


def with_affiliation() -> TfidfLogReg:
    """The same model with the speaker's affiliation as an extra feature."""
    return TfidfLogReg(use_affiliation=True)
