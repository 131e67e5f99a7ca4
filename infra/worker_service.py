"""A Prefect process worker on the dossier pool, as a local service.

It runs every flow run of the pool's deployments as a child process with the
services' settings (MinIO, PostgreSQL), so an upload alone ends in the library.
Up means: our process lives *and* the Prefect server lists it as an online
worker of the pool (its heartbeat arrived), not merely that a pid file exists.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

from infra.access import component_env, migrate_as_owner
from infra.agent_env import agent_environment, work_pool
from infra.context import ServiceContext
from infra.flow_starter_client import ENV_SOCKET
from infra.prefect_server import prefect_executable
from infra.processes import live_pid, spawn, still_starting_or_alive, stop, wait_until
from infra.services import Service, ServiceStatus
from infra.services_env import PREFECT_API_URL

log = logging.getLogger("infra.services")


def worker_name(ctx: ServiceContext, pool: str, instance: str = "") -> str:
    """One name per machine, pool and instance: a second machine's worker is a second
    worker, and so is a second instance on the same machine."""
    base = f"{socket.gethostname()}-{pool}"
    return f"{base}-{instance}" if instance else base


def online_workers(api_url: str, pool: str, timeout: float = 3.0) -> list[str] | None:
    """Names of the pool's workers the server sees as ONLINE; None when it cannot be asked."""
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}/work_pools/{pool}/workers/filter",
        data=b"{}", headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            workers = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return [w["name"] for w in workers if w.get("status") == "ONLINE"]


class WorkerService(Service):
    """``instance`` names a further worker on the same machine (its own name, folder, log
    and pid file); ``limit`` caps the flow runs it runs at once (``--limit``), so each
    worker takes its share instead of the first to poll taking everything scheduled."""

    name = "worker"
    requires = ("postgres", "minio", "prefect")
    optional = True
    grace_s = 40.0

    def __init__(self, instance: str = "", limit: int | None = None) -> None:
        self.instance = instance
        self.limit = limit

    def _folder(self, ctx: ServiceContext) -> Path:
        return ctx.services_dir / (f"worker-{self.instance}" if self.instance else "worker")

    def _files(self, ctx: ServiceContext) -> tuple[Path, Path, Path]:
        folder = self._folder(ctx)
        return folder / "home", folder / "worker.log", folder / "worker.pid"

    def _starter_files(self, ctx: ServiceContext) -> tuple[Path, Path, Path]:
        """The pre-warmed flow-run starter beside the worker (infra.flow_starter):
        its socket, log and pid file."""
        folder = self._folder(ctx)
        return (folder / "flow-starter.sock", folder / "flow-starter.log",
                folder / "flow-starter.pid")

    def _starter_pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(self._starter_files(ctx)[2], "flow_starter")

    def log_path(self, ctx: ServiceContext) -> Path:
        return self._files(ctx)[1]

    def worker_name(self, ctx: ServiceContext, env: dict[str, str]) -> str:
        return worker_name(ctx, work_pool(env), self.instance)

    def _pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(self._files(ctx)[2], "worker")

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        pool = work_pool(env)
        name = self.worker_name(ctx, env)
        pid = self._pid(ctx)
        if pid is None:
            return ServiceStatus(self.name, "down", None, f"pool {pool}", "not running")
        online = online_workers(env.get(PREFECT_API_URL, ""), pool)
        if online is None or name not in online:
            return ServiceStatus(self.name, "unhealthy", pid, f"pool {pool}",
                                 f"{name} not online in the Prefect server")
        starter = ("runs forked pre-warmed" if self._starter_pid(ctx) is not None
                   else "flow starter down: runs start cold")
        return ServiceStatus(self.name, "up", pid, f"pool {pool}", f"{name} online, {starter}")

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        home, log_path, pid_path = self._files(ctx)
        home.mkdir(parents=True, exist_ok=True)
        pool = work_pool(env)
        agent_env = agent_environment(component_env(env, "pipeline"), str(home))
        sock, starter_log, starter_pid = self._starter_files(ctx)
        agent_env[ENV_SOCKET] = str(sock)
        if self._starter_pid(ctx) is None:
            # Binds its socket at once, then imports for ~20 s; runs arriving
            # meanwhile wait for it (a cold start would take longer).
            spawn([sys.executable, str(Path(__file__).with_name("flow_starter.py")),
                   "--socket", str(sock)], agent_env, starter_log, starter_pid)
        if self._pid(ctx) is None:
            log.info("worker: starting %s on pool %s", self.worker_name(ctx, env), pool)
            argv = [prefect_executable(), "worker", "start", "--pool", pool, "--type", "process",
                    "--name", self.worker_name(ctx, env)]
            if self.limit is not None:
                argv += ["--limit", str(self.limit)]
            migrate_as_owner(env)  # before any flow run: the flows' role has no DDL
            spawn(argv, agent_env, log_path, pid_path)
        wait_until(lambda: self.status(ctx, env).is_up, timeout=120, what="prefect worker",
                   alive=lambda: still_starting_or_alive(pid_path), log_path=log_path)

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        pid = self._pid(ctx)
        if pid is not None:
            log.info("worker: stopping pid %s", pid)
            stop(pid, timeout=30)
        self._files(ctx)[2].unlink(missing_ok=True)
        starter = self._starter_pid(ctx)
        if starter is not None:
            stop(starter, timeout=30)
        self._starter_files(ctx)[2].unlink(missing_ok=True)


SERVICE = WorkerService()
