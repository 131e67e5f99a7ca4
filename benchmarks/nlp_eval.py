"""Per-field accuracy of the case card against the hand-checked gold labels.

    .venv/bin/python benchmarks/nlp_eval.py            # clean judgment text
    .venv/bin/python benchmarks/nlp_eval.py --scans DIR  # OCR text: DIR/<text_id>.txt

Only scores and masked examples are printed: names are personal data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.privacy import mask_name  # noqa: E402
from schemas.case_card import Case  # noqa: E402
from tasks.nlp.case_card import extract_case  # noqa: E402
from tasks.nlp.lexicon import CRIMINAL_LAW  # noqa: E402
from tasks.nlp.normalize import canonical_indictment_no  # noqa: E402

GOLD = ROOT / "tests" / "data" / "labels" / "judge_gold.jsonl"
CASES = ROOT.parent / "shared" / "data" / "cases" / "judge_dev.jsonl"
TARGETS = {
    "case_no": 0.98,
    "court": 0.95,
    "procuratorate": 0.95,
    "defendants_f1": 0.95,
    "charges_f1": 0.95,
    "articles_f1": 0.95,
    "penalty_months": 0.95,
    "fine": 0.95,
}


def _fold(value: str | None) -> str | None:
    if value is None:
        return None
    table = str.maketrans(
        {
            "(": "（",
            ")": "）",
            "[": "［",
            "]": "］",
            "﹝": "［",
            "﹞": "］",
            "〔": "［",
            "〕": "］",
            " ": None,
        }
    )
    return value.translate(table)


def _canonical_indictment(value: str | None) -> str | None:
    return None if value is None else canonical_indictment_no(value)


def _f1(pairs: Iterable[tuple[set, set]]) -> float:
    tp = fp = fn = 0
    for gold, pred in pairs:
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def _accuracy(values: list[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _pairs(gold: list[dict], predicted: list[Case]) -> Iterable[tuple[dict, Case]]:
    return zip(gold, predicted, strict=True)


def score(gold: list[dict], predicted: list[Case]) -> dict[str, float]:
    """Per-field scores of ``predicted[i]`` against ``gold[i]`` (one judgment each).

    Exact-match accuracy for single values; micro F1 over sets for lists. Persons'
    attributes are scored per gold defendant found by name; sentences per defendant
    (penalty and months together; fine alone)."""
    assert len(gold) == len(predicted)
    out: dict[str, float] = {}
    out["case_no"] = _accuracy(
        [_fold(g["case_no"]) == _fold(p.case_no) for g, p in _pairs(gold, predicted)]
    )
    out["court"] = _accuracy([g["court"] == p.court for g, p in _pairs(gold, predicted)])
    out["procuratorate"] = _accuracy(
        [g["procuratorate"] == p.procuratorate for g, p in _pairs(gold, predicted)]
    )
    # The card writes an indictment number's year in ［］ however it was bracketed (the gold
    # keeps the judgment's own （）, ［］ or ﹝﹞): compared in that canonical form.
    out["indictment_no"] = _accuracy(
        [
            _canonical_indictment(g["indictment_no"]) == _canonical_indictment(p.indictment_no)
            for g, p in _pairs(gold, predicted)
        ]
    )
    out["defendants_f1"] = _f1(
        (set(g["defendants"]), {x.name for x in p.persons if x.role in ("被告人", "犯罪嫌疑人")})
        for g, p in _pairs(gold, predicted)
    )
    out["charges_f1"] = _f1((set(g["charges"]), set(p.charges)) for g, p in _pairs(gold, predicted))
    out["articles_f1"] = _f1(
        (set(g["statutes"]), {s.article for s in p.statutes if s.law == CRIMINAL_LAW})
        for g, p in _pairs(gold, predicted)
    )
    penalty, fine, probation = [], [], []
    attrs: dict[str, list[bool]] = {"gender": [], "birth_date": [], "ethnicity": []}
    for g, p in _pairs(gold, predicted):
        by_name = {s.person: s for s in p.sentences}
        for s in g["sentences"]:
            got = by_name.get(s["person"])
            penalty.append(bool(got) and (got.penalty, got.months) == (s["penalty"], s["months"]))
            fine.append(bool(got) and got.fine_yuan == s["fine_yuan"])
            probation.append(bool(got) and got.probation_months == s["probation_months"])
        people = {x.name: x for x in p.persons}
        for person in g["persons"]:
            if person["role"] != "被告人":
                continue
            got = people.get(person["name"])
            for key in attrs:
                value = getattr(got, key) if got else None
                value = value.isoformat() if hasattr(value, "isoformat") else value
                attrs[key].append(value == person[key])
    out["penalty_months"] = _accuracy(penalty)
    out["fine"] = _accuracy(fine)
    out["probation"] = _accuracy(probation)
    for key, values in attrs.items():
        out[f"defendant_{key}"] = _accuracy(values)
    out["counsel_f1"] = _f1(
        (
            {x["name"] for x in g["persons"] if x["role"] == "辩护人"},
            {x.name for x in p.persons if x.role == "辩护人"},
        )
        for g, p in _pairs(gold, predicted)
    )
    out["measures_f1"] = _f1(
        (
            {(m["person"], m["kind"], m["date"]) for m in g["coercive_measures"]},
            {
                (m.person, m.kind, m.date.isoformat() if m.date else None)
                for m in p.coercive_measures
            },
        )
        for g, p in _pairs(gold, predicted)
    )
    out["circumstances_f1"] = _f1(
        (
            {(c["person"], c["kind"]) for c in g["circumstances"]},
            {(c.person, c.kind) for c in p.circumstances},
        )
        for g, p in _pairs(gold, predicted)
    )
    return out


def gold_from_case(case: Case, text_id: str = "") -> dict:
    """A ground-truth :class:`Case` (e.g. a sample dossier's) in the gold-label layout,
    so :func:`score` can compare extractions with it."""
    return {
        "text_id": text_id,
        "case_no": case.case_no,
        "court": case.court,
        "procuratorate": case.procuratorate,
        "indictment_no": case.indictment_no,
        "defendants": [p.name for p in case.persons if p.role in ("被告人", "犯罪嫌疑人")],
        "charges": list(case.charges),
        "statutes": sorted({s.article for s in case.statutes if s.law == CRIMINAL_LAW}),
        "persons": [
            {
                "name": p.name,
                "role": p.role,
                "gender": p.gender,
                "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                "ethnicity": p.ethnicity,
            }
            for p in case.persons
        ],
        "coercive_measures": [
            {"person": m.person, "kind": m.kind, "date": m.date.isoformat() if m.date else None}
            for m in case.coercive_measures
        ],
        "sentences": [s.model_dump() for s in case.sentences],
        "circumstances": [c.model_dump() for c in case.circumstances],
    }


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def clean_texts(gold: list[dict]) -> list[str]:
    texts = {}
    with CASES.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts[row["text_id"]] = row["fd"]
    return [texts[g["text_id"]] for g in gold]


def scan_texts(gold: list[dict], directory: Path) -> list[str]:
    """Hook for the end-to-end run: the OCR'd (and cleaned) text of each gold judgment,
    rendered and scanned by the lead's pipeline, as ``DIR/<text_id>.txt``."""
    return [(directory / f"{g['text_id']}.txt").read_text(encoding="utf-8") for g in gold]


def evaluate(
    texts: list[str], gold: list[dict], extract: Callable[[str], Case] = extract_case
) -> tuple[dict[str, float], list[Case]]:
    predicted = [extract(t) for t in texts]
    return score(gold, predicted), predicted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=Path, help="directory of OCR text, <text_id>.txt")
    parser.add_argument("--examples", type=int, default=3, help="masked mismatches to show")
    args = parser.parse_args(argv)
    gold = load_gold()
    texts = scan_texts(gold, args.scans) if args.scans else clean_texts(gold)
    scores, predicted = evaluate(texts, gold)
    splits = {"all": scores}
    for split in ("dev", "heldout"):
        idx = [i for i, g in enumerate(gold) if g.get("split") == split]
        if idx:
            splits[split] = score([gold[i] for i in idx], [predicted[i] for i in idx])
    source = "rendered scans" if args.scans else "clean text"
    counts = {k: sum(g.get("split") == k for g in gold) for k in ("dev", "heldout")}
    print(
        f"NLP evaluation on {len(gold)} gold judgments ({source}); "
        f"dev {counts['dev']} (rules written on them), held-out {counts['heldout']}"
    )
    print(f"  {'field':22s} " + " ".join(f"{name:>8s}" for name in splits) + "  target")
    for key in scores:
        target = TARGETS.get(key)
        values = " ".join(f"{splits[name][key]:8.3f}" for name in splits)
        mark = (
            ""
            if target is None
            else f"  {target:.2f} " + ("ok" if scores[key] >= target else "BELOW")
        )
        print(f"  {key:22s} {values}{mark}")
    shown = 0
    for g, p in _pairs(gold, predicted):
        if shown >= args.examples:
            break
        got = {s.person: (s.penalty, s.months, s.fine_yuan) for s in p.sentences}
        for s in g["sentences"]:
            if got.get(s["person"]) != (s["penalty"], s["months"], s["fine_yuan"]):
                print(
                    f"  e.g. {g['text_id'][:8]} {mask_name(s['person'])}: gold "
                    f"{(s['penalty'], s['months'], s['fine_yuan'])} got {got.get(s['person'])}"
                )
                shown += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
