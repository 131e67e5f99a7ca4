"""The daily deadline notice to each handling department (承办部门), and where it goes.

What an operator can receive here, without mail or chat servers: every notice is a
row of ``case_notifications`` (the outbox: ``dossier notices`` lists the pending ones
and marks them read; a site with a mail or IM gateway can deliver from it) and a
markdown file in the object store (``notices/deadlines/<date>/<部门>.md``), and the
flow's run shows the same rows as a table artifact. One notice per department and
day: a second run that day replaces it and makes it pending again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from dossier.db import write_transaction
from dossier.store.base import ObjectStore
from dossier.store.keys import notice_key
from schemas.case_management_tables import CaseNotification
from tasks.case_management.deadlines import Period

KIND = "deadlines"
STATUS_ZH = {"met": "按期", "met_with_extension": "延长期内", "overrun": "超期",
             "open": "未到期", "in_extension": "已过一般期限（延长期内）", "overdue": "已超期"}


def case_label(period: Period) -> str:
    """The case as a department knows it: its number, else the dossier or police case id."""
    return period.case_no or period.subject


def row(period: Period) -> dict[str, Any]:
    """A table row (artifact, notice, --json): no names but masked ones."""
    return {
        "case": case_label(period), "department": period.department,
        "period": period.rule_name + (f" #{period.sequence}" if period.sequence > 1 else ""),
        "person": period.person or "", "started": period.started.isoformat(),
        "due": period.due.isoformat(),
        "extended_due": period.extended_due.isoformat() if period.extended_due else "",
        "status": STATUS_ZH[period.status],
        "days_left": "" if period.days_left is None else period.days_left,
        "days_late": "" if period.days_late is None else period.days_late,
        "basis": period.basis, "in_custody": period.in_custody,
    }


def notice_markdown(department: str, as_of: dt.date, items: Sequence[Period],
                    within: int) -> str:
    lines = [f"# 办案期限提醒 · {department}", "",
             f"截至 {as_of.isoformat()}：{len(items)} 项期限将在 {within} 日内届满或已届满。", "",
             "| 案件 | 期限 | 对象 | 起算 | 届满 | 延长至 | 状态 | 剩余天数 | 超期天数 | 依据 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for period in items:
        r = row(period)
        lines.append(f"| {r['case']} | {r['period']} | {r['person'] or '—'} | {r['started']} | "
                     f"{r['due']} | {r['extended_due'] or '—'} | {r['status']} | "
                     f"{r['days_left']} | {r['days_late']} | {r['basis']} |")
    lines += ["", "期间计算：开始之日不计算在期间以内；期间的最后一日为节假日的，以节假日后的"
              "第一日为期满日期，但犯罪嫌疑人在押期间应当至期满之日为止（刑事诉讼法第一百零五条）。"]
    return "\n".join(lines) + "\n"


class NoticeSent(BaseModel):
    department: str
    items: int
    key: str
    id: int


def send_notices(engine: sa.Engine, store: ObjectStore, as_of: dt.date,
                 pressing: Sequence[Period], within: int) -> list[NoticeSent]:
    """One notice per department with pressing periods; departments with none get none."""
    by_department: dict[str, list[Period]] = defaultdict(list)
    for period in pressing:
        by_department[period.department or ""].append(period)
    sent = []
    for department, items in sorted(by_department.items()):
        body = notice_markdown(department, as_of, items, within)
        key = notice_key(KIND, as_of.isoformat(), department)
        store.put_bytes(key, body.encode("utf-8"), content_type="text/markdown; charset=utf-8")
        values = {"subject": f"办案期限提醒 {as_of.isoformat()}：{len(items)} 项", "body": body,
                  "items": [row(p) for p in items], "item_count": len(items), "key": key,
                  "status": "pending", "read_at": None, "read_by": None}
        with write_transaction(engine) as connection:
            existing = connection.scalar(
                sa.select(CaseNotification.id).where(CaseNotification.kind == KIND,
                                                     CaseNotification.department == department,
                                                     CaseNotification.as_of == as_of)
                .with_for_update())
            if existing is None:
                existing = connection.execute(sa.insert(CaseNotification).values(
                    kind=KIND, department=department, as_of=as_of, **values)
                    .returning(CaseNotification.id)).scalar_one()
            else:
                connection.execute(sa.update(CaseNotification)
                                   .where(CaseNotification.id == existing).values(**values))
        sent.append(NoticeSent(department=department, items=len(items), key=key, id=existing))
    return sent


def list_notices(connection: sa.Connection, *, department: str | None = None,
                 pending_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
    n = CaseNotification
    query = sa.select(n.id, n.kind, n.department, n.as_of, n.subject, n.item_count, n.status,
                      n.key, n.body, n.read_by).order_by(n.as_of.desc(), n.id.desc()).limit(limit)
    if department:
        query = query.where(n.department == department)
    if pending_only:
        query = query.where(n.status == "pending")
    return [dict(r) for r in connection.execute(query).mappings()]


def mark_read(engine: sa.Engine, ids: Sequence[int], who: str) -> int:
    with engine.begin() as connection:
        done = connection.execute(
            sa.update(CaseNotification).where(CaseNotification.id.in_(list(ids)),
                                              CaseNotification.status == "pending")
            .values(status="read", read_at=dt.datetime.now(dt.UTC), read_by=who))
    return done.rowcount
