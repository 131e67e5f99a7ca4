"""A PostgreSQL cluster of our own under ``data/services/postgres``.

Debian's binaries, our data directory: no system cluster or service manager is
touched. initdb refuses to run as root, so as root the cluster belongs to the
``postgres`` system user. The unix socket sits inside the 0700 cluster folder,
so "trust" on it admits only that user and root — which lets ``up`` repair the
application role without any admin password. TCP is loopback only, scram.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from infra import system_packages
from infra.access import grant_app_rows, provision_app_role
from infra.context import ServiceContext
from infra.health import postgres_error
from infra.processes import ServiceError, ensure_port_free, live_pid, log_tail
from infra.services import Service, ServiceStatus
from infra.services_env import (
    APP_DATABASE_URL,
    DATABASE_URL,
    DATABASES,
    DB_ROLE,
    app_database_password,
    database_password,
    postgres_url,
)

LIBRARY_DATABASES = ("dossier", "dossier_test")  # the flows' role works in these

log = logging.getLogger("infra.services")

SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes


def bin_dir() -> Path | None:
    """Debian keeps initdb/pg_ctl off PATH, under /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


@dataclass(frozen=True)
class Layout:
    root: Path  # services_dir/postgres, 0700, owned by the cluster's user

    @property
    def pgdata(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"


def _as_postgres() -> bool:
    return os.geteuid() == 0


def _run_as(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--", *argv] if _as_postgres() else argv


def _chown_tree(path: Path) -> None:
    if not _as_postgres():
        return
    entry = pwd.getpwnam(SUPERUSER)
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid)


def _reachable_by_postgres(path: Path) -> bool:
    if not _as_postgres():
        return True
    probe = subprocess.run(_run_as(["test", "-w", str(path)]), check=False)
    return probe.returncode == 0


def _layout(ctx: ServiceContext) -> Layout:
    """The cluster folder; relocated (symlinked) when the postgres user cannot reach it.

    Checkouts under /root are closed to other users, and a deep path overflows
    the unix socket name; then the cluster lives in the postgres user's home.
    """
    root = ctx.services_dir / "postgres"
    if root.is_symlink() or (root / "data" / "PG_VERSION").exists():
        return Layout(root.resolve())
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    _chown_tree(root)
    socket_file = root / "run" / f".s.PGSQL.{ctx.ports.postgres_port}"
    if _reachable_by_postgres(root) and len(str(socket_file)) <= _SOCKET_PATH_MAX:
        return Layout(root)
    home = Path(pwd.getpwnam(SUPERUSER).pw_dir) if _as_postgres() else Path.home()
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    target = home / "dossier-clusters" / digest
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    _chown_tree(target.parent)
    shutil.rmtree(root)
    root.symlink_to(target, target_is_directory=True)
    log.info("postgres: cluster kept in %s (linked from %s)", target, root)
    return Layout(target)


class Postgres(Service):
    name = "postgres"
    requires = ("system",)

    def address(self, ctx: ServiceContext) -> str:
        return f"{ctx.host}:{ctx.ports.postgres_port}"

    def _pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(ctx.services_dir / "postgres" / "data" / "postmaster.pid", "postgres")

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        pid = self._pid(ctx)
        address = self.address(ctx)
        if pid is None:
            return ServiceStatus(self.name, "down", None, address, "not running")
        if DATABASE_URL not in env:
            return ServiceStatus(self.name, "unhealthy", pid, address, "no services.env")
        error = postgres_error(env[DATABASE_URL])
        if error:
            return ServiceStatus(self.name, "unhealthy", pid, address, error)
        if env.get(APP_DATABASE_URL) and postgres_error(env[APP_DATABASE_URL]):
            return ServiceStatus(self.name, "unhealthy", pid, address,
                                 "the flows' role dossier_app cannot log in")
        return ServiceStatus(self.name, "up", pid, address, "databases " + ", ".join(DATABASES))

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        binaries = self._binaries()
        layout = _layout(ctx)
        if not (layout.pgdata / "PG_VERSION").exists():
            self._initdb(binaries, layout)
        self._configure(ctx, layout)
        if self._pid(ctx) is None:
            ensure_port_free(ctx.host, ctx.ports.postgres_port, "postgres", "DOSSIER_POSTGRES_PORT")
            self._pg_ctl_start(binaries, layout)
        self._provision(ctx, layout, database_password(env), app_database_password(env))

    def repair(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        """Roles and grants again on the running cluster (a services.env that gained
        the flows' role, a password rotated in it)."""
        if self._pid(ctx) is not None and env.get(DATABASE_URL):
            self._provision(ctx, _layout(ctx), database_password(env),
                            app_database_password(env))

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        if self._pid(ctx) is None:
            return
        binaries = self._binaries()
        layout = _layout(ctx)
        argv = [str(binaries / "pg_ctl"), "-D", str(layout.pgdata), "-m", "fast", "-w"]
        subprocess.run(_run_as([*argv, "stop"]), check=False, capture_output=True)

    def _binaries(self) -> Path:
        found = bin_dir()
        if found is None:
            system_packages.apt_install(["postgresql"])
            found = bin_dir()
        if found is None:
            raise ServiceError("initdb not found even after installing postgresql")
        return found

    def _initdb(self, binaries: Path, layout: Layout) -> None:
        log.info("postgres: initdb %s", layout.pgdata)
        layout.pgdata.mkdir(parents=True, exist_ok=True)
        _chown_tree(layout.root)
        argv = [
            str(binaries / "initdb"),
            "-D", str(layout.pgdata),
            "-U", SUPERUSER,
            "-E", "UTF8",
            "--no-locale",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ]  # fmt: skip
        result = subprocess.run(_run_as(argv), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServiceError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _configure(self, ctx: ServiceContext, layout: Layout) -> None:
        """Our settings in an included file, rewritten every start; pg_hba likewise."""
        layout.socket_dir.mkdir(exist_ok=True)
        conf = layout.pgdata / "postgresql.conf"
        include = "include_if_exists = 'dossier.conf'"
        text = conf.read_text(encoding="utf-8")
        if include not in text:
            conf.write_text(text + f"\n{include}\n", encoding="utf-8")
        (layout.pgdata / "dossier.conf").write_text(
            f"listen_addresses = '{ctx.host}'\n"
            f"port = {ctx.ports.postgres_port}\n"
            f"unix_socket_directories = '{layout.socket_dir}'\n"
            "password_encryption = 'scram-sha-256'\n",
            encoding="utf-8",
        )
        (layout.pgdata / "pg_hba.conf").write_text(
            "# socket: inside the 0700 cluster folder, so only its owner and root reach it\n"
            "local all all trust\n"
            f"host all all {ctx.host}/32 scram-sha-256\n",
            encoding="utf-8",
        )
        _chown_tree(layout.root)

    def _pg_ctl_start(self, binaries: Path, layout: Layout) -> None:
        log.info("postgres: starting")
        argv = [
            str(binaries / "pg_ctl"),
            "-D", str(layout.pgdata),
            "-l", str(layout.log),
            "-w", "-t", "60",
            "start",
        ]  # fmt: skip
        result = subprocess.run(_run_as(argv), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServiceError(f"pg_ctl start failed: {result.stdout}{log_tail(layout.log)}")

    def _provision(
        self, ctx: ServiceContext, layout: Layout, password: str, app_password: str | None
    ) -> None:
        """Role ``dossier`` with the services.env password, its databases, pg_trgm for
        Prefect; the flows' role ``dossier_app`` (rows, no DDL) when services.env has one."""
        import psycopg
        from psycopg import sql

        url = postgres_url(password, ctx.host, ctx.ports.postgres_port, "dossier", "psycopg")
        admin = psycopg.connect(
            host=str(layout.socket_dir),
            port=ctx.ports.postgres_port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
        )
        with admin:
            role = sql.Identifier(DB_ROLE)
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (DB_ROLE,))
            if exists.fetchone() is None:
                admin.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password))
                )
            for database in DATABASES:
                found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if found.fetchone() is None:
                    log.info("postgres: creating database %s", database)
                    admin.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(database), role
                        )
                    )
            if postgres_error(url) is not None:
                log.info("postgres: setting the password of role %s from services.env", DB_ROLE)
                admin.execute(
                    sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password))
                )
            if app_password:
                provision_app_role(admin, app_password, LIBRARY_DATABASES)
        for database in LIBRARY_DATABASES if app_password else ():
            with psycopg.connect(host=str(layout.socket_dir), port=ctx.ports.postgres_port,
                                 user=SUPERUSER, dbname=database, autocommit=True) as library:
                grant_app_rows(library, DB_ROLE)
        with psycopg.connect(
            host=str(layout.socket_dir),
            port=ctx.ports.postgres_port,
            user=SUPERUSER,
            dbname="prefect",
            autocommit=True,
        ) as prefect_db:
            prefect_db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


SERVICE = Postgres()
