"""Engine, sessions and the ``dossier db`` commands."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dossier import db
from dossier.commands.db import app
from schemas.tables import Dossier


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    engine = db.get_engine(f"sqlite:///{tmp_path / 'sub' / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "sub" / "x.sqlite3").exists()


def test_one_engine_per_url(tmp_path) -> None:
    first = db.get_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert db.get_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}") is first
    assert db.get_engine(f"sqlite:///{tmp_path / 'b.sqlite3'}") is not first


def test_default_url_comes_from_settings(tmp_path, monkeypatch) -> None:
    from dossier.settings import reset_settings

    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DOSSIER_DATABASE_URL", raising=False)
    reset_settings()
    try:
        assert db.database_url() == f"sqlite:///{tmp_path.resolve() / 'dossier.sqlite3'}"
    finally:
        reset_settings()


def test_masked_url_hides_the_password() -> None:
    assert db.masked_url("postgresql+psycopg://u:s3cret@h:5432/d") == (
        "postgresql+psycopg://u:***@h:5432/d"
    )


def _dossier(dossier_id: str) -> Dossier:
    return Dossier(dossier_id=dossier_id, sha256=dossier_id * 2, filename="卷宗.pdf", size=1)


def test_session_scope_commits_or_rolls_back(migrated_url: str) -> None:
    with db.session_scope(migrated_url) as session:
        session.execute(sa.delete(Dossier))
        session.add(_dossier("kept"))
    with pytest.raises(RuntimeError), db.session_scope(migrated_url) as session:
        session.add(_dossier("lost"))
        session.flush()
        raise RuntimeError("stage failed")
    with db.session_scope(migrated_url) as session:
        ids = session.scalars(sa.select(Dossier.dossier_id)).all()
        assert ids == ["kept"]
        # expire_on_commit=False: a row handed on after commit stays readable.
        row = session.get(Dossier, "kept")
    assert row is not None and row.filename == "卷宗.pdf"
    with db.session_scope(migrated_url) as session:
        session.execute(sa.delete(Dossier))


def test_cli_upgrade_and_current(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    runner = CliRunner()
    behind = runner.invoke(app, ["current", "--url", url])
    assert behind.exit_code == 1 and "behind" in behind.output
    up = runner.invoke(app, ["upgrade", "--url", url])
    assert up.exit_code == 0, up.output
    assert f"at {db.head_revision()}" in up.output
    current = runner.invoke(app, ["current", "--url", url])
    assert current.exit_code == 0 and "up to date" in current.output
    down = runner.invoke(app, ["downgrade", "base", "--url", url])
    assert down.exit_code == 0 and "at base" in down.output
