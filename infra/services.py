"""Start, stop and report the local services (loopback only), in dependency order.

Each service is one module with a :class:`Service` subclass, registered here in
start order. ``up`` is idempotent: a service already running and healthy is left
alone (same pid); one that died is started again. ``status`` trusts no pid file
without a live process and a passing health check. The ``worker`` and
``watcher`` agents are optional: only ``--all`` (or naming them) includes them.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Literal

from dossier.settings import Settings
from infra.context import ServiceContext, ServicePorts
from infra.processes import ServiceError
from infra.services_env import ensure_services_env, read_services_env

log = logging.getLogger("infra.services")

State = Literal["up", "down", "unhealthy"]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: State
    pid: int | None = None
    address: str = ""
    detail: str = ""

    @property
    def is_up(self) -> bool:
        return self.state == "up"


class Service:
    """One local service. Subclasses implement ``start``, ``stop`` and ``status``."""

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[bool] = False  # an agent (worker, watcher): only on request
    grace_s: ClassVar[float] = 20.0

    def status(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        raise NotImplementedError

    def start(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        """Install what is missing and start; return only once healthy."""
        raise NotImplementedError

    def stop(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        raise NotImplementedError

    def up(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        current = self.status(ctx, env)
        if current.is_up:
            log.info("%s: already up (%s)", self.name, current.detail or current.address)
            return current
        if current.state == "unhealthy":
            self.repair(ctx, env)
            current = self._settle(ctx, env)
            if current.is_up:
                log.info("%s: up (%s)", self.name, current.address)
                return current
            log.info("%s: running but unhealthy (%s): restarting", self.name, current.detail)
            self.stop(ctx, env)
        self.start(ctx, env)
        after = self.status(ctx, env)
        if not after.is_up:
            raise ServiceError(f"{self.name} started but is {after.state}: {after.detail}")
        log.info("%s: up (%s)", self.name, after.address)
        return after

    def repair(self, ctx: ServiceContext, env: dict[str, str]) -> None:
        """Fix a running but incomplete service in place (e.g. a missing bucket)."""

    def down(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        self.stop(ctx, env)
        return self.status(ctx, env)

    def _settle(self, ctx: ServiceContext, env: dict[str, str]) -> ServiceStatus:
        """A busy server may miss one health check: look again before restarting it."""
        deadline = time.monotonic() + self.grace_s
        current = self.status(ctx, env)
        while current.state == "unhealthy" and time.monotonic() < deadline:
            time.sleep(1.0)
            current = self.status(ctx, env)
        return current


REGISTRY: dict[str, Service] = {}


def register(service: Service) -> Service:
    REGISTRY[service.name] = service
    return service


def _load_builtin() -> None:
    """Import the service modules once; each registers itself in start order."""
    if REGISTRY:
        return
    from infra import (
        minio_server,
        postgres_server,
        prefect_server,
        system_packages,
        watcher_service,
        worker_service,
    )

    for module in (system_packages, postgres_server, minio_server, prefect_server,
                   worker_service, watcher_service):
        register(module.SERVICE)


def service_names(include_optional: bool = True) -> list[str]:
    _load_builtin()
    return [name for name, s in REGISTRY.items() if include_optional or not s.optional]


def _select(names: Iterable[str] | None, *, with_requirements: bool) -> list[Service]:
    """Services to act on, in start order; ``up`` also takes what they require."""
    _load_builtin()
    wanted = list(names or service_names(include_optional=False))
    unknown = [n for n in wanted if n not in REGISTRY]
    if unknown:
        raise ServiceError(f"unknown service(s) {unknown}; known: {', '.join(REGISTRY)}")
    chosen: set[str] = set()

    def add(name: str) -> None:
        if name in chosen:
            return
        chosen.add(name)
        if with_requirements:
            for dep in REGISTRY[name].requires:
                add(dep)

    for name in wanted:
        add(name)
    return [service for name, service in REGISTRY.items() if name in chosen]


def _dependents(names: set[str]) -> set[str]:
    """``down`` of a service also stops what would break without it."""
    grown = set(names)
    changed = True
    while changed:
        changed = False
        for service in REGISTRY.values():
            if service.name not in grown and grown & set(service.requires):
                grown.add(service.name)
                changed = True
    return grown


@contextmanager
def _locked(ctx: ServiceContext) -> Iterator[None]:
    """One ``up``/``down`` at a time per services folder (engineers share a checkout)."""
    ctx.services_dir.mkdir(parents=True, exist_ok=True)
    with open(ctx.services_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def context(settings: Settings | None = None, ports: ServicePorts | None = None) -> ServiceContext:
    return ServiceContext.from_settings(settings, ports)


def up(
    names: Iterable[str] | None = None, ctx: ServiceContext | None = None
) -> list[ServiceStatus]:
    """Bring the named services (default: all) and what they require up, healthy."""
    ctx = ctx or context()
    services = _select(names, with_requirements=True)
    with _locked(ctx):
        env = ensure_services_env(ctx)
        return [service.up(ctx, env) for service in services]


def down(
    names: Iterable[str] | None = None, ctx: ServiceContext | None = None
) -> list[ServiceStatus]:
    """Stop the named services (default: all) and those that require them."""
    ctx = ctx or context()
    picked = {s.name for s in _select(names, with_requirements=False)}
    services = [s for s in REGISTRY.values() if s.name in _dependents(picked)]
    with _locked(ctx):
        env = read_services_env(ctx.env_file)
        return [service.down(ctx, env) for service in reversed(services)][::-1]


def status(
    names: Iterable[str] | None = None, ctx: ServiceContext | None = None
) -> list[ServiceStatus]:
    ctx = ctx or context()
    env = read_services_env(ctx.env_file)
    return [service.status(ctx, env) for service in _select(names, with_requirements=False)]
