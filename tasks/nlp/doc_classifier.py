"""A page-level document-type classifier: character n-gram TF-IDF + logistic regression.

It decides the type of pages whose title line the rules cannot read (a torn,
stamped or misread title) and confirms the rules' choice elsewhere. Character
n-grams rather than jieba tokens: OCR errors break words, not characters, and
the cues are short fixed phrases (问：/答：, 判决如下, 此致, 经依法审查查明).

Why trained at first use rather than committed: the model is a function of code
that is in the repository (the sample generator, this module) plus the public
judgments in ``../shared/data/cases`` when present, so it is rebuilt
deterministically — fixed seeds, a deterministic solver — and cached under
``settings.cache_dir``; the cache file name is a fingerprint of the training
corpus, the scikit-learn version and ``MODEL_VERSION``, so a change to any of
them trains a new model instead of loading a stale one, and no binary blob
(which only loads under the scikit-learn version that pickled it) lives in git.
Training takes a few seconds and downloads nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from dossier.settings import PROJECT_ROOT, get_settings

__all__ = [
    "MODEL_VERSION",
    "TRAIN_JUDGMENTS",
    "TRAIN_SEEDS",
    "PageClassifier",
    "add_ocr_noise",
    "fingerprint",
    "load_classifier",
    "normalize_for_classifier",
    "opening",
    "training_corpus",
]

MODEL_VERSION = "2"
TRAIN_SEEDS = range(100_000, 100_060)  # sample dossiers the classifier learns from
TRAIN_JUDGMENTS = slice(0, 150)  # judge_dev.jsonl lines 150–199 stay held out for evaluation
JUDGMENTS_FILE = PROJECT_ROOT.parent / "shared" / "data" / "cases" / "judge_dev.jsonl"
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")
# Characters OCR confuses with one another in legal text, and random CJK for the rest.
_CONFUSABLE = "人入八大太犬己已巳未末土士干千于午牛失矢天夫候侯侵浸讯询洵汛罪非察祭"


def normalize_for_classifier(text: str) -> str:
    """Width-folded, numbers as 0, no whitespace: names and dates are not the cue, layout is
    not stable across OCR engines."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def add_ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    """Substitute, drop or duplicate about ``rate`` of the characters, as a weak OCR does."""
    out = []
    for ch in text:
        roll = rng.random()
        if ch == "\n" or roll >= rate:
            out.append(ch)
        elif roll < rate * 0.6:
            out.append(
                rng.choice(_CONFUSABLE) if rng.random() < 0.5 else chr(rng.randint(0x4E00, 0x9FA5))
            )
        elif roll < rate * 0.85:
            continue
        else:
            out.append(ch + ch)
    return "".join(out)


def _judgment_pages(lines: Iterable[str]) -> Iterable[list[str]]:
    from dossier.samples.dossier import fast_paginate

    for line in lines:
        document = json.loads(line)["fd"]
        head, _, body = "\n".join(part for part in document.split() if part).partition("\n")
        yield fast_paginate(body, head, 0)


def training_corpus() -> tuple[list[str], list[str], list[bool]]:
    """(page texts, document types, first page of its document?): pages of generated
    dossiers as printed, cleaned, with OCR noise and cleaned, and first pages once more
    without their title line (the case the classifier exists for); plus the pages of real
    judgments when the shared data set is present."""
    from dossier.samples.dossier import fast_paginate, make_sample_dossier
    from tasks.nlp.clean import clean_page_text

    texts: list[str] = []
    labels: list[str] = []
    starts: list[bool] = []
    rng = random.Random(20240611)
    for seed in TRAIN_SEEDS:
        sample = make_sample_dossier(seed, paginate=fast_paginate)
        for doc in sample.documents:
            for number in range(doc.pages[0], doc.pages[1] + 1):
                page = sample.pages[number - 1]
                if not page:
                    continue
                noisy = add_ocr_noise(page, rng, 0.05)
                variants = [page, clean_page_text(page), clean_page_text(noisy)]
                if number == doc.pages[0]:
                    variants.append(clean_page_text(noisy.partition("\n")[2]))
                for text in variants:
                    texts.append(text)
                    labels.append(doc.type)
                    starts.append(number == doc.pages[0])
    if JUDGMENTS_FILE.exists():
        with JUDGMENTS_FILE.open(encoding="utf-8") as handle:
            lines = handle.readlines()[TRAIN_JUDGMENTS]
        for pages in _judgment_pages(lines):
            for number, page in enumerate(pages):
                texts += [page, clean_page_text(add_ocr_noise(page, rng, 0.05))]
                labels += ["判决书", "判决书"]
                starts += [number == 0, number == 0]
    return texts, labels, starts


@dataclass
class PageClassifier:
    """``pipeline`` types a page; ``start_pipeline`` tells a document's first page from a
    continuation by the page's opening characters (a heading block, a case number, 时间：…至
    versus a sentence cut mid-way), which is what separates two title-less documents of
    the same type (two 讯问笔录 sessions)."""

    pipeline: Pipeline
    start_pipeline: Pipeline
    fingerprint: str

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def probabilities(self, pages: Sequence[str]) -> list[dict[str, float]]:
        """Per page, each type's probability."""
        if not pages:
            return []
        matrix = self.pipeline.predict_proba([normalize_for_classifier(p) for p in pages])
        classes = self.classes
        return [dict(zip(classes, map(float, row), strict=True)) for row in matrix]

    def start_probabilities(self, pages: Sequence[str]) -> list[float]:
        """Per page, the probability that it is the first page of a document."""
        if not pages:
            return []
        heads = [opening(p) for p in pages]
        column = list(self.start_pipeline.classes_).index(True)
        return [float(row[column]) for row in self.start_pipeline.predict_proba(heads)]

    def predict(self, pages: Sequence[str]) -> list[tuple[str, float]]:
        """Per page, the likeliest type and its probability."""
        out = []
        for probs in self.probabilities(pages):
            best = max(probs, key=probs.__getitem__)
            out.append((best, probs[best]))
        return out


def _build_pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 3),
                    min_df=2,
                    max_features=60_000,
                    sublinear_tf=True,
                ),
            ),
            ("model", LogisticRegression(C=20.0, max_iter=2000)),
        ]
    )


def opening(page: str, chars: int = 60) -> str:
    """The first characters of a page, where a document's first page differs from the rest."""
    return normalize_for_classifier(page)[:chars]


def train(texts: list[str], labels: list[str], starts: list[bool]) -> tuple[Pipeline, Pipeline]:
    pipeline = _build_pipeline()
    pipeline.fit([normalize_for_classifier(t) for t in texts], labels)
    start_pipeline = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True),
            ),
            ("model", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    )
    start_pipeline.fit([opening(t) for t in texts], starts)
    return pipeline, start_pipeline


# The training corpus is a deterministic function of these sources; hashing them is as
# exact as hashing the corpus and costs milliseconds instead of regenerating it.
_CORPUS_SOURCES = (
    "dossier/samples/case_facts.py",
    "dossier/samples/document_texts.py",
    "dossier/samples/fictitious.py",
    "dossier/samples/dossier.py",
    "tasks/nlp/doc_classifier.py",
    "tasks/nlp/clean.py",
    "tasks/nlp/lexicon.py",
    "tasks/nlp/data/procedural_terms.txt",
    "tasks/nlp/data/criminal_charges.txt",
    "tasks/nlp/data/statute_names.txt",
)


def fingerprint() -> str:
    """Names the cached model: training sources, judgments file, library versions."""
    import cn2an
    import stdnum

    digest = hashlib.sha256()
    digest.update(
        f"{MODEL_VERSION}|{sklearn.__version__}|{cn2an.__version__}|{stdnum.__version__}".encode()
    )
    for source in _CORPUS_SOURCES:
        digest.update((PROJECT_ROOT / source).read_bytes())
    if JUDGMENTS_FILE.exists():
        digest.update(JUDGMENTS_FILE.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def load_classifier(cache_dir: Path | None = None) -> PageClassifier:
    """The cached classifier, trained (and cached) on first use."""
    name = fingerprint()
    directory = (cache_dir or get_settings().cache_dir) / "models"
    path = directory / f"doc-classifier-{name}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return PageClassifier(*pickle.load(handle), name)
    pipelines = train(*training_corpus())
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(pipelines, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a concurrent first use never reads half a file
    return PageClassifier(*pipelines, name)
