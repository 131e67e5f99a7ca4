"""The command line of review and follow-up, on the embedded default (SQLite, local store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from dossier.cli import app
from dossier.db import get_engine
from recommendations.helpers import MASKED_ID, plant
from schemas.leads_tables import LeadHistory
from tasks.recommendations.dates import add_months, local_today
from tasks.stages.library import ensure_schema

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_review_issue_and_follow_up_from_the_command_line(tmp_path: Path) -> None:
    ensure_schema()
    engine = get_engine()
    a, b, c = plant(engine, "corrections_missed", 3)
    (d,) = plant(engine, "dui_no_licence_revocation", 1)

    listed = json.loads(_run("leads", "list", "--json"))
    assert [x["id"] for x in listed] == [a, b, c, d]  # high severity first (both high), by id
    assert all(x["version"] == 1 and x["status"] == "new" for x in listed)
    assert "corrections_missed" in _run("leads", "list", "--model", "corrections_missed")
    assert "dui_no" not in _run("leads", "list", "--model", "corrections_missed")
    assert MASKED_ID[:6] in listed[0]["explanation"]  # masked as the model wrote it

    out = _run("leads", "confirm", f"{a}@1", str(b), "--note", "未按期报到属实", "--by", "李检察官")
    assert out.count("decided") == 2
    refused = _run("leads", "dismiss", f"{c}@2", str(a), "--note", "x", code=1)
    assert f"{c}: stale" in refused and f"{a}: not_pending" in refused
    _run("leads", "dismiss", str(d), "--note", "已吊销")
    shown = _run("leads", "show", str(a))
    assert "李检察官 via cli" in shown and "未按期报到属实" in shown
    with engine.connect() as connection:
        moves = connection.execute(sa.select(LeadHistory.to_status, LeadHistory.version)
                                   .where(LeadHistory.lead_id == a).order_by(LeadHistory.id)).all()
    assert [tuple(m) for m in moves] == [("new", 1), ("under_review", 1), ("confirmed", 1)]
    assert json.loads(_run("leads", "list", "--status", "dismissed", "--json"))[0]["id"] == d

    today = local_today()  # received/reply dates are checked against the real today
    issued_on, received_on = today - dt.timedelta(days=10), today - dt.timedelta(days=6)
    due = add_months(received_on, 2)
    issued = _run("recommendations", "issue", "--date", issued_on.isoformat())
    number = f"示范检刑执建〔{issued_on.year}〕1号"
    assert "issued 1" in issued and number in issued and "示范市示范区司法局" in issued
    text = _run("recommendations", "show", number)
    assert text.startswith("示范市示范区人民检察院\n检察建议书\n" + number)
    assert "附件：案件清单（共2件）" in text

    _run("recommendations", "received", number, "--date", received_on.isoformat())
    (rec,) = json.loads(_run("recommendations", "list", "--json"))
    assert (rec["status"], rec["reply_due_date"], rec["delivered"]) == (
        "issued", due.isoformat(), False)
    assert "0 newly overdue" in _run("recommendations", "follow-up", "--as-of", due.isoformat())
    after = (due + dt.timedelta(days=1)).isoformat()
    assert number in _run("recommendations", "follow-up", "--as-of", after)
    overdue = _run("recommendations", "list", "--overdue", "--as-of",
                   (due + dt.timedelta(days=10)).isoformat())
    assert number in overdue and "10 days overdue" in overdue

    reply = tmp_path / "回复.txt"
    reply.write_text("我局已对两名社区矫正对象落实监管措施。", encoding="utf-8")
    replied_on = (due + dt.timedelta(days=5)).isoformat()
    assert "(late)" in _run("recommendations", "reply", number, "--date", replied_on,
                            "--text-file", str(reply), "--by", "内勤")
    (rec,) = json.loads(_run("recommendations", "list", "--json"))
    assert (rec["status"], rec["replied_date"]) == ("replied", replied_on)
    assert "no overdue" in _run("recommendations", "list", "--overdue")
    again = _run("recommendations", "reply", number, "--date", replied_on, "--text-file",
                 str(reply), code=1)
    assert "replied" in again
    assert "DOSSIER_RECOMMENDATION_TARGET_URL" in _run("recommendations", "deliver", code=2)
