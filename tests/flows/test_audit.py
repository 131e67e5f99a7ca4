"""``dossier audit``: a dossier's chain verified, tampering with an object and a row named.

One born-digital dossier goes through the whole ingest flow (ephemeral API, SQLite,
local store). Its audit passes, with the flow and task run of every stage and a
lineage row (with its task run) for every recorded output, the stages after the
load included. Then a stored object (the review stage's output) is rewritten behind
the store's back and a library row is edited: the audit exits 1 and names both.
The same objects copied into a MinIO bucket verify there too, and an object
overwritten with the raw client is named.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from minio_buckets import temporary_bucket_store
from typer.testing import CliRunner

from dossier.cli import app
from dossier.db import session_scope
from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.store import get_store
from dossier.store.local import LocalStore
from schemas.tables import Case, Lineage
from tasks.audit import audit_dossier

pytestmark = pytest.mark.slow


def _audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args])
    return result.exit_code, result.output


def test_audit_verifies_the_chain_and_names_what_was_tampered_with(
    tmp_path: Path, services_env: dict[str, str]
) -> None:
    from flows.ingest_dossier import ingest_dossier

    texts = [t for t in make_sample_dossier(5).pages if t][-2:]
    outcome = ingest_dossier(path=str(formats.write_text_pdf(texts, tmp_path / "卷.pdf")))
    dossier_id = outcome.dossier_id
    assert outcome.status in ("ok", "needs_review"), outcome

    code, output = _audit(dossier_id, "--json")
    assert code == 0, output
    report = json.loads(output)
    stages = {s["stage"]: s for s in report["stages"]}
    assert list(stages)[:3] == ["retrieve", "ocr", "structure"]
    assert {"load", "supervise", "suggest", "review"} <= set(stages)
    for stage in stages.values():  # every stage says which run did it, and with what code
        assert stage["flow_run_id"] and stage["task_run_id"] and stage["code_version"], stage
        assert all(o["ok"] for o in stage["outputs"])
    assert {c["table"] for c in report["library"]} >= {"dossiers", "pages", "cases", "persons",
                                                       "documents"}
    assert all(c["ok"] for c in report["library"]), report["library"]
    with session_scope() as session:
        rows = session.execute(sa.select(Lineage.stage, Lineage.key, Lineage.task_run_id)
                               .where(Lineage.dossier_id == dossier_id)).all()
    assert {"supervise", "suggest", "review"} <= {r.stage for r in rows}
    assert all(r.task_run_id for r in rows)
    code, text = _audit(dossier_id)
    assert code == 0 and "audit: every hash verified" in text, text

    # The same objects in MinIO verify there too (the library rows are the same).
    local = get_store()
    assert isinstance(local, LocalStore)
    with temporary_bucket_store(services_env, "test-audit") as minio:
        for info in local.list(""):
            minio.put_bytes(info.key, local.get_bytes(info.key))
        with session_scope() as session:
            assert audit_dossier(minio, session, dossier_id).ok
        review_key = f"review/{dossier_id}.json"
        forged = minio.get_bytes(review_key).replace(b"{", b"{ ", 1)
        minio.client.put_object(minio.bucket, review_key, io.BytesIO(forged),
                                len(forged))
        with session_scope() as session:
            findings = audit_dossier(minio, session, dossier_id).findings
        assert [(f.kind, f.where) for f in findings] == [("tampered", review_key)]

    # Tampering in the local store (the file rewritten, its sidecar left) and in a row.
    path = local._object_path(f"review/{dossier_id}.json")
    data = path.read_bytes()
    path.unlink()  # a new inode: the store's other names of these bytes stay as they were
    path.write_bytes(data.replace(b"{", b"{ ", 1))
    with session_scope() as session:
        session.execute(sa.update(Case).where(Case.dossier_id == dossier_id)
                        .values(court="某某人民法院"))
    code, text = _audit(dossier_id)
    assert code == 1, text
    assert f"TAMPERED: [review] review/{dossier_id}.json" in text
    assert "TAMPERED: [load] cases.court" in text
    assert "某某" not in text  # findings name columns, never values
    code, output = _audit("d0000000000000000")
    assert code == 2
