"""Least privilege, tested by trying: each component's MinIO user can do its job and
nothing more, originals survive every attempt to delete or overwrite them, and the flows'
database role writes rows but no DDL. MinIO and PostgreSQL are the test's own."""

from __future__ import annotations

import io
import logging
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from minio import Minio
from minio.error import S3Error
from own_services import own_minio, own_postgres

from dossier import db
from dossier.settings import reset_settings
from dossier.store.minio_store import MinioStore
from infra.access import component_env, make_locked_bucket, provision_minio
from infra.services_env import (
    APP_DATABASE_URL,
    DATABASE_URL,
    MINIO_ACCESS_KEY,
    MINIO_ENDPOINT,
    MINIO_SECRET_KEY,
    PIPELINE_MINIO_ACCESS_KEY,
    PIPELINE_MINIO_SECRET_KEY,
    WATCHER_MINIO_ACCESS_KEY,
    WATCHER_MINIO_SECRET_KEY,
)
from infra.watcher import UploadedObject, watch

pytestmark = [pytest.mark.services, pytest.mark.slow]

ORIGINAL = "originals/d0123456789abcdef/卷宗.pdf"


def _denied(call: Callable[[], object]) -> str:
    with pytest.raises(S3Error) as refused:
        call()
    return refused.value.code


def _client(env: dict[str, str], component: str | None = None) -> Minio:
    view = component_env(env, component) if component else env
    return Minio(env[MINIO_ENDPOINT], access_key=view[MINIO_ACCESS_KEY],
                 secret_key=view[MINIO_SECRET_KEY], secure=False)


def test_minio_users_per_component(
    services_env: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with own_minio(tmp_path / "minio", bucket="dossiers-lp") as minio:
        env = {**minio.env,
               PIPELINE_MINIO_ACCESS_KEY: "pipeline-" + secrets.token_hex(4),
               PIPELINE_MINIO_SECRET_KEY: secrets.token_urlsafe(24),
               WATCHER_MINIO_ACCESS_KEY: "watcher-" + secrets.token_hex(4),
               WATCHER_MINIO_SECRET_KEY: secrets.token_urlsafe(24)}
        bucket, root = "dossiers-locked", _client(env)
        make_locked_bucket(root, bucket)
        provision_minio(env[MINIO_ENDPOINT], env, bucket)

        # The pipeline does its job: originals under retention, stage outputs freely.
        view = component_env(env, "pipeline")
        store = MinioStore(env[MINIO_ENDPOINT], view[MINIO_ACCESS_KEY], view[MINIO_SECRET_KEY],
                           bucket)
        assert store.locked
        store.put_bytes(ORIGINAL, b"%PDF-1.7 the original")
        store.put_bytes("pages/d0123456789abcdef/page-0001.png", b"page")
        store.delete("pages/d0123456789abcdef/page-0001.png")
        pipeline = store.client
        first = pipeline.stat_object(bucket, ORIGINAL).version_id
        retention = pipeline.get_object_retention(bucket, ORIGINAL)
        assert retention.mode == "GOVERNANCE"

        # ... and cannot delete an original, nor destroy its bytes by overwriting it.
        assert _denied(lambda: pipeline.remove_object(bucket, ORIGINAL)) == "AccessDenied"
        assert _denied(lambda: pipeline.remove_object(bucket, ORIGINAL, version_id=first)) \
            == "AccessDenied"
        pipeline.put_object(bucket, ORIGINAL, io.BytesIO(b"forged"), 6)  # around the store
        kept = pipeline.get_object(bucket, ORIGINAL, version_id=first)
        assert kept.read() == b"%PDF-1.7 the original"
        kept.close()
        kept.release_conn()
        assert _denied(lambda: pipeline.remove_object(bucket, ORIGINAL, version_id=first)) \
            == "AccessDenied"
        # Not even root deletes the locked version without bypassing governance.
        assert _denied(lambda: root.remove_object(bucket, ORIGINAL, version_id=first))
        # No bucket administration.
        assert _denied(lambda: pipeline.make_bucket("dossiers-other")) == "AccessDenied"
        assert _denied(lambda: pipeline.delete_bucket_lifecycle(bucket)) == "AccessDenied"
        assert _denied(lambda: pipeline.delete_bucket_policy(bucket)) == "AccessDenied"

        # The watcher reads incoming/ only and writes nothing but its heartbeat.
        watcher = _client(env, "watcher")
        root.put_object(bucket, "incoming/a.pdf", io.BytesIO(b"upload"), 6)
        assert watcher.get_object(bucket, "incoming/a.pdf").read() == b"upload"
        assert _denied(lambda: watcher.get_object(bucket, ORIGINAL)) == "AccessDenied"
        assert _denied(lambda: watcher.put_object(bucket, "incoming/b.pdf",
                                                  io.BytesIO(b"x"), 1)) == "AccessDenied"
        assert _denied(lambda: watcher.remove_object(bucket, "incoming/a.pdf")) \
            == "AccessDenied"
        assert _denied(lambda: list(watcher.list_objects(bucket, prefix="originals/"))) \
            == "AccessDenied"
        assert [o.object_name for o in watcher.list_objects(bucket, prefix="incoming/")] == [
            "incoming/a.pdf"]
        view = component_env(env, "watcher")  # what `dossier watch` opens
        assert not MinioStore(env[MINIO_ENDPOINT], view[MINIO_ACCESS_KEY],
                              view[MINIO_SECRET_KEY], bucket).locked
        seen: list[UploadedObject] = []
        stop = threading.Event()
        thread = threading.Thread(target=watch, args=(watcher, bucket), daemon=True,
                                  kwargs={"emit": lambda o: seen.append(o) or True,
                                          "stop": stop})
        thread.start()
        try:
            time.sleep(3)
            root.put_object(bucket, "incoming/起诉书.pdf", io.BytesIO(b"%PDF"), 4)
            deadline = time.monotonic() + 30
            while not seen and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(timeout=10)
        assert [o.key for o in seen] == ["incoming/起诉书.pdf"]

    secrets_used = [env[k] for k in (MINIO_SECRET_KEY, PIPELINE_MINIO_SECRET_KEY,
                                     WATCHER_MINIO_SECRET_KEY)]
    assert not any(secret in caplog.text for secret in secrets_used)


def test_the_flows_database_role_has_no_ddl(
    services_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from library.test_load import ID_A, SHA_A, card, page
    from library.test_load_faults import manifest_for

    from tasks.library.load import register_dossier
    from tasks.stages.library import load_dossier

    caplog.set_level(logging.DEBUG)
    with own_postgres(tmp_path / "pg", app_role=True) as postgres:
        owner, app = postgres.env[DATABASE_URL], postgres.env[APP_DATABASE_URL]
        db.upgrade(owner)  # migrations: the owner role
        engine = sa.create_engine(app, poolclass=sa.pool.NullPool)
        for ddl in ("CREATE TABLE intruder (id int)", "DROP TABLE cases",
                    "ALTER TABLE dossiers ADD COLUMN extra text", "TRUNCATE pages",
                    "CREATE SCHEMA elsewhere", "CREATE INDEX ON dossiers (filename)",
                    "DROP SCHEMA public CASCADE"):
            with pytest.raises(sa.exc.ProgrammingError) as refused, engine.begin() as c:
                c.execute(sa.text(ddl))
            assert "permission denied" in str(refused.value) or "must be owner" in str(
                refused.value), ddl
        engine.dispose()

        # Rows it writes: a whole load, through the flows' own code path.
        monkeypatch.setenv("DOSSIER_DATABASE_URL", app)
        reset_settings()
        with db.session_scope(app) as session:
            register_dossier(session, dossier_id=ID_A, sha256=SHA_A, filename="卷宗.pdf",
                             size=1000, status="processing")
        pages = [page(ID_A, n) for n in (1, 2)]
        assert load_dossier(manifest_for(), pages, card(ID_A), None, "run")[0] == "ok"
        db.upgrade(app)  # at the head already: nothing to do, so nothing refused
        db.dispose_engines()
    assert postgres.env[APP_DATABASE_URL].split(":")[2].split("@")[0] not in caplog.text
