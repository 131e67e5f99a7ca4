"""MinIO, built from source with ``go install`` at a pinned version, run on loopback.

MinIO no longer publishes binaries we may fetch here, but the Go module proxy
serves its source: the build takes minutes once and is kept in the user cache
(shared by every checkout) with a stamp naming the version it was built from.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import psutil

from infra.access import make_locked_bucket, missing_users, provision_minio
from infra.context import ServiceContext
from infra.health import http_ok
from infra.processes import (
    ServiceError,
    ensure_port_free,
    live_pid,
    log_tail,
    spawn,
    still_starting_or_alive,
    stop,
    wait_until,
)
from infra.services import Service, ServiceStatus
from infra.services_env import BUCKET, MINIO_ACCESS_KEY, MINIO_SECRET_KEY

log = logging.getLogger("infra.services")

MINIO_MODULE = "github.com/minio/minio"
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"
_GO_FALLBACKS = (Path("/usr/local/go/bin/go"), Path.home() / "go" / "bin" / "go")


def binary_path(ctx: ServiceContext) -> Path:
    return ctx.cache_dir / "bin" / "minio"


def _stamp_path(ctx: ServiceContext) -> Path:
    return ctx.cache_dir / "bin" / "minio.version"


def _go() -> str:
    found = shutil.which("go") or next((str(p) for p in _GO_FALLBACKS if p.exists()), None)
    if found is None:
        raise ServiceError(
            "Go (>= 1.24) is needed to build MinIO and was not found on PATH or in /usr/local/go"
        )
    return found


def _built_version(binary: Path) -> str | None:
    """The module version compiled into ``binary`` (``go version -m``), if readable."""
    try:
        out = subprocess.run(
            [_go(), "version", "-m", str(binary)], capture_output=True, text=True, check=False
        ).stdout
    except ServiceError:
        return None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "mod" and parts[1] == MINIO_MODULE:
            return parts[2]
    return None


def _is_current(ctx: ServiceContext) -> bool:
    binary, stamp = binary_path(ctx), _stamp_path(ctx)
    if not binary.exists():
        return False
    if stamp.exists() and stamp.read_text().strip() == MINIO_VERSION:
        return True
    if _built_version(binary) == MINIO_VERSION:  # built before stamps, or by hand
        stamp.write_text(MINIO_VERSION + "\n")
        return True
    return False


def _foreign_build() -> psutil.Process | None:
    """A ``go install`` of MinIO started outside this code (e.g. by a provisioning script)."""
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if "install" in cmdline and any(a.startswith(MINIO_MODULE + "@") for a in cmdline):
            return proc
    return None


def ensure_binary(ctx: ServiceContext) -> Path:
    """Build MinIO at :data:`MINIO_VERSION` unless the cached binary already is that version."""
    bin_dir = ctx.cache_dir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    with open(bin_dir / ".minio-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        other = _foreign_build()
        if other is not None:
            log.info("minio: waiting for the running build (pid %s) to finish", other.pid)
            psutil.wait_procs([other])
        if _is_current(ctx):
            return binary_path(ctx)
        build_log = ctx.service_dir("minio") / "build.log"
        log.info("minio: building %s@%s (several minutes; log %s)", MINIO_MODULE, MINIO_VERSION,
                 build_log)  # fmt: skip
        env = {**os.environ, "GOBIN": str(bin_dir), "CGO_ENABLED": "0"}
        started = time.monotonic()
        with open(build_log, "ab") as out:
            result = subprocess.run(
                [_go(), "install", f"{MINIO_MODULE}@{MINIO_VERSION}"],
                env=env, stdout=out, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        if result.returncode != 0 or not binary_path(ctx).exists():
            raise ServiceError(f"building MinIO failed.{log_tail(build_log)}")
        _stamp_path(ctx).write_text(MINIO_VERSION + "\n")
        log.info("minio: built in %.0f s", time.monotonic() - started)
        return binary_path(ctx)


class MinioServer(Service):
    name = "minio"
    requires = ("system",)

    def _files(self, ctx: ServiceContext) -> tuple[Path, Path, Path]:
        folder = ctx.services_dir / "minio"
        return folder / "data", folder / "minio.log", folder / "minio.pid"

    def address(self, ctx: ServiceContext) -> str:
        return f"{ctx.host}:{ctx.ports.minio_port}"

    def health_url(self, ctx: ServiceContext) -> str:
        return f"http://{self.address(ctx)}/minio/health/live"

    def _pid(self, ctx: ServiceContext) -> int | None:
        return live_pid(self._files(ctx)[2], "minio")

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        pid, address = self._pid(ctx), self.address(ctx)
        if pid is None:
            return ServiceStatus(self.name, "down", None, address, "not running")
        if not http_ok(self.health_url(ctx)):
            return ServiceStatus(self.name, "unhealthy", pid, address, "health check failed")
        bucket = env.get(BUCKET, ctx.bucket)
        try:
            present = _client(ctx, env).bucket_exists(bucket)
        except Exception as exc:  # the client raises several unrelated types
            return ServiceStatus(self.name, "unhealthy", pid, address, type(exc).__name__)
        detail = f"bucket {bucket} {'present' if present else 'MISSING'}"
        missing = missing_users(self.address(ctx), env, bucket) if present else []
        if missing:
            detail += f"; no user for {', '.join(missing)}"
        detail += f"; console {ctx.host}:{ctx.ports.minio_console_port}"
        healthy = present and not missing
        return ServiceStatus(self.name, "up" if healthy else "unhealthy", pid, address, detail)

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        binary = ensure_binary(ctx)
        data, log_path, pid_path = self._files(ctx)
        data.mkdir(parents=True, exist_ok=True)
        pid = self._pid(ctx)
        if pid is None:
            ensure_port_free(ctx.host, ctx.ports.minio_port, "minio", "DOSSIER_MINIO_PORT")
            ensure_port_free(
                ctx.host, ctx.ports.minio_console_port, "minio", "DOSSIER_MINIO_CONSOLE_PORT"
            )
            log.info("minio: starting on %s", self.address(ctx))
            child_env = {
                **os.environ,
                "MINIO_ROOT_USER": env[MINIO_ACCESS_KEY],
                "MINIO_ROOT_PASSWORD": env[MINIO_SECRET_KEY],
                "MINIO_UPDATE": "off",
            }
            argv = [
                str(binary), "server", str(data),
                "--address", self.address(ctx),
                "--console-address", f"{ctx.host}:{ctx.ports.minio_console_port}",
                "--quiet",
            ]  # fmt: skip
            pid = spawn(argv, child_env, log_path, pid_path)
        wait_until(
            lambda: http_ok(self.health_url(ctx)),
            timeout=60,
            what="minio",
            alive=lambda: still_starting_or_alive(pid_path),
            log_path=log_path,
        )
        self._ensure_bucket(ctx, env)

    def repair(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        if http_ok(self.health_url(ctx)):
            self._ensure_bucket(ctx, env)

    def _ensure_bucket(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        """The bucket (with object locking when new), and each component's user."""
        bucket = env.get(BUCKET, ctx.bucket)
        client = _client(ctx, env)
        deadline = time.monotonic() + 30
        while True:  # "live" comes before the object layer accepts requests
            try:
                if not client.bucket_exists(bucket):
                    log.info("minio: creating bucket %s (object locking on)", bucket)
                    make_locked_bucket(client, bucket)
                provision_minio(self.address(ctx), env, bucket)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        pid = self._pid(ctx)
        if pid is not None:
            log.info("minio: stopping pid %s", pid)
            stop(pid)
        self._files(ctx)[2].unlink(missing_ok=True)


def _client(ctx: ServiceContext, env: dict[str, str]):  # -> minio.Minio
    from minio import Minio

    return Minio(
        f"{ctx.host}:{ctx.ports.minio_port}",
        access_key=env[MINIO_ACCESS_KEY],
        secret_key=env[MINIO_SECRET_KEY],
        secure=False,
    )


SERVICE = MinioServer()
