"""A linear classifier over character n-gram TF-IDF, kept as plain numbers.

The page classifier needs no more than this: a vocabulary of character n-grams with
their inverse document frequencies, and a weight per n-gram and class. Keeping exactly
those numbers (JSON in the package, see ``tasks.models``) instead of a pickled
scikit-learn pipeline means the model loads under any library version, reads the same
on every machine and can be diffed; scikit-learn is needed only to fit the weights
(``fit``, at build time), and the features are computed by the same function here at
build and at run time, so training and use cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CharTfidfClassifier", "char_ngrams", "fit"]

_WHITESPACE = re.compile(r"\s\s+")
# Decimal places the learned numbers keep: far below what moves a probability, and
# enough rounding that the last bits a CPU's floating point leaves differ in do not
# change the artifact's bytes.
_PLACES = 4


def char_ngrams(text: str, low: int, high: int) -> Counter[str]:
    """Counts of the character n-grams of ``text``, ``low <= n <= high`` (runs of
    whitespace folded to one space, as scikit-learn's ``analyzer="char"``)."""
    text = _WHITESPACE.sub(" ", text.lower())
    counts: Counter[str] = Counter()
    for n in range(low, min(high, len(text)) + 1):
        counts.update(text[i : i + n] for i in range(len(text) - n + 1))
    return counts


@dataclass(frozen=True)
class CharTfidfClassifier:
    """Sublinear TF-IDF over character n-grams, L2-normalised, then multinomial logistic
    regression (a sigmoid when there are two classes)."""

    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    coef: np.ndarray  # (features, classes), or (features, 1) for two classes
    intercept: np.ndarray  # (classes,) or (1,)
    classes: tuple[Any, ...]

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(indexes, weights) of the text's known n-grams: its sparse TF-IDF row."""
        counts = char_ngrams(text, *self.ngram_range)
        known = [(self.vocabulary[g], c) for g, c in counts.items() if g in self.vocabulary]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        tf = np.fromiter((c for _, c in known), dtype=np.float64, count=len(known))
        weights = (1.0 + np.log(tf)) * self.idf[index]
        return index, weights / np.linalg.norm(weights)

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.coef.shape[1]))
        for row, text in enumerate(texts):
            index, weights = self.features(text)
            out[row] = weights @ self.coef[index] + self.intercept
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, each class's probability, columns in the order of ``classes``."""
        scores = self.decision(texts)
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def to_json(self) -> dict[str, Any]:
        """Plain numbers: n-grams in feature order with their idf and weights."""
        grams = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "ngram_range": list(self.ngram_range),
            "classes": list(self.classes),
            "intercept": [round(float(v), _PLACES) for v in self.intercept],
            "features": [
                [g, round(float(self.idf[i]), _PLACES), *(round(float(w), _PLACES) for w in row)]
                for i, (g, row) in enumerate(zip(grams, self.coef, strict=True))
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CharTfidfClassifier:
        features = data["features"]
        width = len(data["intercept"])
        return cls(
            ngram_range=(int(data["ngram_range"][0]), int(data["ngram_range"][1])),
            vocabulary={row[0]: i for i, row in enumerate(features)},
            idf=np.array([row[1] for row in features], dtype=np.float64),
            coef=np.array([row[2:] for row in features], dtype=np.float64).reshape(-1, width),
            intercept=np.array(data["intercept"], dtype=np.float64),
            classes=tuple(data["classes"]),
        )


def fit(
    texts: Sequence[str],
    labels: Sequence[Any],
    *,
    ngram_range: tuple[int, int] = (1, 3),
    min_df: int = 2,
    max_features: int | None = None,
    C: float = 10.0,
) -> CharTfidfClassifier:
    """Fit on ``texts``: the vocabulary keeps n-grams in at least ``min_df`` texts, the
    ``max_features`` most frequent of them (ties by the n-gram itself, so the choice
    never depends on dictionary order); the weights are scikit-learn's
    ``LogisticRegression`` (lbfgs, deterministic). The result is rounded as it will be
    stored, so a model fitted here and one loaded from its JSON are the same."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows = [char_ngrams(t, *ngram_range) for t in texts]
    df: Counter[str] = Counter()
    tf: Counter[str] = Counter()
    for counts in rows:
        df.update(counts.keys())
        tf.update(counts)
    grams = sorted((g for g, d in df.items() if d >= min_df), key=lambda g: (-tf[g], g))
    if max_features is not None:
        grams = grams[:max_features]
    grams.sort()
    vocabulary = {g: i for i, g in enumerate(grams)}
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in grams])
    idf = np.round(idf, _PLACES)
    indptr, indices, values = [0], [], []
    for counts in rows:
        known = sorted((vocabulary[g], c) for g, c in counts.items() if g in vocabulary)
        weights = np.array([(1.0 + math.log(c)) * idf[i] for i, c in known])
        if len(weights):
            weights /= np.linalg.norm(weights)
        indices += [i for i, _ in known]
        values += weights.tolist()
        indptr.append(len(indices))
    matrix = csr_matrix((values, indices, indptr), shape=(n, len(grams)))
    model = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
    model.fit(matrix, list(labels))
    classifier = CharTfidfClassifier(
        ngram_range=ngram_range,
        vocabulary=vocabulary,
        idf=idf,
        coef=np.asarray(model.coef_).T.copy(),
        intercept=np.asarray(model.intercept_),
        classes=tuple(c.item() if hasattr(c, "item") else c for c in model.classes_),
    )
    return CharTfidfClassifier.from_json(classifier.to_json())
