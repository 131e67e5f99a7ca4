"""`dossier audit --recommendation NUMBER`: an issued 检察建议 against its records.

Its .docx against the recorded sha256, its .txt against the text its stored context
renders, the outbox message against both, and the leads it cites. Tampered with in
the store and in the database, each change is named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from dossier.store.local import LocalStore
from recommendations.helpers import clear, confirm, plant
from schemas.recommendations_tables import Recommendation
from tasks.audit_records import audit_recommendation
from tasks.recommendations.issue import issue_recommendations


def test_an_issued_recommendation_verifies_and_tampering_is_named(
    migrated_url: str, tmp_path: Path
) -> None:
    engine = clear(migrated_url)
    store = LocalStore(tmp_path / "store")
    confirm(engine, plant(engine, "fine_missing", 3, agency="示范市示范区人民法院"))
    [issued] = issue_recommendations(engine, store, issued_on=dt.date(2026, 7, 6)).issued

    def audit():
        with engine.connect() as connection:
            report = audit_recommendation(store, connection, issued.number)
        # Planted leads cite feed rows nobody imported: only those are missing.
        return {(f.kind, f.where) for f in report.findings
                if not f.where.endswith(".records")}, report

    found, report = audit()
    assert not found, report.findings
    assert report.checked["cited leads"] == 3

    store.put_bytes(issued.txt_key, store.get_bytes(issued.txt_key).replace(
        "示范市".encode(), "某某市".encode(), 1))
    with engine.begin() as connection:
        connection.execute(sa.update(Recommendation)
                           .where(Recommendation.number == issued.number).values(lead_count=2))
    store.put_bytes(issued.docx_key, store.get_bytes(issued.docx_key) + b"\0")
    found, report = audit()
    assert not report.ok
    assert found == {("tampered", issued.txt_key), ("tampered", issued.docx_key),
                     ("tampered", f"recommendations[number={issued.number}].lead_count")}
