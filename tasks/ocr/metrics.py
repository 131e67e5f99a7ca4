"""Character error rate, the accuracy measure for Chinese OCR.

Chinese has no word boundaries and OCR engines disagree about spaces, so CER
compares NFKC-normalised text with every whitespace character removed
(full-width and half-width forms of digits and punctuation count as equal).
"""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def normalise_for_cer(text: str) -> str:
    """NFKC, then drop all whitespace (including full-width spaces and newlines)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def cer(reference: str, hypothesis: str) -> float:
    """Edit distance / reference length after ``normalise_for_cer``; 0.0 for two empty texts."""
    ref = normalise_for_cer(reference)
    hyp = normalise_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
