"""The spaCy pipeline that finds legal spans in a judgment, indictment or record.

``spacy.blank("zh")`` with its default *character* segmentation: every field we match
(names, case numbers, 第二百六十四条第一款) has to start and end on a token boundary,
and jieba's word boundaries cut through names and statute numbers (measured in
``benchmarks/nlp_throughput.py``; see ``tasks/nlp/extract/__init__.py``).

Two rule components fill ``doc.spans``:

* ``span_ruler`` (spaCy's SpanRuler) — fixed vocabulary from data files: roles,
  coercive measures, penalties, circumstances (``patterns/keywords.jsonl``), the 56
  ethnic groups (``tasks/nlp/data``); charge names are matched after 犯 and mapped
  to the official list by :func:`tasks.nlp.lexicon.canonical_charge`;
* ``legal_regex`` — number-shaped fields (case numbers, indictment numbers, dates,
  amounts, ID numbers, statute names) from ``patterns/regex.json``.

``case_assembler`` then turns the spans into a :class:`schemas.case_card.Case`
(``doc._.case``); the field logic lives in :mod:`tasks.nlp.extract.fields`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from tasks.nlp import lexicon

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
KEYWORDS_KEY = "keywords"
FIELDS_KEY = "fields"

if not Doc.has_extension("case"):
    Doc.set_extension("case", default=None)


def _load_regexes() -> dict[str, list[re.Pattern[str]]]:
    raw = json.loads((PATTERNS_DIR / "regex.json").read_text(encoding="utf-8"))
    return {
        label: [re.compile(p) for p in patterns]
        for label, patterns in raw.items()
        if not label.startswith("_")
    }


class LegalRegex:
    """Adds one span per regex match to ``doc.spans["fields"]``, labelled by field."""

    def __init__(self, regexes: dict[str, list[re.Pattern[str]]]):
        self.regexes = regexes

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        # Doc.text joins every token on each access (a third of extraction time on long
        # judgments): read it once and leave it where the case assembler reads it.
        text = doc.user_data["text"] = doc.text
        for label, patterns in self.regexes.items():
            for pattern in patterns:
                for match in pattern.finditer(text):
                    group = "value" if "value" in pattern.groupindex else 0
                    start, end = match.span(group)
                    span = doc.char_span(start, end, label=label, alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
        spans.sort(key=lambda s: (s.start_char, -s.end_char))
        doc.spans[FIELDS_KEY] = spans
        return doc


@Language.factory("legal_regex")
def _make_legal_regex(nlp: Language, name: str) -> LegalRegex:
    return LegalRegex(_load_regexes())


@Language.component("case_assembler")
def _case_assembler(doc: Doc) -> Doc:
    from tasks.nlp.extract.fields import assemble_case

    doc._.case = assemble_case(doc)
    return doc


def _keyword_patterns() -> list[dict[str, str]]:
    patterns = [
        json.loads(line)
        for line in (PATTERNS_DIR / "keywords.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    patterns += [{"label": "ETHNICITY", "pattern": e, "id": e} for e in lexicon.ethnicities()]
    return patterns


def build_pipeline(*, assemble: bool = True) -> Language:
    """A fresh pipeline; use :func:`get_pipeline` for the shared one."""
    nlp = spacy.blank("zh")  # character segmentation (the default for blank zh)
    ruler = nlp.add_pipe(
        "span_ruler",
        name="span_ruler",
        config={"spans_key": KEYWORDS_KEY, "phrase_matcher_attr": "ORTH"},
    )
    ruler.add_patterns(_keyword_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("legal_regex")
    if assemble:
        nlp.add_pipe("case_assembler")
    return nlp


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The process-wide pipeline (building it loads ~550 patterns)."""
    return build_pipeline()
