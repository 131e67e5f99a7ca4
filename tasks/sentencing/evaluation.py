"""Scoring sentencing suggestions against real sentences, and fitting what is fitted honestly.

What the law gives (tiers, starting points, circumstance ranges) is read, not fitted; what
is fitted (:class:`tasks.sentencing.suggest.Params`: the blend's weights, how many similar
cases, the fine's share and weight) must not be scored on the judgments it was chosen on.
So the evaluation does k-fold cross-validation: the labelled defendants are split into
``FOLDS`` folds by a hash of their judgment's id (a judgment's defendants stay together);
for each fold the parameters that score best on the other folds (a grid, ``GRID`` and
``FINE_GRID``) are chosen and that fold is scored with them. The pooled held-out figure is
the honest one; the figure of the shipped parameters (``data/fitted.yaml``) on all of them
is printed beside it, and so are the parameters the whole set would choose.

The similar cases each defendant's suggestion is blended with are found leave-one-out
(the judgment itself is never among them); the steps of the guideline (1–5) are computed
once per defendant and the blend (step 6) and fine once per parameter set.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from tasks.sentencing.suggest import (
    MAX_COMBINED_MONTHS,
    GuidelineSteps,
    Neighbour,
    Params,
    Suggestion,
    blend,
    charge_key,
    suggest_fine,
)

FOLDS = 5
GRID: dict[str, tuple] = {
    "weight_guideline": (0.0, 0.25, 0.5, 0.75, 1.0),
    "weight_other": (0.0, 0.25, 0.5, 1.0),
    # 40 neighbours were tried too (judge_dev: no better held out); each costs the steps of
    # one more similar case in every suggestion, so the grid stops at 20
    "neighbours": (10, 20),
    "shrink": (0.0, 3.0, 10.0),
    "weighted": (False, True),
}
# the fine's grid is kept small: a wider one (shares 0.05–0.5, weights 0–1, fines by the
# neighbours' fine per month) chose differently in every fold and scored worse held out
FINE_GRID: dict[str, tuple] = {
    "fine_share": (0.1, 0.2, 0.3),
    "fine_weight": (0.5, 0.75, 1.0),
}
# a fine is right when within ±20% (on the log scale, as the term score)
FINE_TOLERANCE = 0.2


def cail_score(actual: float, predicted: float) -> float:
    """CAIL2018's imprisonment score of one sentence (months)."""
    d = abs(math.log(actual + 1) - math.log(predicted + 1))
    for limit, score in ((0.2, 1.0), (0.4, 0.8), (0.6, 0.6), (0.8, 0.4), (1.0, 0.2)):
        if d <= limit:
            return score
    return 0.0


def fold_of(text_id: str, folds: int = FOLDS) -> int:
    """A judgment's fold: stable across runs and machines (not Python's salted hash)."""
    return int(hashlib.sha256(text_id.encode("utf-8")).hexdigest()[:8], 16) % folds


@dataclass
class Defendant:
    """One labelled defendant: the actual sentence, the guideline's steps for them (their
    card and facts, sentence unread) and the similar cases' sentences by ``k``."""

    text_id: str
    charge: str  # the first charge of the label, for the breakdown
    months: float
    fine_yuan: float | None
    person: str | None
    steps: GuidelineSteps | None
    neighbours: dict[int, dict[str, list[Neighbour]]] = field(default_factory=dict)
    fold: int = 0

    def near(self, k: int) -> list[Neighbour]:
        if self.steps is None:
            return []
        return self.neighbours.get(k, {}).get(charge_key(self.steps.charges), [])


def _term_key(p: Params) -> tuple:
    return (p.weight_guideline, p.weight_other, p.neighbours, p.shrink, p.weighted)


class Scorer:
    """Suggestions for the defendants under a parameter set, computed once each."""

    def __init__(self, defendants: Sequence[Defendant]) -> None:
        self.defendants = list(defendants)
        self._cache: dict[tuple, Suggestion | None] = {}

    def suggestion(self, i: int, params: Params, weight: float | None = None) -> Suggestion | None:
        key = (i, _term_key(params), weight)
        if key not in self._cache:
            d = self.defendants[i]
            self._cache[key] = None if d.steps is None else blend(
                d.steps, d.person, d.neighbours.get(params.neighbours, {}), params, weight)
        return self._cache[key]

    def term(self, i: int, params: Params, weight: float | None = None) -> tuple[float, float]:
        """(CAIL score, 1 if the actual term is inside the suggested range)."""
        s = self.suggestion(i, params, weight)
        d = self.defendants[i]
        if s is None or s.months is None:
            return 0.0, 0.0
        inside = s.months_low is not None and s.months_high is not None and \
            s.months_low <= d.months <= s.months_high
        return cail_score(d.months, s.months), float(inside)

    def fine(self, i: int, params: Params, weight: float | None = None) -> float | None:
        """The suggested fine under ``params`` (its term by the same parameters)."""
        s = self.suggestion(i, params, weight)
        d = self.defendants[i]
        if s is None or s.months is None or d.steps is None:
            return None
        return suggest_fine(d.steps.results, d.near(params.neighbours), s.months, params)[0]

    def fine_ok(self, i: int, params: Params, weight: float | None = None) -> float | None:
        """1/0 for a defendant fined: the suggested fine within 20% (none suggested: 0);
        ``None`` for a defendant who was not fined."""
        actual = self.defendants[i].fine_yuan
        if not actual:
            return None
        got = self.fine(i, params, weight)
        if not got:
            return 0.0
        return float(abs(math.log(got) - math.log(actual)) <= FINE_TOLERANCE)


@dataclass
class Scores:
    defendants: int = 0
    term_score: float = 0.0
    inside_range: float = 0.0
    fines_actual: int = 0
    fines_suggested: int = 0
    fine_within_20pct: float = 0.0  # of those fined and suggested a fine
    fine_within_20pct_all: float = 0.0  # of all those fined

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def score(scorer: Scorer, indices: Iterable[int], params_of, weight: float | None = None
          ) -> Scores:
    """The figures over ``indices``; ``params_of(i)`` gives each defendant's parameters
    (k-fold: those fitted without its fold)."""
    terms, inside, fines, fines_all, suggested, actual = [], [], [], [], 0, 0
    for i in indices:
        p = params_of(i)
        t, ins = scorer.term(i, p, weight)
        terms.append(t)
        inside.append(ins)
        ok = scorer.fine_ok(i, p, weight)
        if ok is not None:
            actual += 1
            fines_all.append(ok)
            if scorer.fine(i, p, weight):
                suggested += 1
                fines.append(ok)
    mean = statistics.fmean
    return Scores(
        defendants=len(terms), term_score=mean(terms) if terms else 0.0,
        inside_range=mean(inside) if inside else 0.0, fines_actual=actual,
        fines_suggested=suggested, fine_within_20pct=mean(fines) if fines else 0.0,
        fine_within_20pct_all=mean(fines_all) if fines_all else 0.0,
    )


def grid(base: Params, axes: dict[str, tuple]) -> list[Params]:
    names = list(axes)
    return [replace(base, **dict(zip(names, values, strict=True)))
            for values in itertools.product(*(axes[n] for n in names))]


def fit(scorer: Scorer, indices: Sequence[int], base: Params) -> Params:
    """The grid's best parameters on ``indices``: first the term's (mean CAIL score), then,
    with those, the fine's (share of the fined within 20%). Ties keep the first in grid
    order."""
    def term_mean(p: Params) -> float:
        return statistics.fmean(scorer.term(i, p)[0] for i in indices) if indices else 0.0

    best = max(grid(base, GRID), key=term_mean)

    def fine_mean(p: Params) -> float:
        oks = [ok for i in indices if (ok := scorer.fine_ok(i, p)) is not None]
        return statistics.fmean(oks) if oks else 0.0

    return max(grid(best, FINE_GRID), key=fine_mean)


@dataclass
class CrossValidation:
    folds: int
    held_out: Scores
    chosen: list[Params]  # per fold
    fitted_on_all: Params


def cross_validate(scorer: Scorer, base: Params, folds: int = FOLDS) -> CrossValidation:
    """k-fold: each fold scored with the parameters fitted on the others."""
    n = len(scorer.defendants)
    chosen: list[Params] = []
    params_of: dict[int, Params] = {}
    for f in range(folds):
        train = [i for i in range(n) if scorer.defendants[i].fold != f]
        p = fit(scorer, train, base)
        chosen.append(p)
        params_of.update({i: p for i in range(n) if scorer.defendants[i].fold == f})
    held_out = score(scorer, range(n), lambda i: params_of[i])
    return CrossValidation(folds=folds, held_out=held_out, chosen=chosen,
                           fitted_on_all=fit(scorer, list(range(n)), base))


# ------------------------------------------------------------------ where the error is


def _log_error(predicted: float | None, actual: float) -> float | None:
    """Signed: > 0 when the suggestion is heavier than the sentence."""
    if predicted is None:
        return None
    return math.log(predicted + 1) - math.log(actual + 1)


def base_point(steps: GuidelineSteps) -> float | None:
    """Step 2 (基准刑) of a defendant, the charges combined as step 5 combines them."""
    if not steps.results:
        return None
    bases = sorted((r.base for r in steps.results), reverse=True)
    return min(bases[0] + 0.5 * sum(bases[1:]), MAX_COMBINED_MONTHS)


@dataclass
class ErrorRow:
    """One group's figures: n, term scores (steps alone, blend) and the mean signed log
    error after step 2 (base), steps 3–5 (the guideline's point) and the blend."""

    n: int
    score_steps: float
    score_blend: float
    bias_base: float | None
    bias_steps: float | None
    bias_blend: float | None
    abs_steps: float | None
    abs_blend: float | None

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def breakdown(scorer: Scorer, params: Params) -> dict[str, dict[str, ErrorRow]]:
    """Where the term's error is: by charge, by circumstance, by how the tier was read, by
    the number of defendants; each with the error after each step."""
    groups: dict[str, dict[str, list[int]]] = {"charge": {}, "circumstance": {}, "measure": {},
                                              "defendants": {}}
    per_case = {}
    for d in scorer.defendants:
        per_case[d.text_id] = per_case.get(d.text_id, 0) + 1
    for i, d in enumerate(scorer.defendants):
        groups["charge"].setdefault(d.charge, []).append(i)
        kinds = sorted(d.steps.kinds) if d.steps else []
        for k in kinds or ["(none)"]:
            groups["circumstance"].setdefault(k, []).append(i)
        if d.steps is None or not d.steps.results:
            measure = "no rule"
        elif any(r.amount is not None for r in d.steps.results):
            measure = "measure read"
        else:
            measure = "no measure read (or none asked)"
        groups["measure"].setdefault(measure, []).append(i)
        many = "one defendant" if per_case[d.text_id] == 1 else "several defendants"
        groups["defendants"].setdefault(many, []).append(i)
    out: dict[str, dict[str, ErrorRow]] = {}
    for name, members in groups.items():
        out[name] = {}
        for key, idx in sorted(members.items(), key=lambda kv: -len(kv[1])):
            out[name][key] = _row(scorer, idx, params)
    return out


def _row(scorer: Scorer, idx: list[int], params: Params) -> ErrorRow:
    def mean(values: list[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return statistics.fmean(kept) if kept else None

    base, steps, blended = [], [], []
    for i in idx:
        d = scorer.defendants[i]
        base.append(_log_error(base_point(d.steps), d.months) if d.steps else None)
        alone = scorer.suggestion(i, params, 1.0)
        steps.append(_log_error(alone.months if alone else None, d.months))
        got = scorer.suggestion(i, params)
        blended.append(_log_error(got.months if got else None, d.months))
    return ErrorRow(
        n=len(idx),
        score_steps=statistics.fmean(scorer.term(i, params, 1.0)[0] for i in idx),
        score_blend=statistics.fmean(scorer.term(i, params)[0] for i in idx),
        bias_base=mean(base), bias_steps=mean(steps), bias_blend=mean(blended),
        abs_steps=mean([abs(v) for v in steps if v is not None]),
        abs_blend=mean([abs(v) for v in blended if v is not None]),
    )
