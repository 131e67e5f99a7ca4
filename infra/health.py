"""Cheap liveness probes shared by ``services status`` and the test fixtures."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 2xx (the services' own health endpoints)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql://…`` for psycopg itself."""
    scheme, sep, rest = sqlalchemy_url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def postgres_error(sqlalchemy_url: str, timeout: int = 3) -> str | None:
    """None when a password login and ``SELECT 1`` succeed, else why not (no secrets)."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(sqlalchemy_url), connect_timeout=timeout) as conn:
            conn.execute("SELECT 1").fetchone()
    except psycopg.Error as exc:
        return type(exc).__name__ + ": " + (str(exc).strip().splitlines() or [""])[-1][:200]
    return None
