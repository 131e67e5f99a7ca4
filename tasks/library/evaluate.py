"""Leave-one-out evaluation of similar cases and sentencing suggestions on real judgments.

The judgments (``judge_dev.jsonl``: JuDGE, MIT) are imported into a scratch library; then
each labelled judgment in turn is the query and is excluded from what it may find:

* similar cases: P@10 (a hit is relevant when it shares a charge with the query) and
  NDCG@10 (gain: Jaccard of the two cases' charge sets), with the corpus's ceiling for
  P@10 (a charge with four cases cannot fill ten places);
* sentences: CAIL2018's imprisonment score (|ln(actual+1) − ln(predicted+1)| ≤ 0.2 → 1,
  ≤ 0.4 → 0.8, ≤ 0.6 → 0.6, ≤ 0.8 → 0.4, ≤ 1 → 0.2, else 0) over defendants sentenced to
  a fixed term or criminal detention, the share of actual terms inside the suggested
  range, and fine accuracy (share within ±20%, log scale, of those with a fine), for the
  blend and for its two ends: ``guideline`` (w = 1: the steps alone) and ``similar``
  (w = 0: the steps fully rescaled by the similar cases, or their median term where no
  rule applies; see :mod:`tasks.sentencing.suggest`).

Charges and sentences to score against are the gold labels (``tests/data/labels``) where
they exist, else the silver labels beside the dataset; the query's own card (charges,
articles, amounts, circumstances) is the extractor's, its sentences unread.
"""

from __future__ import annotations

import json
import math
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dossier.settings import PROJECT_ROOT
from tasks.nlp.lexicon import canonical_charge

SHARED_CASES = PROJECT_ROOT.parent / "shared" / "data" / "cases"
GOLD = PROJECT_ROOT / "tests" / "data" / "labels" / "judge_gold.jsonl"
VARIANTS = {"blend": None, "guideline": 1.0, "similar": 0.0}


def cail_score(actual: float, predicted: float) -> float:
    d = abs(math.log(actual + 1) - math.log(predicted + 1))
    for limit, score in ((0.2, 1.0), (0.4, 0.8), (0.6, 0.6), (0.8, 0.4), (1.0, 0.2)):
        if d <= limit:
            return score
    return 0.0


def load_labels(silver: Path | None, gold: Path | None = GOLD) -> dict[str, dict]:
    """Labels by text_id: gold where present, silver otherwise; charges as catalogue names."""
    labels: dict[str, dict] = {}
    for path in (silver, gold):
        if path is None or not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["charges"] = sorted({canonical_charge(c) or c for c in row.get("charges", [])})
            labels[row["text_id"]] = row
    return labels


@dataclass
class Report:
    cases: int = 0
    queries: int = 0
    p_at_10: float = 0.0
    p_at_10_ceiling: float = 0.0
    p_at_10_full: float = 0.0  # over queries whose charge has >= 10 other cases
    full_queries: int = 0
    ndcg_at_10: float = 0.0
    sentencing: dict[str, dict] = field(default_factory=dict)
    by_charge: dict[str, dict] = field(default_factory=dict)  # the blend's term score
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _ndcg(gains: list[float], ideal: list[float]) -> float:
    def dcg(values: list[float]) -> float:
        return sum(g / math.log2(i + 2) for i, g in enumerate(values))

    best = dcg(sorted(ideal, reverse=True)[:10])
    return dcg(gains[:10]) / best if best > 0 else 0.0


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if (a or b) else 0.0


def evaluate(
    judgments: Path, silver: Path | None = None, limit: int | None = None,
    echo: Callable[[str], None] = print, neighbours_k: int = 20,
) -> Report:
    """Import ``judgments`` into a scratch SQLite library and store, then leave one out."""
    import time

    import sqlalchemy as sa

    from dossier import db
    from dossier.privacy import mask_name
    from dossier.store.local import LocalStore
    from schemas.tables import Case
    from tasks.library import similar, similar_index
    from tasks.library.importer import import_judgments, read_judgments
    from tasks.nlp.case_card import extract_case
    from tasks.sentencing.advise import neighbours_for
    from tasks.sentencing.suggest import suggest_case

    started = time.perf_counter()
    labels = load_labels(silver)
    lines = judgments.read_text(encoding="utf-8").splitlines()[: limit or None]
    rows = [json.loads(line) for line in lines]
    report = Report()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/library.sqlite3"
        store = LocalStore(Path(scratch) / "store")
        db.upgrade(url)
        imported = import_judgments(lambda: db.session_scope(url), read_judgments(lines))
        echo(f"imported {imported.loaded} judgments ({imported.per_second:.1f}/s)")
        with db.session_scope(url) as session:
            similar_index.rebuild(store, session)
            index = similar_index.load_index(store)
            key_of = dict(session.execute(sa.select(Case.source_id, Case.dossier_id)).all())
            charges_of = {key: (set(labels[tid]["charges"]) if tid in labels else
                                similar.profiles(session, [key])[key].charges)
                          for tid, key in key_of.items()}
            precisions, ceilings, full, ndcgs = [], [], [], []
            per_variant: dict[str, dict[str, list[float]]] = {
                v: {"score": [], "inside": [], "fine": [], "fine_predicted": []} for v in VARIANTS
            }
            fines_actual = 0
            per_charge: dict[str, list[tuple[float, int, int]]] = {}
            for row in rows:
                tid = row["text_id"]
                key = key_of.get(tid)
                if key is None or tid not in labels:
                    continue
                report.queries += 1
                query = similar.profile_of_library_case(session, key, store)
                ranked = similar.rank(session, index, query, k=max(10, neighbours_k))
                mine = charges_of[key]
                relevant_total = sum(1 for k, c in charges_of.items() if k != key and c & mine)
                gains = [_jaccard(mine, charges_of.get(k, set())) for k, _, _ in ranked[:10]]
                hits = [1.0 if charges_of.get(k, set()) & mine else 0.0
                        for k, _, _ in ranked[:10]]
                precisions.append(sum(hits) / 10)
                ceilings.append(min(10, relevant_total) / 10)
                if relevant_total >= 10:
                    full.append(sum(hits) / 10)
                ideal = [_jaccard(mine, c) for k, c in charges_of.items() if k != key]
                ndcgs.append(_ndcg(gains, ideal))
                # sentencing: the query's own card, its sentences unread
                card = extract_case(row["fd"])
                neighbours = neighbours_for(session,
                                            similar.describe(session, ranked[:neighbours_k]))
                gold_sentences = [s for s in labels[tid].get("sentences", [])
                                  if s.get("penalty") in ("有期徒刑", "拘役") and s.get("months")]
                fines_actual += sum(1 for s in gold_sentences if s.get("fine_yuan"))
                for variant, weight in VARIANTS.items():
                    suggestions = {s.person: s for s in suggest_case(
                        card.model_copy(update={"sentences": []}), row["fd"], neighbours, weight)}
                    for s in gold_sentences:
                        got = suggestions.get(mask_name(s.get("name") or s.get("person", "")))
                        if got is None and len(suggestions) == 1:
                            got = next(iter(suggestions.values()))
                        scores = per_variant[variant]
                        if got is None or got.months is None:
                            scores["score"].append(0.0)
                            scores["inside"].append(0.0)
                            continue
                        scores["score"].append(cail_score(s["months"], got.months))
                        if variant == "blend":
                            first = (labels[tid]["charges"] or ["?"])[0]
                            per_charge.setdefault(first, []).append(
                                (scores["score"][-1], s["months"], got.months))
                        scores["inside"].append(
                            1.0 if got.months_low <= s["months"] <= got.months_high else 0.0)
                        if s.get("fine_yuan") and got.fine_yuan:
                            scores["fine_predicted"].append(1.0)
                            ok = abs(math.log(got.fine_yuan) - math.log(s["fine_yuan"])) <= 0.2
                            scores["fine"].append(1.0 if ok else 0.0)
    report.cases = imported.loaded
    report.p_at_10 = statistics.fmean(precisions) if precisions else 0.0
    report.p_at_10_ceiling = statistics.fmean(ceilings) if ceilings else 0.0
    report.p_at_10_full = statistics.fmean(full) if full else 0.0
    report.full_queries = len(full)
    report.ndcg_at_10 = statistics.fmean(ndcgs) if ndcgs else 0.0
    for variant, scores in per_variant.items():
        n = len(scores["score"])
        report.sentencing[variant] = {
            "defendants": n,
            "term_score": round(statistics.fmean(scores["score"]), 4) if n else 0.0,
            "inside_range": round(statistics.fmean(scores["inside"]), 4) if n else 0.0,
            "fine_within_20pct": round(statistics.fmean(scores["fine"]), 4)
            if scores["fine"] else 0.0,
            "fines_suggested": len(scores["fine_predicted"]),
            "fines_actual": fines_actual,
        }
    for charge, items in sorted(per_charge.items(), key=lambda kv: -len(kv[1])):
        report.by_charge[charge] = {
            "n": len(items), "term_score": round(statistics.fmean(i[0] for i in items), 3),
            "actual_median": statistics.median(i[1] for i in items),
            "suggested_median": statistics.median(i[2] for i in items),
        }
    report.seconds = time.perf_counter() - started
    return report
