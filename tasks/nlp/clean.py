"""Cleaning OCR page text before it is split into documents and mined for fields.

OCR output of a Chinese dossier page has half-width punctuation where the page
had full-width (NFKC folds ，：；（） to ASCII), spaces between characters, the
page's running header and page number, a line break wherever the printed line
ended, and a few misread characters. Extraction rules match on characters, so
every one of those breaks a match: 盗窃 罪, 有期徒\n刑, 取保侯审.

Only unambiguous OCR corrections are made: a span one character away from
exactly one legal lexicon term (charge names, statute names, procedural terms)
of at least four characters, and never where the span is itself a term. A
wrong correction is worse than none, so anything less certain stays as read.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from tasks.nlp.lexicon import DATA_DIR, charges, statute_aliases

__all__ = [
    "CleanedPages",
    "clean_dossier_text",
    "clean_page_text",
    "correct_ocr_confusions",
    "is_page_number_line",
    "join_lines",
    "join_pages",
    "legal_lexicon",
    "normalize_width",
]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CN_PUNCT = "，。、：；！？（）《》“”‘’【】〔〕［］…—·"
_CJK_RE = re.compile(f"[{_CJK}]")
_WIDE = f"{_CJK}{_CN_PUNCT}"
# Spaces between two CJK characters / Chinese punctuation, or between those and a digit or
# Latin letter (DNA 鉴定): Chinese text has none; OCR engines put them in.
_SPACE_WIDE_WIDE = re.compile(f"(?<=[{_WIDE}])[ \t\u3000]+(?=[{_WIDE}])")
_SPACE_WIDE_DIGIT = re.compile(
    f"(?<=[{_WIDE}])[ \t\u3000]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])[ \t\u3000]+(?=[{_WIDE}])"
)
_SPACE_AT_BRACKET = re.compile(r"[ \t\u3000]*([()\[\]])[ \t\u3000]*")
_SPACE_IN_NUMBER = re.compile(r"(?<=[0-9])[ \t\u3000]+(?=[0-9])")
_MULTISPACE = re.compile(r"[ \t\u3000]{2,}")

_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"第\s*[0-9一二三四五六七八九十百零〇]+\s*页\s*[,，/、]?\s*(?:共\s*[0-9一二三四五六七八九十百零〇]+\s*页)?"
    r"|共\s*[0-9]+\s*页\s*[,，/、]?\s*第\s*[0-9]+\s*页"
    r"|[-—–－_~]\s*[0-9]{1,4}\s*[-—–－_~]"
    r"|[0-9]{1,4}\s*/\s*[0-9]{1,4}"
    r"|[Pp](?:age|\.)?\s*[0-9]{1,4}(?:\s*(?:/|of)\s*[0-9]{1,4})?"
    r"|[0-9]{1,4}"
    r")$"
)
# Lines that open a paragraph or are one on their own: list markers, Q&A turns, form fields.
_PARAGRAPH_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[、．.]"
    r"|第[一二三四五六七八九十百0-9]+[章节条]|[问答][:：]"
    rf"|[{_CJK}]{{1,10}}[:：])"
)
_SENTENCE_END = "。！？；：”’」）)!?;:"
# Document titles stay put even when they repeat at the top of pages (讯问笔录 per session).
_TITLE_LIKE = re.compile(r"(?:书|笔录|登记表|目录|卷宗|证|意见|清单|经过|证明)$")
_DATE = re.compile(
    r"[0-9〇一二三四五六七八九十]{1,4}年[0-9一二三四五六七八九十]{1,2}月|[0-9]{1,2}月[0-9]{1,2}日"
)
_DIGITS = re.compile(r"[0-9一二三四五六七八九十百零〇]+")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


def _is_wide(ch: str) -> bool:
    return bool(ch) and (_is_cjk(ch) or ch in _CN_PUNCT)


def _restore_parens(line: str) -> str:
    """(2017)沪0120刑初684号 → （2017）沪0120刑初684号: brackets in Chinese text are full width."""

    def repl(m: re.Match[str]) -> str:
        before = line[m.start() - 1] if m.start() > 0 else ""
        after = line[m.end()] if m.end() < len(line) else ""
        inner = m.group(1)
        if _is_wide(before) or _is_wide(after) or _CJK_RE.search(inner):
            return f"（{inner}）"
        return m.group(0)

    return re.sub(r"\(([^()]*)\)", repl, line)


def _restore_quotes(line: str) -> str:
    """ASCII double quotes around Chinese words → “”, when they pair up."""
    if line.count('"') % 2 or not _CJK_RE.search(line):
        return line
    out, opening = [], True
    for ch in line:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def normalize_width(line: str) -> str:
    """NFKC (full-width digits and letters → ASCII), then full-width punctuation back
    where it sits in Chinese text, and no spaces between Chinese characters."""
    line = unicodedata.normalize("NFKC", line)
    if _CJK_RE.search(line):
        # In a Chinese line a space next to a bracket or between digits is OCR's: ( 2 0 1 9 ),
        # [2019] 43号
        line = _SPACE_AT_BRACKET.sub(r"\1", line)
        line = _SPACE_IN_NUMBER.sub("", line)
    line = _SPACE_WIDE_WIDE.sub("", line)
    line = _SPACE_WIDE_DIGIT.sub("", line)
    line = _SPACE_WIDE_WIDE.sub("", line)
    chars = list(line)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch not in ",:;!?.":
            continue
        # Neighbours past any space: tesseract writes 出 生 , 汉 族.
        j, k = i - 1, i + 1
        while j >= 0 and chars[j] == " ":
            j -= 1
        while k < n and chars[k] == " ":
            k += 1
        prev = chars[j] if j >= 0 else ""
        nxt = chars[k] if k < n else ""
        if ch == ",":
            if not (prev.isdigit() and nxt.isdigit()) and (_is_wide(prev) or _is_wide(nxt)):
                chars[i] = "，"
        elif ch == ":":
            if _is_wide(prev) and not (prev.isdigit() and nxt.isdigit()):
                chars[i] = "："
        elif ch == ";":
            if _is_wide(prev) or _is_wide(nxt):
                chars[i] = "；"
        elif ch in "!?":
            if _is_wide(prev):
                chars[i] = "！" if ch == "!" else "？"
        elif ch == "." and _is_cjk(prev) and (not nxt or _is_wide(nxt)):
            chars[i] = "。"
    line = "".join(chars)
    line = _restore_parens(line)
    line = _restore_quotes(line)
    line = _SPACE_WIDE_WIDE.sub("", line)
    line = _SPACE_WIDE_DIGIT.sub("", line)
    return _MULTISPACE.sub(" ", line).strip()


def is_page_number_line(line: str) -> bool:
    """第3页 共10页, - 3 -, 3/10, a bare 3: page numbering, never content."""
    compact = line.replace(" ", "").strip()
    return bool(_PAGE_NUMBER.match(compact) or _PAGE_NUMBER.match(line.strip()))


def _drop_page_numbers(lines: list[str]) -> list[str]:
    """Page numbers sit in the first or last two lines of a page; elsewhere a number is content."""
    keep = list(lines)
    positions = [i for i, line in enumerate(keep) if line]
    edge = set(positions[:2] + positions[-2:])
    for i in sorted(edge):
        if is_page_number_line(keep[i]):
            keep[i] = ""
    return [line for line in keep if line]


def _printed_width(lines: list[str]) -> int:
    """The printed width of a page in characters: the longest line, or its 90th
    percentile once a stray long line (a table row) could distort it."""
    if not lines:
        return 0
    lengths = sorted(len(line) for line in lines)
    return lengths[-1] if len(lengths) < 10 else lengths[int(0.9 * len(lengths))]


def _runs_on(printed: str, paragraph: str, full: int, following: str) -> bool:
    """Whether ``following`` continues the paragraph whose last printed line is ``printed``:
    that line fills the width (the layout wrapped it), the paragraph has not ended a
    sentence, and ``following`` does not open a paragraph of its own."""
    wrapped = full >= 12 and len(printed) >= 0.8 * full
    if paragraph[-1] in _OPEN_ENDED:
        return wrapped  # 第七十三条第⏎一、三款: not the list marker 一、
    return (
        wrapped
        and not _ends_sentence(paragraph[-1], following)
        and not _PARAGRAPH_START.match(following)
    )


_OPEN_ENDED = "第（《“(、"  # no paragraph ends on these

# After a closing bracket the sentence goes on only with punctuation or the rest of a
# citation: 第一款第（二）⏎项, 被告人某某（曾用名某）⏎，男.
_AFTER_BRACKET = re.compile(r"[，。、；：,;:]|[项款条号之]")


def _ends_sentence(last: str, following: str) -> bool:
    if last in "）)":
        return not _AFTER_BRACKET.match(following)
    return last in _SENTENCE_END


_TRAILING_DIGITS = re.compile(r"(?:^|(?<=[^\s0-9]))[0-9]+$")
_LEADING_DIGITS = re.compile(r"^[0-9]+(?=[^\s0-9]|$)")


def _glue(left: str, right: str) -> str:
    """Two pieces of one paragraph cut by a line (or page) break.

    Chinese text needs no space at a line break; two Latin words do. A number the
    layout cut (8月1⏎0日, 2⏎017年, 第45⏎88号) is one number again — unless either
    piece is a spaced table cell (a contents row ``… 受案登记表 3`` above ``2 立案决定书``).
    """
    a, b = left[-1], right[0]
    if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
        cut_number = _TRAILING_DIGITS.search(left) and _LEADING_DIGITS.match(right)
        return left + ("" if cut_number else " ") + right
    latin = all(c.isascii() and c.isalnum() for c in (a, b))
    return left + (" " if latin else "") + right


def join_lines(lines: list[str]) -> list[str]:
    """Printed lines → paragraphs.

    A line that fills the width of the page and does not end a sentence was
    wrapped by the layout, so the next line continues it; a short line, a line
    ending in 。 and a line before a list marker, 问：/答： or a form field end a
    paragraph.
    """
    if not lines:
        return []
    full = _printed_width(lines)
    paragraphs: list[str] = [lines[0]]
    last_printed = lines[0]
    for line in lines[1:]:
        prev = paragraphs[-1]
        if _runs_on(last_printed, prev, full, line):
            paragraphs[-1] = _glue(prev, line)
        else:
            paragraphs.append(line)
        last_printed = line
    return paragraphs


# Character pairs OCR engines confuse in print (same component, a stroke apart). A
# four-character term is corrected only for one of these; longer ones for any misread.
_LOOKALIKES = frozenset(
    frozenset(pair)
    for pair in (
        "候侯", "拘枸", "审宙", "诉沂", "刑邢", "徒徙", "缓媛", "决诀", "捕浦", "讯汛", "询洵",
        "询殉", "讯迅", "罚罪", "徒徒", "禁襟", "监临", "居屈", "留溜", "逮建", "鉴签", "察祭",
        "院阮", "检捡", "法怯", "期斯", "刑形", "罪非", "政攻", "治冶", "权杈", "剥刹", "夺夸",
    )
    if len(set(pair)) == 2
)


@lru_cache(maxsize=1)
def legal_lexicon() -> frozenset[str]:
    """Charge names, statute names (official and short) and procedural terms."""
    terms = set(charges()) | set(statute_aliases())
    for line in (DATA_DIR / "procedural_terms.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms.add(line)
    return frozenset(terms)


@lru_cache(maxsize=1)
def _anchors() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Terms by their first and by their last two characters.

    A span one substitution away from a term of length >= 4 keeps either the
    term's first two or its last two characters, so those bigrams find every
    candidate without comparing every window with every term.
    """
    starts: dict[str, list[str]] = {}
    ends: dict[str, list[str]] = {}
    for term in legal_lexicon():
        if len(term) >= 4:
            starts.setdefault(term[:2], []).append(term)
            ends.setdefault(term[-2:], []).append(term)
    return starts, ends


def _one_substitution(span: str, term: str) -> int | None:
    """The position of the single differing character, or ``None``."""
    if len(span) != len(term):
        return None
    diff = [i for i, (a, b) in enumerate(zip(span, term, strict=True)) if a != b]
    return diff[0] if len(diff) == 1 else None


def correct_ocr_confusions(text: str) -> str:
    """取保侯审 → 取保候审, 中华人民共和国刑怯 → 中华人民共和国刑法, only when unambiguous.

    A candidate span must differ from exactly one lexicon term in one CJK
    character, not be a lexicon term itself nor overlap text that is one, and
    no other term may fit the same span; a substitution in a term's first or
    last character (where a different, correct word is likeliest: 人民法院/人民法官)
    needs a term of six characters or more, and a four-character term is only
    corrected for a known lookalike pair (侯/候), since 公安机关 is one off from
    公诉机关 and right.
    """
    lexicon = legal_lexicon()
    starts, ends = _anchors()
    candidates: dict[tuple[int, int], set[str]] = {}
    for j in range(len(text) - 1):
        bigram = text[j : j + 2]
        for term in starts.get(bigram, ()):
            candidates.setdefault((j, j + len(term)), set()).add(term)
        for term in ends.get(bigram, ()):
            start = j + 2 - len(term)
            if start >= 0:
                candidates.setdefault((start, j + 2), set()).add(term)
    # Text that is a term as read is right; no correction may reach into it
    # (中华人民共和国刑事诉讼法 holds 中华人民共和国刑事, one off from …刑法).
    exact = [(s, e) for (s, e), terms in candidates.items() if text[s:e] in terms]
    fixes: list[tuple[int, int, str]] = []
    for (start, end), terms in candidates.items():
        span = text[start:end]
        if len(span) != end - start or span in lexicon:
            continue
        if any(s < end and start < e for s, e in exact):
            continue
        fits = []
        for term in terms:
            pos = _one_substitution(span, term)
            if pos is None or not _is_cjk(span[pos]) or not _is_cjk(term[pos]):
                continue
            if pos in (0, len(term) - 1) and len(term) < 6:
                continue
            if len(term) < 5 and frozenset((span[pos], term[pos])) not in _LOOKALIKES:
                continue  # 公安机关 is one off from 公诉机关, and right
            fits.append(term)
        if len(fits) == 1:
            fixes.append((start, end, fits[0]))
    if not fixes:
        return text
    fixes.sort()
    out, cursor = [], 0
    for start, end, term in fixes:
        if start < cursor:  # overlapping candidates: ambiguous, keep the first
            continue
        out.append(text[cursor:start])
        out.append(term)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _page_lines(text: str) -> list[str]:
    return [normalize_width(line) for line in text.replace("\r\n", "\n").split("\n")]


def _finish(lines: list[str]) -> str:
    lines = [line for line in lines if line]
    return correct_ocr_confusions("\n".join(join_lines(lines)))


def clean_page_text(text: str) -> str:
    """One page: width and spacing, page numbers at the top or bottom, paragraphs, OCR fixes."""
    lines = [line for line in _page_lines(text) if line]
    return _finish(_drop_page_numbers(lines))


def _header_key(line: str) -> str | None:
    """What a running header is compared by, or ``None`` for a line that cannot be one.

    Digits count only in a line that numbers pages (奉贤分局卷宗 第3页); elsewhere the
    text must repeat exactly. Dates, seals and document titles end documents or open
    them and repeat across short documents, so they are never headers.
    """
    compact = line.replace(" ", "")
    if _DATE.search(compact) or compact.endswith("（印）") or _TITLE_LIKE.search(compact):
        return None
    return _DIGITS.sub("#", compact) if "页" in compact else compact


def _longest_run(indexes: list[int]) -> int:
    best = run = 1
    for a, b in itertools.pairwise(indexes):
        run = run + 1 if b - a == 1 else 1
        best = max(best, run)
    return best if indexes else 0


class CleanedPages(list[str]):
    """Cleaned page texts, one per input page, plus ``continues[i]``: page ``i`` ends
    inside a paragraph that page ``i + 1`` carries on (第二⏎百四十五条 cut by the page
    break). As a list of strings it is just the page texts; the splitter reads
    ``continues`` to keep such pages together and to join them without a break."""

    def __init__(self, texts: Sequence[str], continues: Sequence[bool]):
        super().__init__(texts)
        if len(continues) != len(texts):
            raise ValueError("one continues flag per page")
        self.continues: tuple[bool, ...] = tuple(continues)


def _page_runs_on(lines: list[str], following: list[str]) -> bool:
    """Whether a page's last paragraph goes on at the top of the next page: the same
    test as for two lines of one page (:func:`join_lines`), with the page's own printed
    width; a next page that opens with a document title starts afresh."""
    if not lines or not following:
        return False
    first = following[0]
    if len(first) <= 40 and _TITLE_LIKE.search(first) and not re.search("[，。；：,;:]", first):
        return False
    return _runs_on(lines[-1], lines[-1], _printed_width(lines), first)


def join_pages(pages: Sequence[str], continues: Sequence[bool] | None = None) -> str:
    """The non-blank pages as one text: a page break inside a paragraph (``continues``)
    joins the way a line break inside it does, any other page break is a newline."""
    out = ""
    runs_on = False
    for i, page in enumerate(pages):
        if not page.strip():
            runs_on = False
            continue
        out = page if not out else (_glue(out, page) if runs_on else f"{out}\n{page}")
        runs_on = bool(continues and continues[i])
    return out


def clean_dossier_text(pages: list[str]) -> CleanedPages:
    """All pages of one dossier, one output per input page (blank stays blank).

    Besides what :func:`clean_page_text` does, a line that recurs in the top (or
    bottom) two lines of at least three consecutive pages is a running header
    (footer) and is dropped; digits are ignored in lines that number pages, so
    卷宗 第3页 and 卷宗 第4页 are one header. Document titles, dates and seals are
    kept even when they repeat: every 讯问笔录 session starts with its own title.
    Where a paragraph runs on from one page to the next, ``continues`` says so.
    """
    page_lines = [[line for line in _page_lines(page) if line] for page in pages]
    seen: dict[tuple[str, str], list[int]] = {}
    for index, lines in enumerate(page_lines):
        edges = [("top", line) for line in lines[:2]] + [("bottom", line) for line in lines[-2:]]
        for place, line in dict.fromkeys(edges):
            key = _header_key(line)
            indexes = seen.setdefault((place, key), []) if key is not None else None
            if indexes is not None and (not indexes or indexes[-1] != index):
                indexes.append(index)
    running: set[str] = set()
    for (_, key), indexes in seen.items():
        if _longest_run(indexes) >= 3:
            running.add(key)
    kept: list[list[str]] = []
    for lines in page_lines:
        if running:
            head, tail = lines[:2], lines[-2:] if len(lines) > 2 else []
            middle = lines[2:-2] if len(lines) > 4 else []
            if len(lines) <= 4:
                lines = [ln for ln in lines if _header_key(ln) not in running]
            else:
                head = [ln for ln in head if _header_key(ln) not in running]
                tail = [ln for ln in tail if _header_key(ln) not in running]
                lines = head + middle + tail
        kept.append(_drop_page_numbers(lines))
    continues = [
        i + 1 < len(kept) and _page_runs_on(kept[i], kept[i + 1]) for i in range(len(kept))
    ]
    return CleanedPages([_finish(lines) for lines in kept], continues)
