"""Circumstances the card does not carry, read in the court's reasoning for sentencing.

The card's circumstances (自首, 坦白, 认罪认罚, 累犯, 未遂, 从犯, 退赃退赔, 谅解) are part of
its schema and of the extractor's gold-scored output; further ones the guideline weighs
(立功, 当庭自愿认罪, 未成年, 犯罪预备, 犯罪中止, 毒品再犯) are read here, from the words in
``data/guideline.yaml`` (each circumstance's ``words``), with the same test of a finding as
the card's (:func:`tasks.nlp.extract.fields.court_finding`: not negated, not a title, not
a defence the court rejects) and the same attribution to a defendant
(:func:`tasks.nlp.extract.fields.persons_for`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemas.case_card import Case as CardCase
from tasks.library.texts import reasoning_span
from tasks.nlp.extract.fields import court_finding, persons_for
from tasks.sentencing.guideline import guideline


def further_circumstances(
    text: str | None, person: str | None, defendants: Sequence[str], charges: Sequence[str],
) -> list[str]:
    """The kinds found for ``person`` (``None``: the only or an unnamed defendant) in the
    reasoning of ``text`` (a judgment or indictment; none without 本院认为)."""
    if not text:
        return []
    lo, hi = reasoning_span(text)
    if lo >= hi:
        return []
    found = []
    for kind, rule in guideline().circumstances.items():
        if not rule.words or (rule.charges and not set(rule.charges) & set(charges)):
            continue
        for word in rule.words:
            if any(_holds(text, lo, hi, m, kind, person, defendants)
                   for m in re.finditer(word, text[lo:hi])):
                found.append(kind)
                break
    return found


def _holds(text: str, lo: int, hi: int, m: re.Match, kind: str, person: str | None,
           defendants: Sequence[str]) -> bool:
    before = court_finding(text, lo, hi, lo + m.start(), lo + m.end(), kind)
    if before is None:
        return False
    persons = persons_for(before, list(defendants))
    return person is None or len(defendants) <= 1 or person in persons or persons == [None]


CRIMINAL_LAW = "中华人民共和国刑法"


def cited_circumstances(case: CardCase) -> list[str]:
    """Circumstances the decision's legal basis cites (第六十七条第三款 → 坦白): each
    circumstance's ``articles`` in ``data/guideline.yaml``, matched on article and, where
    given, paragraph. Only for a case with one defendant: a citation names no person."""
    named = {p.name for p in case.persons if p.role in ("被告人", "犯罪嫌疑人")}
    if len(named) > 1:
        return []
    cited = {(s.article, s.paragraph) for s in case.statutes
             if s.law == CRIMINAL_LAW and s.sub is None}
    articles = {a for a, _ in cited}
    found = []
    for kind, rule in guideline().circumstances.items():
        for ref in rule.articles:
            article, _, paragraph = ref.partition(".")
            if (int(article), int(paragraph)) in cited if paragraph else int(article) in articles:
                found.append(kind)
                break
    return found
