"""The case-card models over the 200 real judgments of JuDGE (``judge_dev.jsonl``).

Each judgment's full text (``fd``) is structured by the project's extractor
(``tasks.nlp.case_card.extract_case``) into a case card, then the six case-card
models run over all 200 cards together (``tasks.supervision.cards``, in memory:
``sentence_deviation`` compares the judgments with each other). Prints every lead
(names masked) with the share of judgments flagged per model, and writes the
leads with the verdict passage of each judgment to ``--out`` for reading by hand.

    .venv/bin/python benchmarks/supervision_real_judgments.py [--out /tmp/real_leads.jsonl]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schemas.case_card import CaseCard  # noqa: E402
from tasks.nlp.case_card import extract_case  # noqa: E402
from tasks.supervision.cards import supervise_cards  # noqa: E402

JUDGE = ROOT.parent / "shared" / "data" / "cases" / "judge_dev.jsonl"


def verdict(text: str) -> str:
    """The operative part (判决如下 …) and the cited articles (依照 …), for the reader."""
    cited = re.search(r"依照[^。]*?(?:之规定|规定)[^。]*。", text)
    ruling = text[text.find("判决如下"):][:400] if "判决如下" in text else text[-400:]
    return ((cited.group(0) if cited else "") + "\n" + ruling).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/real_leads.jsonl"))
    args = parser.parse_args()
    docs = [json.loads(line) for line in JUDGE.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    cards = []
    for doc in docs:
        case = extract_case(doc["fd"])
        cards.append((doc["text_id"], CaseCard(dossier_id=doc["text_id"], case=case)))
    structured = time.perf_counter() - started
    findings = supervise_cards(cards, dt.date(2026, 6, 30))
    by_model: dict[str, set[str]] = collections.defaultdict(set)
    for f in findings:
        by_model[f.model].add(f.records[0].removeprefix("card:"))
    flagged = {d for ids in by_model.values() for d in ids}
    sentences = sum(len(c.case.sentences) for _, c in cards)
    print(f"{len(docs)} judgments structured in {structured:.0f} s; {sentences} sentences")
    print(f"{len(findings)} leads; judgments flagged by any model: {len(flagged)} "
          f"({len(flagged) / len(docs):.1%})")
    for model, ids in sorted(by_model.items()):
        n = sum(1 for f in findings if f.model == model)
        print(f"  {model:26} {n:>3} leads, {len(ids):>3} judgments ({len(ids) / len(docs):.1%})")
    texts = {d["text_id"]: d["fd"] for d in docs}
    with open(args.out, "w", encoding="utf-8") as handle:
        for f in findings:
            ref = f.records[0].removeprefix("card:")
            handle.write(json.dumps({"model": f.model, "text_id": ref, "case_no": f.case_no,
                                     "explanation": f.explanation, "facts": f.facts,
                                     "verdict": verdict(texts[ref])}, ensure_ascii=False) + "\n")
    print(f"leads with verdict passages: {args.out}")


if __name__ == "__main__":
    main()
