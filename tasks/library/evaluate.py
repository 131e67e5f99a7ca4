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

What is fitted (:class:`tasks.sentencing.suggest.Params`) is also cross-validated: k folds,
each scored with the parameters fitted on the others (:mod:`tasks.sentencing.evaluation`);
both figures are reported, with where the term's error lies (by charge, circumstance, how
the tier was read) after each step. ``extra`` sources (:mod:`tasks.library.extra_library`:
LeCaRD, LeCaRDv2) are imported beside judge_dev for a second similar-case figure on a
larger real library (its ceiling beside it); sentencing keeps judge_dev's library.

Charges and sentences to score against are the gold labels (``tests/data/labels``) where
they exist, else the silver labels beside the dataset; the query's own card (charges,
articles, amounts, circumstances) is the extractor's, its sentences unread.
"""

from __future__ import annotations

import json
import math
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dossier.settings import PROJECT_ROOT
from tasks.library.extra_library import ExtraSource
from tasks.nlp.lexicon import canonical_charge
from tasks.sentencing.evaluation import FOLDS, GRID, cail_score  # noqa: F401 (cail_score: API)

SHARED_CASES = PROJECT_ROOT.parent / "shared" / "data" / "cases"
GOLD = PROJECT_ROOT / "tests" / "data" / "labels" / "judge_gold.jsonl"
VARIANTS = {"blend": None, "guideline": 1.0, "similar": 0.0}


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
class Retrieval:
    """Similar-case figures of one library setting over the labelled queries."""

    library: int = 0
    queries: int = 0
    p_at_10: float = 0.0
    p_at_10_ceiling: float = 0.0
    ndcg_at_10: float = 0.0
    note: str = ""
    _p: list[float] = field(default_factory=list, repr=False)
    _c: list[float] = field(default_factory=list, repr=False)
    _n: list[float] = field(default_factory=list, repr=False)

    def add(self, key: str, ranked: list, charges_of: dict[str, set]) -> tuple[int, float]:
        mine = charges_of[key]
        relevant = sum(1 for k, c in charges_of.items() if k != key and c & mine)
        hits = [1.0 if charges_of.get(k, set()) & mine else 0.0 for k, _, _ in ranked[:10]]
        gains = [_jaccard(mine, charges_of.get(k, set())) for k, _, _ in ranked[:10]]
        ideal = [_jaccard(mine, c) for k, c in charges_of.items() if k != key]
        p = sum(hits) / 10
        self._p.append(p)
        self._c.append(min(10, relevant) / 10)
        self._n.append(_ndcg(gains, ideal))
        return relevant, p

    def close(self) -> None:
        self.queries = len(self._p)
        if self._p:
            self.p_at_10 = statistics.fmean(self._p)
            self.p_at_10_ceiling = statistics.fmean(self._c)
            self.ndcg_at_10 = statistics.fmean(self._n)

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v)
                for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass
class Report:
    cases: int = 0
    queries: int = 0
    p_at_10: float = 0.0
    p_at_10_ceiling: float = 0.0
    p_at_10_full: float = 0.0  # over queries whose charge has >= 10 other cases
    full_queries: int = 0
    ndcg_at_10: float = 0.0
    extra_library: dict[str, dict] = field(default_factory=dict)
    sentencing: dict[str, dict] = field(default_factory=dict)
    cross_validation: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)  # the shipped ones (data/fitted.yaml)
    by_charge: dict[str, dict] = field(default_factory=dict)  # the blend's term score
    breakdown: dict[str, dict[str, dict]] = field(default_factory=dict)
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
    echo: Callable[[str], None] = print, extra: Sequence[ExtraSource] = (),
    folds: int = FOLDS, defendants_out: list | None = None,
) -> Report:
    """Import ``judgments`` into a scratch SQLite library and store, then leave one out.
    ``defendants_out`` receives the scored defendants (to look into one)."""
    import time

    import sqlalchemy as sa

    from dossier import db
    from dossier.privacy import mask_name
    from dossier.store.local import LocalStore
    from schemas.tables import Case
    from tasks.library import similar, similar_index
    from tasks.library.importer import import_judgments, read_judgments
    from tasks.nlp.case_card import extract_case
    from tasks.sentencing import evaluation
    from tasks.sentencing.advise import neighbours_for
    from tasks.sentencing.suggest import defendants, fitted_params, guideline_steps

    started = time.perf_counter()
    labels = load_labels(silver)
    lines = judgments.read_text(encoding="utf-8").splitlines()[: limit or None]
    rows = [json.loads(line) for line in lines]
    report = Report()
    shipped = fitted_params()
    ks = sorted({*GRID["neighbours"], shipped.neighbours})
    people: list[evaluation.Defendant] = []
    own = Retrieval(note="judge_dev, leave-one-out")
    larger = Retrieval(note="judge_dev (minus the query) + " + " + ".join(e.note for e in extra))
    full: list[float] = []
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
        larger_index, charges_all = None, {}
        if extra:
            larger_index, charges_all = _import_extra(url, Path(scratch), extra, charges_of, echo)
            larger.library = len(charges_all)
        own.library = len(charges_of)
        cache: dict[str, dict[str, float]] = {}
        with db.session_scope(url) as session:
            for row in rows:
                tid = row["text_id"]
                key = key_of.get(tid)
                if key is None or tid not in labels:
                    continue
                report.queries += 1
                if report.queries % 25 == 0:
                    echo(f"  {report.queries} queries ({time.perf_counter() - started:.0f} s)")
                query = similar.profile_of_library_case(session, key, store)
                ranked = similar.rank(session, index, query, k=max(10, *ks))
                relevant, p = own.add(key, ranked, charges_of)
                if relevant >= 10:
                    full.append(p)
                if larger_index is not None:
                    larger.add(key, similar.rank(session, larger_index, query, k=10),
                               charges_all)
                # sentencing: the query's own card, its sentences unread
                card = extract_case(row["fd"]).model_copy(update={"sentences": []})
                hits = similar.describe(session, ranked[:max(ks)])
                near = {k: neighbours_for(session, hits, k, cache) for k in ks}
                names = {mask_name(p): p for p in defendants(card) if p}
                only = defendants(card)[0] if len(defendants(card)) == 1 else None
                for s in labels[tid].get("sentences", []):
                    if s.get("penalty") not in ("有期徒刑", "拘役") or not s.get("months"):
                        continue
                    masked = mask_name(s.get("name") or s.get("person", ""))
                    matched = masked in names or len(defendants(card)) == 1
                    person = names.get(masked, only)
                    steps = (guideline_steps(card, person, row["fd"])
                             if matched and card.charges else None)
                    people.append(evaluation.Defendant(
                        text_id=tid, charge=(labels[tid]["charges"] or ["?"])[0],
                        months=float(s["months"]), fine_yuan=s.get("fine_yuan"), person=person,
                        steps=steps, neighbours=near, fold=evaluation.fold_of(tid, folds)))
    own.close()
    larger.close()
    report.cases = imported.loaded
    report.p_at_10, report.p_at_10_ceiling = own.p_at_10, own.p_at_10_ceiling
    report.ndcg_at_10 = own.ndcg_at_10
    report.p_at_10_full = statistics.fmean(full) if full else 0.0
    report.full_queries = len(full)
    if extra:
        report.extra_library = {"judge_dev": own.as_dict(), "larger": larger.as_dict()}
    echo(f"sentencing: {len(people)} defendants; fitting ({time.perf_counter() - started:.0f} s)")
    scorer = evaluation.Scorer(people)
    if defendants_out is not None:
        defendants_out.extend(people)
    everyone = range(len(people))
    for variant, weight in VARIANTS.items():
        report.sentencing[variant] = evaluation.score(
            scorer, everyone, lambda i: shipped, weight).as_dict()
    cv = evaluation.cross_validate(scorer, shipped, folds)
    report.params = asdict(shipped)
    report.cross_validation = {
        "folds": cv.folds, "held_out": cv.held_out.as_dict(),
        "chosen": [asdict(p) for p in cv.chosen], "fitted_on_all": asdict(cv.fitted_on_all),
        "fitted_on_all_in_sample": evaluation.score(
            scorer, everyone, lambda i: cv.fitted_on_all).as_dict(),
    }
    report.breakdown = {group: {k: r.as_dict() for k, r in rows_.items()}
                        for group, rows_ in evaluation.breakdown(scorer, shipped).items()}
    per_charge: dict[str, list[tuple[float, float, float]]] = {}
    for i, d in enumerate(people):
        got = scorer.suggestion(i, shipped)
        if got is not None and got.months is not None:
            per_charge.setdefault(d.charge, []).append(
                (scorer.term(i, shipped)[0], d.months, got.months))
    for charge, items in sorted(per_charge.items(), key=lambda kv: -len(kv[1])):
        report.by_charge[charge] = {
            "n": len(items), "term_score": round(statistics.fmean(i[0] for i in items), 3),
            "actual_median": statistics.median(i[1] for i in items),
            "suggested_median": statistics.median(i[2] for i in items),
        }
    report.seconds = time.perf_counter() - started
    return report


def _import_extra(
    url: str, scratch: Path, extra: Sequence[ExtraSource], charges_of: dict[str, set],
    echo: Callable[[str], None],
) -> tuple[object, dict[str, set]]:
    """Import the extra sources into the scratch library (after judge_dev's index was built:
    that index does not see them) and index everything in a second store; the charges of
    every case of the larger library: judge_dev's labels, gold labels of a source that has
    them, else the extractor's (silver)."""
    import sqlalchemy as sa

    from dossier import db
    from dossier.store.local import LocalStore
    from schemas.tables import Case
    from tasks.library import similar, similar_index
    from tasks.library.importer import import_judgments, read_judgments

    charges_all = dict(charges_of)
    for source in extra:
        gold = source.gold_charges()
        for path in source.paths():
            with path.open(encoding="utf-8") as handle:
                done = import_judgments(lambda: db.session_scope(url), read_judgments(
                    handle, source.text_field, source.id_field, id_prefix=source.prefix))
            echo(f"imported {done.loaded} of {path.name} ({done.unchanged} already in, "
                 f"{done.duplicates} duplicates)")
        with db.session_scope(url) as session:
            keys = dict(session.execute(
                sa.select(Case.source_id, Case.dossier_id)
                .where(Case.source_id.like(source.prefix + "%"))).all())
            found = similar.profiles(session, list(keys.values()))
            for sid, key in keys.items():
                charges_all[key] = gold.get(sid) or (found[key].charges if key in found
                                                      else set())
    store = LocalStore(scratch / "store-larger")
    with db.session_scope(url) as session:
        similar_index.rebuild(store, session)
    return similar_index.load_index(store), charges_all
