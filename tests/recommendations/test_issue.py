"""Confirmed leads → numbered 检察建议书 in the store, rows and outbox; reruns write nothing.

On SQLite and on the real PostgreSQL (a schema of this module's own).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from dossier.store.local import LocalStore
from recommendations.helpers import MASKED_ID, clear, confirm, plant
from schemas.leads_tables import Lead, LeadHistory
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationEvent,
    RecommendationLead,
    RecommendationOutbox,
    RecommendationSequence,
)
from tasks.recommendations.issue import issue_recommendations

COURT = "示范市示范区人民法院"
ISSUED = dt.date(2026, 7, 6)
SECTIONS = ["一、问题来源", "二、查明的事实", "三、原因分析", "四、法律依据", "五、检察建议",
            "六、回复要求"]
ID_SHAPED = re.compile(r"\d{6}[\d*]{8,11}[\dXx*]")


def _counts(engine: sa.Engine) -> dict[str, int]:
    tables = (Recommendation, RecommendationLead, RecommendationEvent, RecommendationOutbox,
              LeadHistory)
    with engine.connect() as connection:
        counts = {t.__tablename__: connection.scalar(sa.select(sa.func.count()).select_from(t))
                  for t in tables}
        counts["serial"] = connection.scalar(sa.select(sa.func.max(
            RecommendationSequence.last_serial))) or 0
    return counts


def _docx_text(data: bytes) -> tuple[list[str], list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    rows = [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]
    return [p.text for p in document.paragraphs], rows


def test_confirmed_leads_become_numbered_recommendations(migrated_url: str,
                                                         tmp_path: Path) -> None:
    engine = clear(migrated_url)
    store = LocalStore(tmp_path / "store")
    fines = plant(engine, "fine_missing", 12, agency=COURT)
    detentions = plant(engine, "detention_overdue", 3)
    unconfirmed = plant(engine, "detention_overdue", 1, start=50)
    confirm(engine, fines + detentions)

    report = issue_recommendations(engine, store, issued_on=ISSUED)

    assert len(report.drafted) == 2 and not report.withdrawn
    numbers = sorted(i.number for i in report.issued)
    assert numbers == ["示范检刑执建〔2026〕1号", "示范检刑执建〔2026〕2号"]
    by_model = {i.model_id: i for i in report.issued}
    fine_rec = by_model["fine_missing"]
    assert fine_rec.recipient == COURT and fine_rec.lead_count == 12
    assert by_model["detention_overdue"].recipient == "示范市示范区公安局"  # no agency named
    assert fine_rec.reply_due_date == dt.date(2026, 9, 6)
    assert fine_rec.docx_key == f"recommendations/{fine_rec.number}/{fine_rec.number}.docx"

    paragraphs, rows = _docx_text(store.get_bytes(fine_rec.docx_key))
    assert paragraphs[:3] == ["示范市示范区人民检察院", "检察建议书", fine_rec.number]
    assert f"{COURT}：" in paragraphs
    positions = [paragraphs.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    facts = paragraphs[positions[1]:positions[2]]
    assert sum(p.startswith("（") for p in facts) == 10  # ten in the body …
    assert "其余2件案件详见附件案件清单。" in facts  # … the rest in the attachment
    cited = {row[1] for row in rows[1:]}
    assert cited == {f"(2026)示0101刑初{n}号" for n in range(1, 13)}  # every case
    basis = paragraphs[positions[3] + 1]
    assert "《中华人民共和国刑法》第五十二条" in basis  # the model's law
    assert "《人民检察院检察建议工作规定》第九条" in basis
    assert "《中华人民共和国人民检察院组织法》第二十一条" in basis
    suggestions = paragraphs[positions[4] + 1:positions[5]]
    assert [p[:3] for p in suggestions] == ["（一）", "（二）", "（三）"]
    assert "两个月以内" in paragraphs[positions[5] + 1]
    assert paragraphs[positions[5] + 3:positions[5] + 6] == [
        "示范市示范区人民检察院", "二〇二六年七月六日", "（院印）"]
    text = store.get_bytes(fine_rec.txt_key).decode("utf-8")
    everything = "\n".join([*paragraphs, *(c for r in rows for c in r), text])
    assert MASKED_ID not in everything and not ID_SHAPED.search(everything)
    assert all(s in text for s in SECTIONS) and fine_rec.number in text
    assert "某某" in text  # the person, as the document names them

    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.select(Lead.id, Lead.status)).all())
        outbox = connection.execute(sa.select(RecommendationOutbox.idempotency_key,
                                              RecommendationOutbox.status)).all()
        referred = connection.execute(
            sa.select(LeadHistory.actor, LeadHistory.note)
            .where(LeadHistory.lead_id == fines[0], LeadHistory.to_status == "referred")).one()
    assert {statuses[i] for i in fines + detentions} == {"referred"}
    assert statuses[unconfirmed[0]] == "new"
    assert sorted(outbox) == [(n, "pending") for n in numbers]
    assert referred.note == f"cited in {fine_rec.number}"

    # A rerun: nothing to draft, nothing to issue, nothing written.
    before, keys = _counts(engine), sorted(o.key for o in store.list(""))
    again = issue_recommendations(engine, store, issued_on=ISSUED + dt.timedelta(days=1))
    assert (again.drafted, again.issued, again.withdrawn) == ([], [], [])
    assert _counts(engine) == before
    assert sorted(o.key for o in store.list("")) == keys

    # A lead confirmed later gets a recommendation of its own, with the next number.
    confirm(engine, unconfirmed)
    later = issue_recommendations(engine, store, issued_on=ISSUED)
    assert [i.number for i in later.issued] == ["示范检刑执建〔2026〕3号"]
    assert later.issued[0].lead_count == 1


def test_a_draft_whose_lead_moved_is_withdrawn_and_uses_no_number(
    migrated_url: str, tmp_path: Path
) -> None:
    from tasks.recommendations.aggregate import draft_recommendations
    from tasks.supervision.leads import set_status

    engine = clear(migrated_url)
    store = LocalStore(tmp_path / "store")
    leads = plant(engine, "bail_overdue", 2)
    confirm(engine, leads)
    (draft,) = draft_recommendations(engine)
    with engine.begin() as connection:  # a reviewer takes one back before issuing
        set_status(connection, leads[0], "under_review", actor="tester", note="再核实")
    report = issue_recommendations(engine, store, issued_on=ISSUED)
    assert report.withdrawn == [draft]
    # The still-confirmed lead is drafted again alone, in the same run, and takes number 1.
    assert [(i.number, i.lead_count) for i in report.issued] == [("示范检刑执建〔2026〕1号", 1)]
    assert len(list(store.list("recommendations/"))) == 2  # its .docx and .txt, nothing else
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(Recommendation)) == 1
        assert connection.scalar(sa.select(sa.func.max(RecommendationSequence.last_serial))) == 1
        status = connection.scalar(sa.select(Lead.status).where(Lead.id == leads[0]))
    assert status == "under_review"


@pytest.mark.parametrize("abbr", ["京 朝/区"])
def test_numbers_with_odd_settings_stay_key_safe(abbr: str) -> None:
    from dossier.store.keys import recommendation_key
    from tasks.recommendations.numbering import format_number

    number = format_number(abbr, "刑执", 2026, 7)
    assert number == "京 朝/区检刑执建〔2026〕7号"
    assert recommendation_key(number) == ("recommendations/京_朝_区检刑执建〔2026〕7号/"
                                          "京_朝_区检刑执建〔2026〕7号.docx")
