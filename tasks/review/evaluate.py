"""How well the review rules do: planted defects in sample dossiers, false alarms on real
judgments.

* ``evaluate_samples``: review dossiers (``dossier.samples.dossier.make_review_dossier``),
  clean and with each planted defect, through the same structure path as a dossier (their
  page texts → documents → case card) and the rules; per rule kind, recall (planted points
  found) and precision (points raised that were planted).
* ``evaluate_real``: real judgments (``tests/data/real_texts``) through the structure path;
  the share flagged by conclusion and document rules, with every point, for reading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas.review import RULE_KINDS

__all__ = ["KindScore", "evaluate_real", "evaluate_samples"]


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_points: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def evaluate_samples(seeds: Iterable[int]) -> dict[str, KindScore]:
    from dossier.samples.dossier import PLANTED_DEFECTS, make_review_dossier
    from tasks.review.engine import review_card
    from tasks.stages.structure import structure_texts

    scores = {k: KindScore() for k in RULE_KINDS}
    for seed in seeds:
        for defect in (None, *PLANTED_DEFECTS):
            sample = make_review_dossier(seed, defect)
            _, card = structure_texts(sample.name, sample.pages)
            got = {(p.kind, p.rule) for p in review_card(card).points}
            want = {PLANTED_DEFECTS[defect]} if defect else set()
            for kind, rule in got | want:
                score = scores[kind]
                if (kind, rule) in got and (kind, rule) in want:
                    score.tp += 1
                elif (kind, rule) in got:
                    score.fp += 1
                    score.false_points.append(f"{sample.name}: {rule}")
                else:
                    score.fn += 1
                    score.false_points.append(f"{sample.name}: missed {rule}")
    return scores


def real_texts(source_prefix: str = "JuDGE") -> list[tuple[str, str]]:
    """(label, text) of the repo's real texts whose data set starts with ``source_prefix``
    (JuDGE: the 200 judgments; LeCaRDv2: the 360 judgment openings), case aside."""
    from dossier.samples.real_texts import load_real_texts

    prefix = source_prefix.lower()
    return [(t.label, t.text) for t in load_real_texts()
            if t.source.startswith(prefix) and t.field != "fact"]


def evaluate_real(source_prefix: str = "JuDGE", kinds: tuple[str, ...] = ("conclusion", "document")
                  ) -> tuple[int, list[tuple[str, str, str]], Counter]:
    """(texts read, [(text id, rule, message)], points per rule) for ``kinds``."""
    from tasks.review.engine import review_card
    from tasks.stages.structure import published_pages, structure_texts

    texts = real_texts(source_prefix)
    points: list[tuple[str, str, str]] = []
    for key, text in texts:
        _, card = structure_texts(key, published_pages(text))
        for p in review_card(card, kinds=kinds).points:
            points.append((key, p.rule, p.message))
    return len(texts), points, Counter(rule for _, rule, _ in points)
