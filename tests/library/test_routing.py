"""Routing (分流) end to end on both databases: quality verdicts decide what is trusted.

A clean dossier loads as ``ok`` with a trusted case; a critical quality failure or
a failed page holds the case and puts the dossier in the review queue with its
reason; a warning alone loads trusted. Real GX validation, real databases.
"""

from __future__ import annotations

import pytest
from quality.conftest import gx_project, make_card, make_documents, make_pages  # noqa: F401
from sqlalchemy.orm import Session

from dossier.settings import reset_settings
from schemas.case_card import CaseCard
from schemas.manifest import Manifest
from schemas.tables import Case, Dossier
from tasks.library.load import register_dossier
from tasks.library.review_queue import review_queue
from tasks.quality.validate import validate_dossier
from tasks.stages.library import load_dossier

pytestmark = pytest.mark.usefixtures("gx_project")


@pytest.fixture
def library(migrated_url: str, session: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """The module's database as the configured library (what the load stage writes to)."""
    monkeypatch.setenv("DOSSIER_DATABASE_URL", migrated_url)
    reset_settings()
    return session


def _ingest(
    dossier_id: str, card: CaseCard, *, failed_page: bool = False
) -> tuple[str, str, str]:
    pages = [p.model_copy(update={"dossier_id": dossier_id}) for p in make_pages()]
    if failed_page:
        pages[1] = pages[1].model_copy(update={"status": "failed", "text": "", "chars": 0,
                                               "error": "TimeoutError"})
    card = card.model_copy(update={"dossier_id": dossier_id})
    from dossier.db import session_scope

    with session_scope() as s:
        register_dossier(s, dossier_id=dossier_id, sha256=dossier_id * 4, filename="张三卷宗.pdf",
                         size=1, status="processing")
    report = validate_dossier(pages, make_documents(), card, len(pages))
    manifest = Manifest(dossier_id=dossier_id, sha256=dossier_id * 4, filename="x.pdf", size=1)
    status, reason = load_dossier(manifest, pages, card, report, flow_run_id=None)
    return status, reason or "", report.verdict


def _state(session: Session, dossier_id: str) -> tuple[str, str]:
    session.expire_all()
    dossier = session.get(Dossier, dossier_id)
    case = session.query(Case).filter_by(dossier_id=dossier_id).one()
    return dossier.status, case.review_state


def test_clean_dossier_is_trusted(library: Session) -> None:
    assert _ingest("dclean", make_card())[::2] == ("ok", "pass")
    assert _state(library, "dclean") == ("ok", "trusted")
    assert review_queue(library) == []


def test_critical_failure_holds_the_case(library: Session) -> None:
    card = make_card()
    broken = card.case.sentences[0].model_copy(update={"months": 400})  # > 300: critical
    card.case.sentences = [broken, *card.case.sentences[1:]]
    status, reason, _ = _ingest("dbad", card)
    assert status == "needs_review" and "months_in_range" in reason
    assert _state(library, "dbad") == ("needs_review", "held")
    queue = review_queue(library)
    assert [q.dossier_id for q in queue] == ["dbad"]
    assert "case_card.months_in_range" in queue[0].critical_checks
    assert "张三" not in queue[0].filename_masked


def test_failed_page_holds_the_case(library: Session) -> None:
    status, reason, _ = _ingest("dpage", make_card(), failed_page=True)
    assert status == "needs_review" and "pages failed: 2" in reason
    assert _state(library, "dpage") == ("needs_review", "held")


def test_warning_alone_loads_trusted(library: Session) -> None:
    card = make_card()
    card.case.indictment_no = "起诉书第七号"  # not the 检…诉〔year〕N号 form: a warning only
    status, _, verdict = _ingest("dwarn", card)
    assert (status, verdict) == ("ok", "warn")
    assert _state(library, "dwarn") == ("ok", "trusted")
