"""One GX context for the whole session: importing GX and opening the project
costs seconds. The session works on a copy of ``expectations/`` so runs never
write results (or a test's extra suite) into the checkout."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from schemas.case_card import (
    Case,
    CaseCard,
    CoerciveMeasure,
    DocumentRef,
    Person,
    Sentence,
    Statute,
)
from schemas.ocr import PageOcr
from tasks.quality import context

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"

# Text from a real first-instance judgment header (JuDGE, MIT licence); the name is
# the one the dataset publishes and only ever appears in fixtures.
PAGE_TEXT = (
    "上海市长宁区人民法院刑事判决书（2018）沪0105刑初655号公诉机关上海市长宁区人民检察院。"
    "被告人安旭，男，1990年1月1日出生，汉族。因涉嫌犯盗窃罪于2018年3月1日被刑事拘留，"
)
DEFENDANT = "安旭"


@pytest.fixture(scope="session")
def gx_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("gx") / "expectations"
    shutil.copytree(
        REPO / "expectations", copy, ignore=shutil.ignore_patterns("uncommitted")
    )
    context.use_project(copy)
    context.gx_context()
    yield copy
    context.use_project(context.DEFAULT_PROJECT_DIR)


def make_pages(n: int = 4) -> list[PageOcr]:
    return [
        PageOcr(
            dossier_id="d-test",
            page=i,
            source="ocr",
            engine="rapidocr",
            status="ok",
            text=PAGE_TEXT,
            chars=len(PAGE_TEXT),
            mean_confidence=0.95,
        )
        for i in range(1, n + 1)
    ]


def make_documents() -> list[DocumentRef]:
    return [
        DocumentRef(type="起诉书", title="起诉书", pages=(1, 2), confidence=0.9),
        DocumentRef(type="判决书", title="刑事判决书", pages=(3, 4), confidence=0.85),
    ]


def make_card() -> CaseCard:
    return CaseCard(
        dossier_id="d-test",
        case=Case(
            case_no="（2018）沪0105刑初655号",
            court="上海市长宁区人民法院",
            procuratorate="上海市长宁区人民检察院",
            indictment_no="沪长检诉刑诉［2018］600号",
            charges=["盗窃罪"],
            statutes=[Statute(article=264), Statute(article=67, paragraph=3)],
            persons=[
                Person(
                    name=DEFENDANT,
                    role="被告人",
                    gender="男",
                    birth_date=dt.date(1990, 1, 1),
                    id_number_masked="310105**********1X",
                    id_number_valid=True,
                ),
                Person(name="李某某", role="被害人"),
            ],
            coercive_measures=[
                CoerciveMeasure(person=DEFENDANT, kind="刑事拘留", date=dt.date(2018, 3, 1)),
                CoerciveMeasure(person=DEFENDANT, kind="逮捕", date=dt.date(2018, 3, 20)),
            ],
            sentences=[
                Sentence(
                    person=DEFENDANT, charges=["盗窃罪"], penalty="有期徒刑", months=6,
                    fine_yuan=2000,
                )
            ],
            judgment_date=dt.date(2018, 8, 1),
        ),
        documents=make_documents(),
    )


@pytest.fixture()
def dossier() -> dict:
    """A dossier every gate passes: fresh objects, so a test may mutate them."""
    return {"pages": make_pages(), "documents": make_documents(), "card": make_card(),
            "page_count": 4}
