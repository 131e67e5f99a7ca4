"""Throughput of the structuring stage against raw ``jieba.cut`` (same text, same
process), and the segmentation measurement behind the choice of character tokens.

    .venv/bin/python benchmarks/nlp_throughput.py [--n 200]

Target: ``extract_case`` >= 50% of jieba.cut chars/second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from tasks.nlp import lexicon  # noqa: E402
from tasks.nlp.case_card import extract_case  # noqa: E402
from tasks.nlp.extract import get_pipeline  # noqa: E402

CASES = ROOT.parent / "shared" / "data" / "cases" / "judge_dev.jsonl"
GOLD = ROOT / "tests" / "data" / "labels" / "judge_gold.jsonl"


def _rate(texts: list[str], fn) -> float:
    chars = sum(map(len, texts))
    start = time.perf_counter()
    for t in texts:
        fn(t)
    return chars / (time.perf_counter() - start)


def _boundaries(tokens: list[str]) -> set[int]:
    out, pos = {0}, 0
    for tok in tokens:
        pos += len(tok)
        out.add(pos)
    return out


_ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条(?:之[一二三四五六七八九十])?")


def segmentation_alignment(texts: dict[str, str]) -> dict[str, float]:
    """Share of gold spans whose start and end fall on jieba token boundaries, with the
    legal user dictionary (charge and statute names) loaded; on characters every span
    aligns by construction. Per kind: case numbers, indictment numbers, names of
    defendants and counsel, article citations (第二百六十四条)."""
    for name in lexicon.charges():
        jieba.add_word(name, freq=10_000)
    for name in lexicon.statute_aliases():
        jieba.add_word(name, freq=10_000)
    counts: dict[str, list[int]] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        text = texts[gold["text_id"]]
        cuts = _boundaries(list(jieba.cut(text)))
        targets = {
            "case number": [gold["case_no"]],
            "indictment number": [gold["indictment_no"]] if gold["indictment_no"] else [],
            "person name": [p["name"] for p in gold["persons"]],
            "article citation": [],
        }
        for kind, values in targets.items():
            for value in values:
                start = text.find(value)
                if start >= 0:
                    hit = counts.setdefault(kind, [0, 0])
                    hit[0] += start in cuts and start + len(value) in cuts
                    hit[1] += 1
        for m in _ARTICLE.finditer(text):
            hit = counts.setdefault("article citation", [0, 0])
            hit[0] += m.start() in cuts and m.end() in cuts
            hit[1] += 1
    return {kind: aligned / total for kind, (aligned, total) in counts.items() if total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)
    rows = [json.loads(x) for x in CASES.read_text(encoding="utf-8").splitlines() if x]
    texts = [r["fd"] for r in rows[: args.n]]
    jieba.initialize()
    get_pipeline()
    extract_case(texts[0])  # warm-up
    jieba_rate = _rate(texts, lambda t: list(jieba.cut(t)))
    extract_rate = _rate(texts, extract_case)
    print(f"{len(texts)} judgments, {sum(map(len, texts))} chars")
    print(f"  jieba.cut      {jieba_rate:12,.0f} chars/s")
    print(f"  extract_case   {extract_rate:12,.0f} chars/s")
    ratio = extract_rate / jieba_rate
    print(f"  ratio          {ratio:12.2f}  ({'ok' if ratio >= 0.5 else 'BELOW'} target 0.50)")
    aligned = segmentation_alignment({r["text_id"]: r["fd"] for r in rows})
    print("gold spans on token boundaries: jieba + legal user dictionary (characters: 1.000)")
    for kind, share in aligned.items():
        print(f"  {kind:20s} {share:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
