"""``dossier watch`` as a local service: MinIO upload notifications → Prefect events.

Up means: the watcher process lives and both ends it connects (MinIO and the
Prefect server) answer, and its log shows it subscribed. It reconnects by
itself, so a restarted MinIO does not need a restarted watcher.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from infra.access import component_env
from infra.agent_env import agent_environment
from infra.context import ServiceContext
from infra.health import http_ok
from infra.processes import (
    ServiceError,
    live_pid,
    spawn,
    still_starting_or_alive,
    stop,
    wait_until,
)
from infra.services import Service, ServiceStatus
from infra.services_env import BUCKET, MINIO_ENDPOINT, PREFECT_API_URL

log = logging.getLogger("infra.services")
SUBSCRIBED = "watching "


def dossier_executable() -> str:
    beside = Path(sys.executable).with_name("dossier")
    if not beside.exists():
        raise ServiceError("the `dossier` command is missing: run ./run.sh to install the venv")
    return str(beside)


class WatcherService(Service):
    name = "watcher"
    requires = ("minio", "prefect")
    optional = True

    def _files(self, ctx: ServiceContext) -> tuple[Path, Path, Path]:
        folder = ctx.services_dir / "watcher"
        return folder / "home", folder / "watcher.log", folder / "watcher.pid"

    def _pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(self._files(ctx)[2], "watch")

    def _subscribed(self, ctx: ServiceContext, since: int) -> bool:
        log_path = self._files(ctx)[1]
        if not log_path.exists():
            return False
        with open(log_path, "rb") as handle:
            handle.seek(since)
            return SUBSCRIBED.encode() in handle.read()

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        pid = self._pid(ctx)
        bucket = env.get(BUCKET, ctx.bucket)
        address = f"{bucket}/incoming/"
        if pid is None:
            return ServiceStatus(self.name, "down", None, address, "not running")
        problems = []
        if not http_ok(f"http://{env.get(MINIO_ENDPOINT, '')}/minio/health/live"):
            problems.append("MinIO not answering")
        if not http_ok(f"{env.get(PREFECT_API_URL, '').rstrip('/')}/health"):
            problems.append("Prefect API not answering")
        if problems:
            return ServiceStatus(self.name, "unhealthy", pid, address, "; ".join(problems))
        return ServiceStatus(self.name, "up", pid, address, "emits dossier.uploaded")

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        home, log_path, pid_path = self._files(ctx)
        home.mkdir(parents=True, exist_ok=True)
        since = log_path.stat().st_size if log_path.exists() else 0
        if self._pid(ctx) is not None:  # running already: its subscription line is older
            since = 0
        else:
            log.info("watcher: starting on %s/incoming/", env.get(BUCKET, ctx.bucket))
            spawn([dossier_executable(), "watch"],
                  agent_environment(component_env(env, "watcher"), str(home)), log_path, pid_path)
        wait_until(lambda: self._subscribed(ctx, since) and self.status(ctx, env).is_up,
                   timeout=90, what="upload watcher",
                   alive=lambda: still_starting_or_alive(pid_path), log_path=log_path)

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        pid = self._pid(ctx)
        if pid is not None:
            log.info("watcher: stopping pid %s", pid)
            stop(pid)
        self._files(ctx)[2].unlink(missing_ok=True)


SERVICE = WatcherService()
