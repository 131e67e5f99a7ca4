"""Target databases for delivery tests: the case-management system's stand-ins.

* :func:`second_database` — a database of its own on the real local PostgreSQL (made
  and dropped through the cluster's superuser socket, as ``services up`` provisions).
* :func:`throwaway_postgres` — a PostgreSQL cluster of its own on free ports (the
  same service class as ``dossier services up``), which a test may stop and start.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from infra.context import ServiceContext, ServicePorts
from infra.services_env import DATABASE_URL, TEST_DATABASE_URL, ensure_services_env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _superuser(cluster_root: Path, port: int):
    import psycopg

    return psycopg.connect(host=str(cluster_root.resolve() / "run"), port=port, user="postgres",
                           dbname="postgres", autocommit=True)


@contextmanager
def second_database(real_data_dir: Path, services_env: dict[str, str],
                    name: str | None = None) -> Iterator[str]:
    """A fresh database (owner: the application role) on the shared local PostgreSQL."""
    from psycopg import sql

    base = sa.make_url(services_env[TEST_DATABASE_URL])
    name = name or f"dossier_cms_{os.getpid()}"
    root = real_data_dir / "services" / "postgres"
    with _superuser(root, base.port) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(base.username)))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with _superuser(root, base.port) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@dataclass
class ThrowawayPostgres:
    ctx: ServiceContext
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.env[DATABASE_URL]

    def stop(self) -> None:
        from infra.postgres_server import SERVICE

        SERVICE.stop(self.ctx, self.env)

    def start(self) -> None:
        from infra.postgres_server import SERVICE

        SERVICE.start(self.ctx, self.env)


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[ThrowawayPostgres]:
    """A cluster under ``folder`` on free ports, removed afterwards."""
    ports = ServicePorts(minio_port=_free_port(), minio_console_port=_free_port(),
                         postgres_port=_free_port(), prefect_port=_free_port())
    ctx = ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                         cache_dir=folder / "cache", bucket="unused", ports=ports)
    env = ensure_services_env(ctx)
    cluster = ThrowawayPostgres(ctx, env)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        root = ctx.services_dir / "postgres"
        shutil.rmtree(root.resolve(), ignore_errors=True)  # relocated clusters too
        if root.is_symlink():
            root.unlink()
