"""Splitting a dossier's pages into documents (文书) and naming their type.

Every document starts on a new page and prints its title near the top of that
page (起诉书, 讯问笔录, XX人民法院刑事判决书), so the title rules decide first.
When no title can be read — torn, stamped over, misread — a page-level
classifier (``doc_classifier``) decides whether the page still belongs to the
document before it or starts a new one, and of which type. A blank separator
sheet never starts a document: it belongs to the one before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.case_card import DOCUMENT_TYPES, DocumentRef
from tasks.nlp.clean import join_pages

__all__ = [
    "BOUNDARY_PROBABILITY",
    "SplitDocument",
    "TitleMatch",
    "detect_title",
    "split_documents",
]

# A title-less page opens a new document only when the classifier is this sure that it
# belongs to another type than the current document: wrong splits cost more than misses.
BOUNDARY_PROBABILITY = 0.9
TITLE_LINES = 5  # the title is among the first lines of a page
_MAX_TITLE_LEN = 40
_TRAILING_SPECK = re.compile(r"(?<=[\u4e00-\u9fff])[。.．·]$")
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？!?]")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]{1,8}[）)]$")  # （副本）, （第二次）
_ORG = r"(?:.{0,30}?(?:人民法院|人民检察院|公安局|分局|派出所|支队|大队|看守所))?"

# (type, pattern on the compacted title line, confidence); first match wins, so the
# longer titles come before the shorter ones they contain (不起诉决定书 before 起诉书).
_TITLE_RULES: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (kind, re.compile(pattern), confidence)
    for kind, pattern, confidence in (
        ("不起诉决定书", rf"^{_ORG}(?:相对|存疑|法定)?不起诉决定书$", 0.98),
        ("取保候审决定书", rf"^{_ORG}取保候审决定书$", 0.98),
        ("立案决定书", rf"^{_ORG}立案决定书$", 0.98),
        ("起诉意见书", rf"^{_ORG}起诉意见书$", 0.98),
        ("量刑建议书", rf"^{_ORG}量刑建议书$", 0.98),
        ("起诉书", rf"^{_ORG}(?:刑事)?起诉书$", 0.97),
        ("判决书", rf"^{_ORG}刑事(?:附带民事)?判决书$|^{_ORG}判决书$", 0.98),
        ("裁定书", rf"^{_ORG}刑事(?:附带民事)?裁定书$|^{_ORG}裁定书$", 0.98),
        ("受案登记表", rf"^{_ORG}受案登记表$", 0.98),
        ("拘留证", rf"^{_ORG}拘留证$", 0.97),
        ("逮捕证", rf"^{_ORG}逮捕证$", 0.97),
        ("讯问笔录", r"^讯问笔录$", 0.98),
        ("询问笔录", r"^询问笔录$", 0.98),
        ("卷内目录", r"^卷内(?:文书|文件)?目录$", 0.98),
        ("卷宗封面", r"^.{0,10}卷宗$", 0.95),
        # evidence documents by kind (the review rules ask for them), before the general
        # 鉴定意见 and the generic 其他 shapes they would otherwise fall into
        (
            "血液酒精含量鉴定",
            r"^[^，。]{0,20}血液.{0,6}(?:酒精|乙醇).{0,10}(?:鉴定|检验|检测)(?:意见书|书|报告)?$",
            0.95,
        ),
        (
            "呼气酒精检测",
            r"^[^，。]{0,10}呼气.{0,6}酒精.{0,6}(?:检测|测试)(?:报告|单|记录|结果)?$",
            0.95,
        ),
        ("价格认定", r"^[^，。]{0,20}价格(?:认定|鉴定|评估)(?:结论书|意见书|书|报告)?$", 0.95),
        ("毒品称量", r"^[^，。]{0,10}(?:称量|称重)(?:笔录|记录)$", 0.95),
        ("毒品鉴定", r"^[^，。]{0,20}毒品.{0,6}(?:检验|鉴定)(?:鉴定书|意见书|报告|书)?$", 0.95),
        (
            "伤情鉴定",
            r"^[^，。]{0,20}(?:人体损伤程度|损伤程度|伤情)(?:鉴定|检验)?(?:意见书|书|报告)?$",
            0.95,
        ),
        ("扣押清单", r"^[^，。]{0,10}扣押(?:物品|财物)?(?:清单|笔录|决定书)$", 0.95),
        ("现场勘验", r"^[^，。]{0,10}现场(?:勘验|勘查)(?:检查)?笔录$", 0.95),
        ("辨认笔录", r"^[^，。]{0,10}辨认笔录$", 0.95),
        ("户籍证明", r"^[^，。]{0,10}(?:户籍证明|常住人口登记表|户籍信息)$", 0.95),
        (
            "前科材料",
            r"^[^，。]{0,10}(?:刑满释放证明(?:书)?|释放证明(?:书)?|前科(?:材料|证明|情况说明))$",
            0.95,
        ),
        (
            "鉴定意见",
            r"^[^，。]{0,20}(?:鉴定意见书|鉴定书|鉴定意见|价格认定结论书|检验报告)$",
            0.95,
        ),
        (
            "其他",
            r"^[^，。]{0,20}(?:笔录|决定书|通知书|清单|经过|证明|说明|报告书|报告|登记表"
            r"|回执|回证|告知书|逮捕书|意见书|申请书|证)$",
            0.75,
        ),
    )
)
# Titles worth a fuzzy match (one misread character); short ones would match too much.
_FUZZY_TITLES: tuple[tuple[str, str], ...] = (
    ("不起诉决定书", "不起诉决定书"),
    ("取保候审决定书", "取保候审决定书"),
    ("立案决定书", "立案决定书"),
    ("起诉意见书", "起诉意见书"),
    ("量刑建议书", "量刑建议书"),
    ("判决书", "刑事判决书"),
    ("裁定书", "刑事裁定书"),
    ("受案登记表", "受案登记表"),
    ("讯问笔录", "讯问笔录"),
    ("询问笔录", "询问笔录"),
    ("卷内目录", "卷内文书目录"),
    ("鉴定意见", "鉴定意见书"),
)
FUZZY_CONFIDENCE = 0.85


@dataclass(frozen=True)
class TitleMatch:
    type: str
    title: str
    confidence: float
    candidates: tuple[str, ...] = ()  # fuzzy matches that fit more than one type


@dataclass(frozen=True)
class SplitDocument:
    """One document of a dossier: ``pages`` is (first, last), 1-based and inclusive."""

    type: str
    title: str
    pages: tuple[int, int]
    text: str
    confidence: float

    def to_ref(self) -> DocumentRef:
        return DocumentRef(
            type=self.type,
            title=self.title,
            pages=self.pages,  # type: ignore[arg-type]
            confidence=round(self.confidence, 4),
        )


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _title_lines(page: str) -> list[str]:
    lines = [_compact(line) for line in page.splitlines()]
    return [line for line in lines if line][:TITLE_LINES]


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1: one character misread, dropped or doubled."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _fuzzy(line: str) -> list[tuple[str, str]]:
    """Types whose title the line's end is one edit away from (讯问笔灵, 刑事判快书)."""
    hits: list[tuple[str, str]] = []
    if not line or line[0].isdigit() or line[-1].isdigit():
        return hits  # nothing left, or a contents entry (1 受案登记表 3): not a title
    for kind, title in _FUZZY_TITLES:
        n = len(title)
        if any(len(line) >= k and _within_one_edit(line[-k:], title) for k in (n - 1, n, n + 1)):
            hits.append((kind, line))
    return hits


def detect_title(page: str) -> TitleMatch | None:
    """The document title printed near the top of ``page``, if there is one.

    Exact titles first, then titles one edit off (a misread character), and only then
    the generic title shapes of 其他 — so 洵问笔录 is a misread 询问/讯问笔录, not an
    unknown 笔录.
    """
    lines = []
    for line in _title_lines(page):
        line = _TRAILING_SPECK.sub("", line)  # dust after a printed title reads as 。 or .
        core = _TRAILING_NOTE.sub("", line)
        # A line that is nothing but a note — （此页无正文）, a case number's year （2019） on
        # a text run of its own in a born-digital PDF — has no title in it.
        if core and len(line) <= _MAX_TITLE_LEN and not _SENTENCE_PUNCT.search(line):
            lines.append((line, core))
    for line, core in lines:
        for kind, pattern, confidence in _TITLE_RULES[:-1]:
            if pattern.match(core):
                return TitleMatch(kind, line, confidence)
    for line, core in lines:
        fuzzy = _fuzzy(core)
        if fuzzy:
            kinds = tuple(dict.fromkeys(kind for kind, _ in fuzzy))
            return TitleMatch(kinds[0], line, FUZZY_CONFIDENCE, kinds)
    kind, pattern, confidence = _TITLE_RULES[-1]
    for line, core in lines:
        if pattern.match(core):
            return TitleMatch(kind, line, confidence)
    return None


def _first_line(page: str) -> str:
    for line in page.splitlines():
        line = _compact(line)
        if line:
            return line[:30]
    return ""


def split_documents(
    pages: Sequence[str],
    *,
    use_classifier: bool = True,
    use_titles: bool = True,
    continues: Sequence[bool] | None = None,
) -> list[SplitDocument]:
    """The documents of a dossier from its page texts (cleaned or raw OCR text).

    Types come from ``schemas.case_card.DOCUMENT_TYPES``. A document's confidence is
    its title rule's (0.75–0.98, raised to at least the classifier's when both agree),
    or the classifier's probability when no title was read. ``use_titles=False``
    leaves everything to the classifier (for measuring it alone).

    ``continues[i]`` (by default ``pages.continues`` of
    :class:`tasks.nlp.clean.CleanedPages`) says that page ``i``'s last paragraph runs on
    at the top of page ``i + 1``: a document starts on a new page, so such a page opens
    none (unless it shows an exact title), and the two are joined without a break
    (第二⏎百四十五条 → 第二百四十五条).
    """
    if continues is None:
        continues = getattr(pages, "continues", None)
    if continues is not None and len(continues) != len(pages):
        raise ValueError("continues must have one flag per page")
    probabilities: list[dict[str, float]] = [{} for _ in pages]
    start_probabilities = [0.0 for _ in pages]
    if use_classifier:
        from tasks.nlp.doc_classifier import load_classifier

        classifier = load_classifier()
        nonblank = [i for i, p in enumerate(pages) if p.strip()]
        for i, probs in zip(
            nonblank, classifier.probabilities([pages[i] for i in nonblank]), strict=True
        ):
            probabilities[i] = probs
        for i, start in zip(
            nonblank, classifier.start_probabilities([pages[i] for i in nonblank]), strict=True
        ):
            start_probabilities[i] = start

    starts: list[tuple[int, str, str, float]] = []  # (page index, type, title, confidence)
    current: str | None = None
    for index, page in enumerate(pages):
        if not page.strip():
            continue
        match = detect_title(page) if use_titles else None
        runs_on = index > 0 and continues is not None and continues[index - 1]
        if runs_on and current and (match is None or match.confidence < 0.9):
            continue  # the page carries on the paragraph the previous page broke off
        probs = probabilities[index]
        best = max(probs, key=probs.__getitem__) if probs else None
        if match is not None:
            kind = match.type
            confidence = match.confidence
            if len(match.candidates) > 1 and probs:  # 洵问笔录: 讯问 or 询问? the content says
                kind = max(match.candidates, key=lambda k: probs.get(k, 0.0))
            fuzzy = match.confidence <= FUZZY_CONFIDENCE
            if match.type == "其他" and best not in (None, "其他") and probs[best] >= 0.97:
                kind, confidence = best, probs[best]  # a generic title shape, a sure classifier
            elif fuzzy and best not in (None, *match.candidates) and probs[best] >= 0.9:
                kind, confidence = best, probs[best]  # a near-miss title the content contradicts
            elif probs and best == kind:
                confidence = max(confidence, min(0.99, probs[best]))
            starts.append((index, kind, match.title, confidence))
            current = kind
        elif best is not None and (
            current is None
            or (best != current and probs[best] >= BOUNDARY_PROBABILITY)
            or start_probabilities[index] >= BOUNDARY_PROBABILITY
        ):
            starts.append((index, best, _first_line(page) or best, probs[best]))
            current = best
        elif current is None:
            starts.append((index, "其他", _first_line(page) or "其他", 0.3))
            current = "其他"

    documents = []
    for n, (index, kind, title, confidence) in enumerate(starts):
        first = 0 if n == 0 else index  # leading blank sheets belong to the first document
        last = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(pages) - 1
        assert kind in DOCUMENT_TYPES
        text = join_pages(
            pages[first : last + 1], continues[first : last + 1] if continues else None
        )
        documents.append(SplitDocument(kind, title, (first + 1, last + 1), text, float(confidence)))
    return documents
