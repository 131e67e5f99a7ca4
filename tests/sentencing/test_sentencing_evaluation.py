"""The sentencing evaluation: k-fold cross-validation fits the fitted parameters without
the fold it scores, and the breakdown says after which step the error arises."""

from __future__ import annotations

from schemas.case_card import Case, Person
from tasks.sentencing.evaluation import (
    Defendant,
    Params,
    Scorer,
    breakdown,
    cail_score,
    cross_validate,
    fit,
    fold_of,
    score,
)
from tasks.sentencing.suggest import Neighbour, guideline_steps

BASE = Params(weight_guideline=0.5, weight_other=0.25, neighbours=20, fine_share=0.2,
              fine_weight=0.5)


def theft(amount: float) -> Case:
    return Case(charges=["盗窃罪"], amounts_yuan=[amount],
                persons=[Person(name="张三丰", role="被告人")])


def defendant(amount: float, factor: float, fold: int, text_id: str) -> Defendant:
    """A theft whose court sentenced ``factor`` times what the steps give (on months + 1),
    as its similar cases' courts did."""
    steps = guideline_steps(theft(amount), "张三丰", None)
    assert steps.guide is not None
    point = steps.guide[1]
    near = {"盗窃罪": [Neighbour(months=round((m + 1) * factor - 1), fine_yuan=None,
                                guideline_months=m) for m in (6.0, 9.0, 12.0, 15.0)]}
    return Defendant(text_id=text_id, charge="盗窃罪", months=round((point + 1) * factor - 1),
                     fine_yuan=None, person="张三丰", steps=steps,
                     neighbours={k: near for k in (10, 20, 40)}, fold=fold)


def test_folds_are_stable_and_spread() -> None:
    assert fold_of("062a8837-1061-4dd0-a89b-519190a4e825") == \
        fold_of("062a8837-1061-4dd0-a89b-519190a4e825")
    assert len({fold_of(f"case-{i}") for i in range(50)}) == 5


def test_the_fit_follows_the_courts_and_the_held_out_fold_is_scored_without_it() -> None:
    # courts that sentence three times the steps, as their neighbours were: full calibration
    harsh = [defendant(a, 3.0, fold, f"h{fold}{a}") for fold in range(1, 5)
             for a in (5_000, 12_000, 20_000)]
    scorer = Scorer(harsh)
    chosen = fit(scorer, list(range(len(harsh))), BASE)
    assert chosen.weight_guideline == 0.0
    assert score(scorer, range(len(harsh)), lambda i: chosen).term_score > \
        score(scorer, range(len(harsh)), lambda i: BASE).term_score
    # a fold whose courts follow the steps (its neighbours say otherwise): the parameters
    # fitted on the others calibrate it away, and its held-out score says so
    mild = [defendant(a, 1.0, 0, f"m{a}") for a in (5_000, 12_000, 20_000)]
    for d in mild:
        d.neighbours = harsh[0].neighbours
    cv = cross_validate(Scorer(harsh + mild), BASE, folds=5)
    assert cv.chosen[0].weight_guideline == 0.0
    in_sample = score(Scorer(harsh + mild), range(len(harsh) + 3),
                      lambda i: cv.fitted_on_all).term_score
    assert cv.held_out.term_score <= in_sample
    assert cv.held_out.defendants == len(harsh) + 3


def test_the_breakdown_puts_the_error_after_the_step_that_made_it() -> None:
    d = defendant(12_000, 3.0, 0, "x")
    rows = breakdown(Scorer([d]), BASE)
    row = rows["charge"]["盗窃罪"]
    assert row.n == 1 and row.bias_steps is not None and row.bias_steps < -0.5  # too light
    assert row.bias_blend is not None and row.bias_steps < row.bias_blend < 0
    assert cail_score(d.months, d.months) == 1.0
    assert set(rows) == {"charge", "circumstance", "measure", "defendants"}
