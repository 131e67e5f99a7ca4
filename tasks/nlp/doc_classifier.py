"""A page-level document-type classifier: character n-gram TF-IDF + logistic regression.

It decides the type of pages whose title line the rules cannot read (a torn,
stamped or misread title) and confirms the rules' choice elsewhere. Character
n-grams rather than jieba tokens: OCR errors break words, not characters, and
the cues are short fixed phrases (问：/答：, 判决如下, 此致, 经依法审查查明).

The model is an artifact, never trained at run time: ``dossier models build``
(``tasks.nlp.doc_classifier_build``) fits it from data in the repository and writes
``tasks/nlp/models/doc_classifier.json.xz`` into the package; this module only loads
those numbers (``tasks.nlp.char_tfidf``: no pickle, no scikit-learn at run time), so
every deployment of one commit runs the same model, whatever is installed or present
beside it, and the first dossier on a new machine pays nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tasks.models import ModelArtifact, load_artifact
from tasks.nlp.char_tfidf import CharTfidfClassifier

__all__ = [
    "MODEL_NAME",
    "MODEL_VERSION",
    "PageClassifier",
    "load_classifier",
    "normalize_for_classifier",
    "opening",
]

MODEL_NAME = "doc_classifier"
# Bump when the features, the model's form or the training recipe change meaning; the
# build writes it into the artifact and loading refuses an artifact of another version.
MODEL_VERSION = "3"
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")


def normalize_for_classifier(text: str) -> str:
    """Width-folded, numbers as 0, no whitespace: names and dates are not the cue, layout is
    not stable across OCR engines."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def opening(page: str, chars: int = 60) -> str:
    """The first characters of a page, where a document's first page differs from the rest."""
    return normalize_for_classifier(page)[:chars]


@dataclass(frozen=True)
class PageClassifier:
    """``types`` types a page; ``starts`` tells a document's first page from a continuation
    by the page's opening characters (a heading block, a case number, 时间：…至 versus a
    sentence cut mid-way), which is what separates two title-less documents of the same
    type (two 讯问笔录 sessions). ``version`` names the artifact (see ``tasks.models``)."""

    types: CharTfidfClassifier
    starts: CharTfidfClassifier
    version: str

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.types.classes]

    def probabilities(self, pages: Sequence[str]) -> list[dict[str, float]]:
        """Per page, each type's probability."""
        if not pages:
            return []
        matrix = self.types.predict_proba([normalize_for_classifier(p) for p in pages])
        classes = self.classes
        return [dict(zip(classes, map(float, row), strict=True)) for row in matrix]

    def start_probabilities(self, pages: Sequence[str]) -> list[float]:
        """Per page, the probability that it is the first page of a document."""
        if not pages:
            return []
        column = list(self.starts.classes).index(True)
        matrix = self.starts.predict_proba([opening(p) for p in pages])
        return [float(row[column]) for row in matrix]

    def predict(self, pages: Sequence[str]) -> list[tuple[str, float]]:
        """Per page, the likeliest type and its probability."""
        out = []
        for probs in self.probabilities(pages):
            best = max(probs, key=probs.__getitem__)
            out.append((best, probs[best]))
        return out


def from_artifact(artifact: ModelArtifact) -> PageClassifier:
    if artifact.model_version != MODEL_VERSION:
        raise ValueError(
            f"{artifact.name} artifact is version {artifact.model_version}, this code reads "
            f"{MODEL_VERSION}: run `dossier models build {MODEL_NAME}`"
        )
    params = artifact.parameters
    return PageClassifier(
        types=CharTfidfClassifier.from_json(params["types"]),
        starts=CharTfidfClassifier.from_json(params["starts"]),
        version=artifact.version,
    )


@lru_cache(maxsize=1)
def load_classifier() -> PageClassifier:
    """The classifier shipped in the package (a second or so to read, once per process)."""
    return from_artifact(load_artifact(MODEL_NAME))
