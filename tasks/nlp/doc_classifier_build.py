"""Builds the page classifier's artifact from data in the repository (``dossier models build``).

Training data, all of it in the repository:

- generated sample dossiers (``dossier.samples``, seeds ``TRAIN_SEEDS``), each page as
  printed, cleaned, with OCR noise and cleaned, and first pages once more without their
  title line (the case the classifier exists for);
- the first 150 real judgments of the repository's JuDGE copy
  (``tests/data/real_texts``, MIT licence), paginated, as printed and with OCR noise;
  the other 50 are held out for ``benchmarks/doc_classify_eval.py``.

The judgments are needed: trained on generated dossiers alone, the classifier splits the
held-out real judgments wrongly (document accuracy 0.38, boundary precision 0.23 against
1.00 with them; generated dossiers score the same either way), so they are copied into
the repository rather than read from ``../shared/data`` when present.

Everything is seeded and the fit is deterministic (lbfgs), so the same inputs give the
same artifact. ``inputs()`` fingerprints what the model is a function of: the training
examples themselves (so any change to the sample generator, the cleaning or the data is
seen, whichever module it comes from) and the code that turns them into features and
weights.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import platform
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tasks.nlp import char_tfidf
from tasks.nlp.doc_classifier import MODEL_NAME, MODEL_VERSION, normalize_for_classifier, opening

__all__ = [
    "MODEL_NAME",
    "MODEL_VERSION",
    "TRAIN_JUDGMENTS",
    "TRAIN_SEEDS",
    "TrainingSet",
    "add_ocr_noise",
    "build",
    "inputs",
    "training_set",
]

TRAIN_SEEDS = range(100_000, 100_060)  # sample dossiers the classifier learns from
TRAIN_JUDGMENTS = slice(0, 150)  # of the repository's JuDGE judgments; 150–199 are held out
# Fitting: character 1–3-grams; the type model keeps the 30,000 most frequent n-grams
# (60,000 scored the same on every condition of doc_classify_eval and made a 1.1 MB
# artifact instead of 0.76 MB), the start model reads only a page's first 60 characters
# and keeps every n-gram it sees twice.
TYPES = {"ngram_range": (1, 3), "min_df": 2, "max_features": 30_000, "C": 20.0}
STARTS = {"ngram_range": (1, 3), "min_df": 2, "max_features": None, "C": 10.0}
# Characters OCR confuses with one another in legal text, and random CJK for the rest.
_CONFUSABLE = "人入八大太犬己已巳未末土士干千于午牛失矢天夫候侯侵浸讯询洵汛罪非察祭"


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


@dataclass(frozen=True)
class TrainingSet:
    """Page texts, their document types, and whether each is its document's first page."""

    texts: list[str]
    labels: list[str]
    starts: list[bool]

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for text, label, start in zip(self.texts, self.labels, self.starts, strict=True):
            digest.update(json.dumps([text, label, start], ensure_ascii=False).encode())
            digest.update(b"\n")
        return digest.hexdigest()


def _judgment_pages(texts: Iterable[str]) -> Iterator[list[str]]:
    from dossier.samples.dossier import fast_paginate

    for document in texts:
        head, _, body = "\n".join(part for part in document.split() if part).partition("\n")
        yield fast_paginate(body, head, 0)


def training_set(*, seeds: Iterable[int] = TRAIN_SEEDS, judgments: bool = True) -> TrainingSet:
    """The training examples (see the module docstring); ``seeds`` and ``judgments``
    narrow it for quick checks."""
    from dossier.samples.dossier import fast_paginate, make_sample_dossier
    from dossier.samples.real_texts import load_real_texts
    from tasks.nlp.clean import clean_page_text

    texts: list[str] = []
    labels: list[str] = []
    starts: list[bool] = []
    rng = random.Random(20240611)
    for seed in seeds:
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
    if judgments:
        documents = [t.text for t in load_real_texts("judge")[TRAIN_JUDGMENTS]]
        for pages in _judgment_pages(documents):
            for number, page in enumerate(pages):
                texts += [page, clean_page_text(add_ocr_noise(page, rng, 0.05))]
                labels += ["判决书", "判决书"]
                starts += [number == 0, number == 0]
    return TrainingSet(texts, labels, starts)


def code_sha256() -> str:
    """The code that turns training examples into the artifact: features, fit, recipe."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for source in (
        inspect.getsource(normalize_for_classifier),
        inspect.getsource(opening),
        inspect.getsource(char_tfidf),
        json.dumps({"types": TYPES, "starts": STARTS}, sort_keys=True),
    ):
        digest.update(source.encode())
    return digest.hexdigest()


def inputs(data: TrainingSet | None = None) -> dict[str, str]:
    """Fingerprints of what the artifact is built from (about 10 s: makes the corpus)."""
    data = data or training_set()
    return {"training_set_sha256": data.sha256(), "code_sha256": code_sha256()}


def built_with() -> dict[str, str]:
    """Library versions of the build: provenance (the numbers may move in their last
    digits under another scikit-learn or numpy)."""
    import numpy
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }


def fit(data: TrainingSet) -> dict[str, Any]:
    """The artifact's parameters: the type model and the start model."""
    types = char_tfidf.fit([normalize_for_classifier(t) for t in data.texts], data.labels, **TYPES)
    starts = char_tfidf.fit([opening(t) for t in data.texts], data.starts, **STARTS)
    return {
        "types": types.to_json(),
        "starts": starts.to_json(),
        "training_examples": dict(sorted(Counter(data.labels).items())),
    }


def build(data: TrainingSet | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """(inputs, parameters) of a fresh build."""
    data = data or training_set()
    return inputs(data), fit(data)
