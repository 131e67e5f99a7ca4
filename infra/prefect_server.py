"""The Prefect 3 API server, backed by the ``prefect`` database of our PostgreSQL.

SQLite is Prefect's default and locks under concurrent flow runs; the server
here is the one deployments, workers and the review UI talk to. Its home
(profiles, UI build cache) stays under ``data/services/prefect``.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from infra.context import ServiceContext
from infra.health import http_ok
from infra.processes import (
    ServiceError,
    ensure_port_free,
    live_pid,
    spawn,
    still_starting_or_alive,
    stop,
    wait_until,
)
from infra.services import Service, ServiceStatus
from infra.services_env import database_password, postgres_url

log = logging.getLogger("infra.services")

_DROPPED = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE")


def prefect_executable() -> str:
    """The ``prefect`` script beside the running interpreter (the project's venv)."""
    beside = Path(sys.executable).with_name("prefect")
    if beside.exists():
        return str(beside)
    found = shutil.which("prefect")
    if found is None:
        raise ServiceError("the `prefect` command is missing: run ./run.sh to install the venv")
    return found


class PrefectServer(Service):
    name = "prefect"
    requires = ("postgres",)

    def _files(self, ctx: ServiceContext) -> tuple[Path, Path, Path]:
        folder = ctx.services_dir / "prefect"
        return folder / "home", folder / "prefect.log", folder / "prefect.pid"

    def address(self, ctx: ServiceContext) -> str:
        return f"{ctx.host}:{ctx.ports.prefect_port}"

    def health_url(self, ctx: ServiceContext) -> str:
        return f"http://{self.address(ctx)}/api/health"

    def _pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(self._files(ctx)[2], "prefect")

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        pid, address = self._pid(ctx), self.address(ctx)
        if pid is None:
            return ServiceStatus(self.name, "down", None, address, "not running")
        if not http_ok(self.health_url(ctx)):
            return ServiceStatus(self.name, "unhealthy", pid, address, "GET /api/health failed")
        return ServiceStatus(self.name, "up", pid, address, f"UI http://{address}")

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        home, log_path, pid_path = self._files(ctx)
        home.mkdir(parents=True, exist_ok=True)
        if self._pid(ctx) is None:
            ensure_port_free(ctx.host, ctx.ports.prefect_port, "prefect", "DOSSIER_PREFECT_PORT")
            log.info("prefect: starting on %s (PostgreSQL database prefect)", self.address(ctx))
            db_url = postgres_url(
                database_password(env), ctx.host, ctx.ports.postgres_port, "prefect", "asyncpg"
            )
            child_env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
            child_env.update(
                PREFECT_HOME=str(home),
                PREFECT_SERVER_DATABASE_CONNECTION_URL=db_url,
                PREFECT_SERVER_ANALYTICS_ENABLED="false",
                PREFECT_SERVER_API_HOST=ctx.host,
                PREFECT_SERVER_API_PORT=str(ctx.ports.prefect_port),
                DO_NOT_TRACK="1",
            )
            argv = [
                prefect_executable(), "server", "start",
                "--host", ctx.host,
                "--port", str(ctx.ports.prefect_port),
                "--analytics-off",
            ]  # fmt: skip
            spawn(argv, child_env, log_path, pid_path)
        wait_until(
            lambda: http_ok(self.health_url(ctx)),
            timeout=180,
            what="prefect server",
            alive=lambda: still_starting_or_alive(pid_path),
            log_path=log_path,
        )

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        pid = self._pid(ctx)
        if pid is not None:
            log.info("prefect: stopping pid %s", pid)
            stop(pid)
        self._files(ctx)[2].unlink(missing_ok=True)


SERVICE = PrefectServer()
