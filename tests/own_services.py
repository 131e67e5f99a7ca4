"""A MinIO or PostgreSQL of the test's own, on free ports in a temporary folder.

Fault tests stop and restart these; the shared services other tests use are
never touched. They are started through the same service classes as
``dossier services up`` (the MinIO binary is the cached build).
"""

from __future__ import annotations

import secrets
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infra.context import ServiceContext, ServicePorts
from infra.minio_server import MinioServer
from infra.postgres_server import Postgres
from infra.services_env import (
    APP_DATABASE_URL,
    APP_DB_ROLE,
    BUCKET,
    DATABASE_URL,
    MINIO_ACCESS_KEY,
    MINIO_ENDPOINT,
    MINIO_SECRET_KEY,
    postgres_url,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OwnService:
    service: MinioServer | Postgres
    ctx: ServiceContext
    env: dict[str, str]

    def stop(self) -> None:
        self.service.stop(self.ctx, self.env)

    def start(self) -> None:
        self.service.start(self.ctx, self.env)


def _context(folder: Path, bucket: str) -> ServiceContext:
    ports = ServicePorts(minio_port=free_port(), minio_console_port=free_port(),
                         postgres_port=free_port(), prefect_port=free_port())
    return ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                          cache_dir=Path("~/.cache/dossier").expanduser(), bucket=bucket,
                          ports=ports)


@contextmanager
def own_minio(folder: Path, bucket: str = "dossiers-fault") -> Iterator[OwnService]:
    """``env`` holds the DOSSIER_MINIO_* settings a pipeline needs to use it."""
    ctx = _context(folder, bucket)
    env = {
        MINIO_ENDPOINT: f"{ctx.host}:{ctx.ports.minio_port}",
        MINIO_ACCESS_KEY: "fault-" + secrets.token_hex(4),
        MINIO_SECRET_KEY: secrets.token_urlsafe(24),
        BUCKET: bucket,
    }
    own = OwnService(MinioServer(), ctx, env)
    own.start()
    try:
        yield own
    finally:
        own.stop()


@contextmanager
def own_postgres(folder: Path, app_role: bool = False) -> Iterator[OwnService]:
    """``env[DATABASE_URL]`` is the ``dossier`` database of a cluster of the test's own
    (owner role); with ``app_role``, ``env[APP_DATABASE_URL]`` the flows' role on it."""
    ctx = _context(folder, "unused")
    password = secrets.token_urlsafe(18)
    env = {DATABASE_URL: postgres_url(password, ctx.host, ctx.ports.postgres_port, "dossier",
                                      "psycopg")}
    if app_role:
        env[APP_DATABASE_URL] = postgres_url(secrets.token_urlsafe(18), ctx.host,
                                             ctx.ports.postgres_port, "dossier", "psycopg",
                                             APP_DB_ROLE)
    own = OwnService(Postgres(), ctx, env)
    try:
        own.start()
        yield own
    finally:
        own.stop()
        cluster = ctx.services_dir / "postgres"
        if cluster.is_symlink():  # relocated where the postgres user can reach it
            shutil.rmtree(cluster.resolve(), ignore_errors=True)
