"""Sample dossiers (卷宗): fictitious multi-document cases with their ground truth.

A sample is what a procuratorate receives — cover, contents, 受案登记表, warrants,
transcripts, expert opinion, 起诉意见书, 起诉书, 判决书 — about fictitious people
(see ``fictitious``), each document starting on a new page, sometimes a blank
separator sheet between two. It carries the exact text of every page, the
document list with page ranges and the case card a perfect pipeline would
produce, so tests, the demo and the benchmarks can score against it.

Page texts come from the renderer's own pagination (``render.paginate_text``), so
the truth of a page is exactly what is printed on it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dossier.privacy import id_number_is_valid, mask_id_number
from dossier.samples import document_texts as texts
from dossier.samples.case_facts import SampleCase, make_case
from schemas.case_card import (
    Case,
    CaseCard,
    Circumstance,
    CoerciveMeasure,
    DocumentRef,
    Person,
    Sentence,
    Statute,
)
from tasks.nlp.normalize import canonical_indictment_no

if TYPE_CHECKING:
    from PIL import Image

SampleFormat = Literal["pdf", "pdf-text", "tiff", "zip", "png"]
FORMAT_EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "pdf-text": "pdf",
    "tiff": "tiff",
    "zip": "zip",
    "png": "png",
}
FOOTER_LINES = 1  # the 第 x 页 共 y 页 line under a transcript page
# The text PDF's font: small enough that a page paginated for the A4 scan fits one PDF page.
TEXT_PDF_FONT_SIZE = 10.5


@dataclass(frozen=True)
class SamplePage:
    """One printed sheet: the title drawn large on a document's first page, and the body."""

    title: str | None
    body: str

    @property
    def text(self) -> str:
        """What a reader sees on the page; empty for a blank separator sheet."""
        if self.title is None and not self.body:
            return ""
        return f"{self.title}\n{self.body}" if self.title else self.body

    @property
    def blank(self) -> bool:
        return self.title is None and not self.body


@dataclass
class SampleDossier:
    name: str
    seed: int
    sheets: list[SamplePage]
    documents: list[DocumentRef]
    case_card: CaseCard
    case: SampleCase = field(repr=False)

    @property
    def pages(self) -> list[str]:
        """The page texts, 1 page per entry, ``""`` for a blank sheet."""
        return [sheet.text for sheet in self.sheets]

    def truth(self) -> dict[str, object]:
        """The ground truth as written to ``<name>.truth.json``."""
        return {
            "name": self.name,
            "seed": self.seed,
            "pages": self.pages,
            "blank_pages": [i + 1 for i, s in enumerate(self.sheets) if s.blank],
            "documents": [d.model_dump(mode="json") for d in self.documents],
            "case_card": self.case_card.model_dump(mode="json"),
        }


Paginate = Callable[[str, str | None, int], list[str]]


def _paginate(body: str, title: str | None, reserve_lines: int) -> list[str]:
    """The renderer's pagination, leaving ``reserve_lines`` free at the foot of each page."""
    from dossier.samples.render import DEFAULT_MARGINS, paginate_text

    left, top, right, bottom = DEFAULT_MARGINS
    line_height = int(_font_size() * 1.6)
    margins = (left, top, right, bottom + reserve_lines * line_height)
    return paginate_text(body, title=title, margins=margins)


def _font_size() -> int:
    from dossier.samples.render import DEFAULT_FONT_SIZE

    return DEFAULT_FONT_SIZE


def _document_sheets(doc: texts.DocumentText, paginate: Paginate) -> list[SamplePage]:
    reserve = FOOTER_LINES if doc.page_footer else 0
    bodies = paginate(doc.body, doc.title, reserve)
    sheets = []
    for number, body in enumerate(bodies, 1):
        if doc.page_footer:
            body = f"{body}\n第 {number} 页 共 {len(bodies)} 页"
        sheets.append(SamplePage(doc.title if number == 1 else None, body))
    return sheets


def _documents(
    case: SampleCase, rng: random.Random
) -> tuple[list[texts.DocumentText], list[texts.DocumentText]]:
    """The investigation documents and the closing ones (起诉意见书 onwards), in dossier
    order; cover and contents are added once the page numbers are known."""
    docs = [texts.acceptance(case, rng), texts.filing(case)]
    for i in range(len(case.defendants)):
        docs.append(texts.detention_warrant(case, i))
    for i in range(len(case.defendants)):
        for session in range(rng.randint(1, 2)):
            docs.append(texts.interrogation(case, i, session, rng, rounds=rng.randint(5, 9)))
    for victim in case.victims:
        docs.append(texts.inquiry(case, victim, "被害人", rng, rounds=rng.randint(3, 5)))
    for witness in case.witnesses:
        docs.append(texts.inquiry(case, witness, "证人", rng, rounds=rng.randint(3, 5)))
    docs.append(texts.expert_opinion(case, rng))
    for kind in rng.sample(range(6), rng.randint(0, 2)):
        docs.append(texts.other(case, rng, kind))
    for i, d in enumerate(case.defendants):
        docs.append(texts.arrest_warrant(case, i) if d.arrested else texts.bail_decision(case, i))
    tail = [texts.recommendation(case, rng)]
    if case.not_prosecuted:
        tail.append(texts.non_prosecution(case, rng))
    else:
        tail.append(texts.indictment(case, rng))
        if rng.random() < 0.5:
            tail.append(texts.sentencing_suggestion(case))
        tail.append(texts.judgment(case, rng))
        if rng.random() < 0.15:
            tail.append(texts.ruling(case))
    return docs, tail


def _grow(
    case: SampleCase, rng: random.Random, pages: int, paginate: Paginate
) -> list[tuple[texts.DocumentText, list[SamplePage]]]:
    """Further interrogation sessions, statements and other material, about ``pages`` pages,
    as long real dossiers have them."""
    extra: list[tuple[texts.DocumentText, list[SamplePage]]] = []
    session = 2
    while pages > 0:
        i = rng.randrange(len(case.defendants))
        roll = rng.random()
        if roll < 0.6:
            doc = texts.interrogation(case, i, session, rng, rounds=rng.randint(9, 30))
            session += 1
        elif roll < 0.8:
            person = rng.choice(case.witnesses + case.victims)
            role = "被害人" if person in case.victims else "证人"
            doc = texts.inquiry(case, person, role, rng, rounds=rng.randint(5, 15))
        else:
            doc = texts.other(case, rng, rng.randrange(6))
        sheets = _document_sheets(doc, paginate)
        if len(sheets) > pages + 1:
            continue
        extra.append((doc, sheets))
        pages -= len(sheets)
    return extra


def fast_paginate(body: str, title: str | None, reserve_lines: int) -> list[str]:
    """Pages by character count (the renderer's A4 layout: ~40 characters a line, 37 lines),
    for text-only uses such as training the document classifier, where measuring glyphs
    for every character (``render.paginate_text``) would cost minutes."""
    width, capacity = 38, 37 - reserve_lines - (3 if title else 0)
    pages: list[str] = []
    current: list[str] = []
    used = 0
    for paragraph in body.split("\n"):
        while paragraph:
            lines = max(1, -(-(len(paragraph) + 2) // width))
            if used + lines <= capacity:
                current.append(paragraph)
                used += lines
                paragraph = ""
                continue
            room = (capacity - used) * width - 2
            if room > 0:
                current.append(paragraph[:room])
                paragraph = paragraph[room:]
            pages.append("\n".join(current))
            current, used = [], 0
            capacity = 37 - reserve_lines
    if current or not pages:
        pages.append("\n".join(current))
    return pages


def _case_card(name: str, case: SampleCase) -> CaseCard:
    trial = not case.not_prosecuted
    role = "被告人" if trial else "犯罪嫌疑人"
    persons: list[Person] = []
    measures: list[CoerciveMeasure] = []
    sentences: list[Sentence] = []
    circumstances: list[Circumstance] = []
    for d in case.defendants:
        p = d.person
        persons.append(
            Person(
                name=p.name,
                role=role,
                gender=p.gender,
                birth_date=p.birth_date,
                ethnicity=p.ethnicity,
                id_number_masked=mask_id_number(p.id_number),
                id_number_valid=id_number_is_valid(p.id_number),
            )
        )
        measures.append(CoerciveMeasure(person=p.name, kind="刑事拘留", date=d.detained))
        if d.arrested:
            measures.append(CoerciveMeasure(person=p.name, kind="逮捕", date=d.arrested))
        if d.bail:
            measures.append(CoerciveMeasure(person=p.name, kind="取保候审", date=d.bail))
        circumstances += [Circumstance(person=p.name, kind=c) for c in d.circumstances]  # type: ignore[arg-type]
        if trial:
            sentences.append(
                Sentence(
                    person=p.name,
                    charges=[case.scenario.charge],
                    penalty=case.scenario.penalty,  # type: ignore[arg-type]
                    months=d.months,
                    probation_months=d.probation_months,
                    fine_yuan=float(d.fine_yuan) if d.fine_yuan else None,
                )
            )
    if trial:
        persons += [Person(name=d.lawyer, role="辩护人") for d in case.defendants]
    persons += [
        Person(
            name=v.name,
            role="被害人",
            gender=v.gender,
            birth_date=v.birth_date,
            id_number_masked=mask_id_number(v.id_number),
            id_number_valid=id_number_is_valid(v.id_number),
        )
        for v in case.victims
    ]
    persons += [
        Person(
            name=w.name,
            role="证人",
            gender=w.gender,
            birth_date=w.birth_date,
            id_number_masked=mask_id_number(w.id_number),
            id_number_valid=id_number_is_valid(w.id_number),
        )
        for w in case.witnesses
    ]
    # The statutes of the decision that closes the case: the judgment's 依照 clause, or
    # what the 不起诉决定书 cites when the case ends without a trial.
    statutes = [
        Statute(law=law, article=a, sub=s, paragraph=p, item=i)
        for law, a, s, p, i in (case.statutes() if trial else case.non_prosecution_statutes())
    ]
    return CaseCard(
        dossier_id=name,
        case=Case(
            case_no=case.case_no if trial else None,
            court=case.court if trial else None,
            procuratorate=case.procuratorate,
            indictment_no=canonical_indictment_no(case.indictment_no) if trial else None,
            charges=[case.scenario.charge],
            statutes=statutes,
            persons=persons,
            coercive_measures=measures,
            sentences=sentences,
            circumstances=circumstances,
            amounts_yuan=[float(case.amount_yuan)] if case.amount_yuan else [],
            judgment_date=case.judged if trial else None,
        ),
    )


def make_sample_dossier(
    seed: int,
    *,
    target_pages: int | None = None,
    blank_separators: bool = True,
    paginate: Paginate | None = None,
) -> SampleDossier:
    """A consistent fictitious dossier for ``seed``; ``target_pages`` grows it to about that
    many pages (more transcripts and statements), as the 100- and 300-page benchmarks need.

    ``paginate(body, title, reserve_lines)`` splits a document into page bodies; the default
    is the renderer's, so that the texts are exactly what ``write_sample`` prints.
    """
    paginate = paginate or _paginate
    case = make_case(seed)
    rng = random.Random(seed * 7919 + 1)
    name = f"sample-{seed:05d}"
    investigation, closing = _documents(case, rng)
    return _assemble(name, seed, case, investigation, closing, rng,
                     target_pages=target_pages, blank_separators=blank_separators,
                     paginate=paginate)


def _assemble(
    name: str,
    seed: int,
    case: SampleCase,
    investigation: list[texts.DocumentText],
    closing: list[texts.DocumentText],
    rng: random.Random,
    *,
    target_pages: int | None,
    blank_separators: bool,
    paginate: Paginate,
) -> SampleDossier:
    """Cover, contents, pages and truth around the documents of a dossier."""
    body_docs = investigation + closing
    doc_sheets = [_document_sheets(doc, paginate) for doc in body_docs]
    if target_pages:
        extra = _grow(
            case,
            random.Random(seed * 31 + 7),
            target_pages - 2 - sum(map(len, doc_sheets)),
            paginate,
        )
        at = len(investigation)
        body_docs[at:at] = [doc for doc, _ in extra]
        doc_sheets[at:at] = [pages for _, pages in extra]
    blank_after = {i for i in range(len(body_docs) - 1) if blank_separators and rng.random() < 0.06}
    cover_sheets: list[SamplePage] = []
    contents_sheets: list[SamplePage] = []
    # The contents list page numbers that depend on its own length: iterate until stable.
    cover_title = rng.choice(("刑事侦查卷宗", "刑事诉讼卷宗", "诉讼卷宗"))
    contents_pages = 1
    for _ in range(5):
        page = 2 + contents_pages
        entries = []
        for i, (doc, sheets) in enumerate(zip(body_docs, doc_sheets, strict=True)):
            entries.append((doc.title, page))
            page += len(sheets) + (1 if i in blank_after else 0)
        total = page - 1
        cover_sheets = _document_sheets(texts.cover(case, cover_title, total), paginate)[:1]
        contents_sheets = _document_sheets(texts.contents(entries), paginate)
        if len(contents_sheets) == contents_pages:
            break
        contents_pages = len(contents_sheets)
    sheets: list[SamplePage] = []
    documents: list[DocumentRef] = []

    def add(doc_type: str, title: str, pages: list[SamplePage], blank: bool) -> None:
        first = len(sheets) + 1
        sheets.extend(pages)
        if blank:
            sheets.append(SamplePage(None, ""))
        documents.append(
            DocumentRef(type=doc_type, title=title, pages=(first, len(sheets)), confidence=1.0)
        )  # type: ignore[arg-type]

    add("卷宗封面", cover_title, cover_sheets, False)
    add("卷内目录", "卷内文书目录", contents_sheets, False)
    for i, (doc, doc_pages) in enumerate(zip(body_docs, doc_sheets, strict=True)):
        add(doc.type, doc.title, doc_pages, i in blank_after)
    card = _case_card(name, case)
    card.documents = documents
    return SampleDossier(
        name=name, seed=seed, sheets=sheets, documents=documents, case_card=card, case=case
    )


def _scan_params(rng: random.Random, sheet: SamplePage, degrade: bool) -> dict[str, Any]:
    """How one sheet is spoiled; drawn for every sheet so the draws do not depend on format."""
    turned = rng.random() < 1 / 15 and degrade and not sheet.blank
    return {
        "rotation": rng.choice((90, 180, 270)) if turned else 0,
        "skew_degrees": round(rng.uniform(-1.2, 1.2), 3),
        "blur": round(rng.uniform(0.0, 0.8), 3),
        "noise": round(rng.uniform(2.0, 8.0), 3),
        "jpeg_quality": rng.randint(60, 90),
    }


def _page_images(
    sample: SampleDossier, params: list[dict[str, Any]], seed: int, degrade: bool
) -> Iterator[Image.Image]:
    """Rendered pages one at a time: a 300-page dossier never holds 300 bitmaps."""
    from dossier.samples import render

    for number, (sheet, options) in enumerate(zip(sample.sheets, params, strict=True), 1):
        page_seed = seed * 10007 + number
        if sheet.blank:
            image = render.blank_page(seed=page_seed)
        else:
            image = render.render_text_page(sheet.body, title=sheet.title)
        yield render.degrade(image, seed=page_seed, **options) if degrade else image


def write_sample(
    sample: SampleDossier,
    out_dir: Path,
    fmt: SampleFormat = "pdf",
    *,
    degrade: bool = True,
    seed: int | None = None,
    _rendered: list[Image.Image] | None = None,
) -> Path:
    """Render ``sample`` in ``fmt`` and write ``<name>.<ext>`` and ``<name>.truth.json``.

    ``pdf`` is a scanned (image-only) PDF, ``pdf-text`` a born-digital PDF with a text
    layer (the page texts, no scan), ``tiff`` a multi-page TIFF, ``zip`` a ZIP of page
    PNGs, ``png`` a single page image (one-page samples only). ``degrade`` spoils the
    scans as a scanner does (slight skew, blur, grain, JPEG) and lays about one sheet in
    fifteen turned on the glass; the truth records each page's rotation.
    """
    from dossier.samples import formats

    seed = sample.seed if seed is None else seed
    rng = random.Random(seed * 104729 + 17)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = [_scan_params(rng, sheet, degrade) for sheet in sample.sheets]
    extension = FORMAT_EXTENSIONS[fmt]
    path = out_dir / f"{sample.name}{'-text' if fmt == 'pdf-text' else ''}.{extension}"
    images = (
        iter(_rendered) if _rendered is not None else _page_images(sample, params, seed, degrade)
    )
    if fmt == "pdf":
        formats.write_scanned_pdf(images, path)
    elif fmt == "pdf-text":
        formats.write_text_pdf(sample.pages, path, font_size=TEXT_PDF_FONT_SIZE)
    elif fmt == "tiff":
        formats.write_tiff(images, path)
    elif fmt == "zip":
        formats.write_zip(images, path)
    elif fmt == "png":
        if len(sample.sheets) != 1:
            raise ValueError(
                "a single image holds one page: use a one-page sample or another format"
            )
        formats.write_image(next(images), path)
    else:
        raise ValueError(f"unknown sample format {fmt!r}")
    # One truth file for all scans of a sample (they share pages and rotations), one for
    # the text PDF: <name>.truth.json, <name>-text.truth.json.
    scanned = fmt != "pdf-text"
    truth = sample.truth() | {
        "degraded": degrade and scanned,
        "render_seed": seed,
        "rotations": [p["rotation"] if degrade and scanned else 0 for p in params],
    }
    truth_path = path.with_name(f"{path.stem}.truth.json")
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


KEEP_RENDERED_PAGES = 40  # up to this many pages, render once for all formats


def write_sample_formats(
    sample: SampleDossier,
    out_dir: Path,
    fmts: list[SampleFormat],
    *,
    degrade: bool = True,
    seed: int | None = None,
) -> list[Path]:
    """``write_sample`` for several formats; a short sample is rendered once for all of them,
    a long one again per format (so memory stays at one page)."""
    rendered = None
    scans = [f for f in fmts if f != "pdf-text"]
    if len(scans) > 1 and len(sample.sheets) <= KEEP_RENDERED_PAGES:
        seed_ = sample.seed if seed is None else seed
        rng = random.Random(seed_ * 104729 + 17)
        params = [_scan_params(rng, sheet, degrade) for sheet in sample.sheets]
        rendered = list(_page_images(sample, params, seed_, degrade))
    return [
        write_sample(
            sample,
            out_dir,
            fmt,
            degrade=degrade,
            seed=seed,
            _rendered=rendered if fmt != "pdf-text" else None,
        )
        for fmt in fmts
    ]


def single_page_sample(seed: int) -> SampleDossier:
    """A one-page upload (a photographed 拘留证), for the single-image format.

    Its truth holds only what that page states: the suspect, the charge and the
    detention date.
    """
    full = make_sample_dossier(seed, blank_separators=False)
    warrant = next(d for d in full.documents if d.type == "拘留证")
    sheet = full.sheets[warrant.pages[0] - 1]
    suspect = full.case.defendants[0]
    person = full.case_card.case.persons[0].model_copy(update={"role": "犯罪嫌疑人"})
    name = f"{full.name}-page"
    document = warrant.model_copy(update={"pages": (1, 1)})
    card = CaseCard(
        dossier_id=name,
        case=Case(
            charges=[full.case.scenario.charge],
            persons=[person],
            coercive_measures=[
                CoerciveMeasure(person=suspect.person.name, kind="刑事拘留", date=suspect.detained)
            ],
        ),
        documents=[document],
    )
    return SampleDossier(
        name=name, seed=seed, sheets=[sheet], documents=[document], case_card=card, case=full.case
    )


# ---------------------------------------------------------------- review dossiers

# The defects a review dossier can carry, each with the review point it must raise
# (kind, rule) — what the review evaluation scores against.
PLANTED_DEFECTS: dict[str, tuple[str, str]] = {
    "missing_appraisal": ("review", "evidence_required"),
    "birth_date_mismatch": ("document", "identity_consistent"),
    "amount_below_tier": ("conclusion", "amount_below_tier"),
    "alcohol_below_80": ("conclusion", "alcohol_below_drunk"),
    "indictment_element_missing": ("document", "indictment_elements"),
    "arrest_overdue": ("document", "dates_in_legal_order"),
    "underage": ("conclusion", "age_at_offence"),
    "recidivism_missed": ("conclusion", "recidivism"),
}
# The scenarios a defect can be planted in (charge names of case_facts.SCENARIOS).
_DEFECT_SCENARIOS = {
    "missing_appraisal": ("盗窃罪", "危险驾驶罪", "故意伤害罪", "贩卖毒品罪"),
    "amount_below_tier": ("盗窃罪", "诈骗罪"),
    "alcohol_below_80": ("危险驾驶罪",),
    "underage": ("盗窃罪", "诈骗罪", "开设赌场罪", "寻衅滋事罪"),
    "recidivism_missed": ("盗窃罪", "诈骗罪", "故意伤害罪", "贩卖毒品罪"),
}
# The evidence each scenario's dossier holds beyond the plain samples' documents.
_EXTRA_EVIDENCE = {
    "盗窃罪": ("扣押清单",),
    "危险驾驶罪": ("呼气酒精检测",),
    "开设赌场罪": ("扣押清单",),
    "贩卖毒品罪": ("毒品称量", "扣押清单"),
}


def make_review_dossier(
    seed: int, defect: str | None = None, *, paginate: Paginate | None = None
) -> SampleDossier:
    """A dossier for the review rules: every piece of evidence its charge needs, a
    consistent account, prosecution documents with their elements, and — when ``defect``
    names one of :data:`PLANTED_DEFECTS` — that one defect planted. A clean one (no
    defect) must raise no review point; a defective one exactly the defect's."""
    from dossier.samples.case_facts import REVIEW_SCENARIOS, PriorSentence

    paginate = paginate or fast_paginate
    pick = random.Random(seed * 131 + 5)
    allowed = [s for s in REVIEW_SCENARIOS
               if s.charge in _DEFECT_SCENARIOS.get(defect or "", (s.charge,))]
    scenario = pick.choice(allowed)
    case = make_case(seed, scenario=scenario)
    case.not_prosecuted = False
    if scenario.charge == "危险驾驶罪":
        case.alcohol_mg = pick.randint(40, 79) if defect == "alcohol_below_80" else pick.randint(
            90, 250)
    if scenario.charge == "贩卖毒品罪":
        case.drug_grams = round(pick.uniform(0.2, 8.0), 2)
        for d in case.defendants:
            d.months = min(d.months, 30)
    if defect == "amount_below_tier":
        case.amount_yuan = pick.randint(100, 450) if scenario.charge == "盗窃罪" else pick.randint(
            500, 2900)
    first = case.defendants[0]
    if defect == "underage":
        age = pick.choice((13, 14, 15))
        born = case.offence_date.replace(year=case.offence_date.year - age - 1) + dt.timedelta(
            days=pick.randint(30, 300))
        first.person = replace(first.person, birth_date=born)
        first.circumstances = [c for c in first.circumstances if c != "累犯"]  # a child has none
    if defect == "arrest_overdue":
        first.arrested, first.bail = first.detained + dt.timedelta(days=pick.randint(45, 80)), None
    for d in case.defendants:
        if "累犯" in d.circumstances or (defect == "recidivism_missed" and d is first):
            released = case.offence_date - dt.timedelta(days=pick.randint(200, 1500))
            d.prior = PriorSentence("盗窃罪", 12, released - dt.timedelta(days=365), released)
        if defect == "recidivism_missed" and d is first:
            d.circumstances = [c for c in d.circumstances if c != "累犯"]
            d.probation_months = None
            if (case.offence_date - d.person.birth_date).days < 25 * 366:  # an adult at the prior
                d.person = replace(d.person, birth_date=d.person.birth_date.replace(
                    year=d.person.birth_date.year - 8))
    rng = random.Random(seed * 7919 + 1)
    investigation, closing = _documents(case, rng)
    extra = [texts.evidence_document(case, "户籍证明", i) for i in range(len(case.defendants))]
    extra += [texts.evidence_document(case, k) for k in _EXTRA_EVIDENCE.get(scenario.charge, ())]
    if any(d.prior or "累犯" in d.circumstances for d in case.defendants):
        extra.append(texts.evidence_document(case, "前科材料"))
    investigation += extra
    if defect == "missing_appraisal":
        appraisals = {"价格认定", "血液酒精含量鉴定", "伤情鉴定", "毒品鉴定", "鉴定意见"}
        investigation = [d for d in investigation if d.type not in appraisals]
    if defect == "birth_date_mismatch":
        true = texts.ymd(first.person.birth_date)
        moved = dt.timedelta(days=pick.choice((-400, 31, 62)))
        shifted = texts.ymd(first.person.birth_date + moved)
        for doc in investigation:
            if doc.type == "拘留证" and first.person.name in doc.body:
                doc.body = doc.body.replace(true, shifted)
                break
    if defect == "indictment_element_missing":
        for doc in closing:
            if doc.type == "起诉书":
                doc.body = "\n".join(
                    line for line in doc.body.split("\n") if "移送审查起诉" not in line
                )
    name = f"review-{seed:05d}-{defect or 'clean'}"
    return _assemble(name, seed, case, investigation, closing, rng, target_pages=None,
                     blank_separators=False, paginate=paginate)
