"""Where the local services live and which ports they use.

The ports are settings of their own (``DOSSIER_MINIO_PORT`` …) so that a second
set of services, e.g. a throw-away one in a test, can run beside the usual one.
They are read from the environment only: the embedded default of the pipeline
must never pick up the services by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from dossier.settings import Settings, get_settings

LOOPBACK = "127.0.0.1"


class ServicePorts(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    minio_port: int = 9000
    minio_console_port: int = 9001
    postgres_port: int = 54329
    prefect_port: int = 4200


@dataclass(frozen=True)
class ServiceContext:
    """Everything a service needs to know about its surroundings."""

    services_dir: Path
    env_file: Path
    cache_dir: Path
    bucket: str
    ports: ServicePorts
    host: str = LOOPBACK

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, ports: ServicePorts | None = None
    ) -> ServiceContext:
        settings = settings or get_settings()
        return cls(
            services_dir=settings.services_dir,
            env_file=settings.services_env_file,
            cache_dir=settings.cache_dir.expanduser(),
            bucket=settings.bucket or "dossiers-dev",
            ports=ports or ServicePorts(),
        )

    def service_dir(self, name: str) -> Path:
        """The folder of one service's data, log and pid files (created on demand)."""
        path = self.services_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path
