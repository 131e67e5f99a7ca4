"""The local services: truthful status, idempotent up, services.env written once.

The kill-and-revive test runs a MinIO of its own (temporary data dir, free
ports) so it never disturbs the shared services other tests are using; the
idempotency of the whole stack is checked on the real services that
``./run.sh test`` started.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from infra import services
from infra.agent_env import agent_environment
from infra.context import ServiceContext, ServicePorts
from infra.health import http_ok
from infra.processes import live_pid
from infra.services_env import DATABASE_URL, TEST_DATABASE_URL, ensure_services_env
from infra.services_env import read_services_env as read_env

EXPECTED_KEYS = {
    "DOSSIER_MINIO_ENDPOINT",
    "DOSSIER_MINIO_ACCESS_KEY",
    "DOSSIER_MINIO_SECRET_KEY",
    "DOSSIER_BUCKET",
    "DOSSIER_DATABASE_URL",
    "DOSSIER_TEST_DATABASE_URL",
    "PREFECT_API_URL",
    "DOSSIER_PIPELINE_MINIO_ACCESS_KEY",
    "DOSSIER_PIPELINE_MINIO_SECRET_KEY",
    "DOSSIER_WATCHER_MINIO_ACCESS_KEY",
    "DOSSIER_WATCHER_MINIO_SECRET_KEY",
    "DOSSIER_APP_DATABASE_URL",
    "DOSSIER_ID_HASH_KEY",
}
_CLI = "from dossier.commands.services import app; app(prog_name='dossier services')"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``dossier services ARGS`` in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-c", _CLI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _table(output: str) -> dict[str, tuple[str, str]]:
    """``{service: (state, pid)}`` from the status table."""
    rows = [line.split() for line in output.splitlines()[1:] if line.strip()]
    return {row[0]: (row[1], row[2]) for row in rows if len(row) >= 3}


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, stat.S_IMODE(info.st_mode)


# --- without services -------------------------------------------------------------


def test_up_takes_requirements_and_down_takes_dependents() -> None:
    chosen = [s.name for s in services._select(["prefect"], with_requirements=True)]
    assert chosen == ["system", "postgres", "prefect"]
    assert "prefect" in services._dependents({"postgres"})
    assert "minio" not in services._dependents({"postgres"})


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(services.ServiceError, match="unknown service"):
        services._select(["mongodb"], with_requirements=True)


def test_services_env_is_written_once_then_only_completed(tmp_path: Path) -> None:
    ctx = ServiceContext(
        tmp_path / "services", tmp_path / "services.env", tmp_path, "b", ServicePorts()
    )
    first = ensure_services_env(ctx)
    assert set(first) == EXPECTED_KEYS
    ports = ServicePorts()  # the defaults, or what DOSSIER_*_PORT says
    assert first["DOSSIER_MINIO_ENDPOINT"] == f"127.0.0.1:{ports.minio_port}"
    assert first[DATABASE_URL].startswith("postgresql+psycopg://dossier:")
    assert first[DATABASE_URL].endswith(f"@127.0.0.1:{ports.postgres_port}/dossier")
    assert first[TEST_DATABASE_URL] == first[DATABASE_URL] + "_test"
    assert first["DOSSIER_APP_DATABASE_URL"].startswith("postgresql+psycopg://dossier_app:")
    assert first["PREFECT_API_URL"] == f"http://127.0.0.1:{ports.prefect_port}/api"
    before = _fingerprint(ctx.env_file)
    assert before[2] == 0o600

    assert ensure_services_env(ctx) == first
    assert _fingerprint(ctx.env_file) == before

    lines = ctx.env_file.read_text().splitlines()
    ctx.env_file.write_text("\n".join(x for x in lines if not x.startswith("DOSSIER_TEST_")))
    completed = ensure_services_env(ctx)
    assert completed == first  # the re-added URL reuses the password already in use


def test_agents_log_at_info_whatever_the_starting_shell_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quiet ``dossier`` command run earlier in the same process (a test session, a shell
    that exported its settings) leaves PREFECT_LOGGING_LEVEL=WARNING behind; a worker that
    inherited it sent no INFO lines to the API, so the UI showed runs without their logs."""
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    monkeypatch.setenv("PREFECT_LOGGING_TO_API_ENABLED", "false")
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere:4200/api")
    monkeypatch.setenv("DOSSIER_BUCKET", "other")
    child = agent_environment({"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, "/tmp/home")
    assert child["PREFECT_LOGGING_LEVEL"] == "INFO"
    assert "PREFECT_LOGGING_TO_API_ENABLED" not in child
    assert child["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    assert "DOSSIER_BUCKET" not in child
    assert child["PREFECT_HOME"] == "/tmp/home"
    # services.env decides when it says something.
    assert agent_environment({"PREFECT_LOGGING_LEVEL": "DEBUG"}, "/h")["PREFECT_LOGGING_LEVEL"] \
        == "DEBUG"


def test_a_pid_counts_only_for_a_live_process_with_the_expected_command(tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    pid_file.write_text(f"{os.getpid()}\n")
    assert live_pid(pid_file, "python") == os.getpid()
    assert live_pid(pid_file, "minio") is None
    dead = subprocess.Popen(["sleep", "0"])
    dead.wait()
    pid_file.write_text(f"{dead.pid}\n")
    assert live_pid(pid_file, "sleep") is None
    assert live_pid(tmp_path / "missing.pid", "python") is None


# --- a MinIO of the test's own -------------------------------------------------------


@pytest.fixture
def own_minio(services_env: dict[str, str], isolated_data_dir: Path):
    """Environment for ``dossier services`` acting on a MinIO in the test's data dir.

    ``services_env`` only guarantees the shared services (and so the MinIO build) exist.
    """
    env = {
        **os.environ,
        "DOSSIER_DATA_DIR": str(isolated_data_dir),
        "DOSSIER_MINIO_PORT": str(_free_port()),
        "DOSSIER_MINIO_CONSOLE_PORT": str(_free_port()),
        "DOSSIER_POSTGRES_PORT": str(_free_port()),
        "DOSSIER_PREFECT_PORT": str(_free_port()),
    }
    yield env
    _cli(env, "down", "--only", "minio")


@pytest.mark.services
@pytest.mark.slow
def test_status_is_truthful_and_up_is_idempotent(own_minio: dict[str, str]) -> None:
    data_dir = Path(own_minio["DOSSIER_DATA_DIR"])
    pid_file = data_dir / "services" / "minio" / "minio.pid"
    env_file = data_dir / "services.env"
    health = f"http://127.0.0.1:{own_minio['DOSSIER_MINIO_PORT']}/minio/health/live"

    started = _cli(own_minio, "up", "--only", "minio")
    assert started.returncode == 0, started.stderr
    pid = int(pid_file.read_text())
    assert http_ok(health)
    written = read_env(env_file)
    assert written["DOSSIER_MINIO_ENDPOINT"] == f"127.0.0.1:{own_minio['DOSSIER_MINIO_PORT']}"
    env_before = _fingerprint(env_file)
    assert env_before[2] == 0o600

    again = _cli(own_minio, "up", "--only", "minio")
    assert again.returncode == 0, again.stderr
    assert int(pid_file.read_text()) == pid, "a second up restarted a healthy MinIO"
    assert _fingerprint(env_file) == env_before, "a second up rewrote services.env"

    up_status = _cli(own_minio, "status", "--only", "minio")
    assert up_status.returncode == 0, up_status.stdout
    assert _table(up_status.stdout)["minio"] == ("up", str(pid))

    os.kill(pid, signal.SIGKILL)  # stopped by hand, behind the tool's back
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    down_status = _cli(own_minio, "status", "--only", "minio")
    assert down_status.returncode == 3, down_status.stdout
    assert _table(down_status.stdout)["minio"] == ("down", "-")

    revived = _cli(own_minio, "up", "--only", "minio")
    assert revived.returncode == 0, revived.stderr
    new_pid = int(pid_file.read_text())
    assert new_pid != pid
    assert http_ok(health)
    assert _cli(own_minio, "status", "--only", "minio").returncode == 0
    assert _fingerprint(env_file) == env_before

    stopped = _cli(own_minio, "down", "--only", "minio")
    assert stopped.returncode == 0, stopped.stderr
    assert _gone(new_pid)
    assert not http_ok(health)


# --- the shared services ---------------------------------------------------------------


@pytest.mark.services
def test_a_second_up_of_the_running_stack_changes_nothing(
    services_env: dict[str, str], real_data_dir: Path
) -> None:
    env = {**os.environ, "DOSSIER_DATA_DIR": str(real_data_dir)}
    env_file = real_data_dir / "services.env"
    before = _cli(env, "status")
    assert before.returncode == 0, f"not every service is up:\n{before.stdout}"
    fingerprint = _fingerprint(env_file)

    again = _cli(env, "up")
    assert again.returncode == 0, again.stderr

    after = _cli(env, "status")
    assert after.returncode == 0, after.stdout
    assert _table(after.stdout) == _table(before.stdout)
    assert all(state == "up" for state, _ in _table(after.stdout).values())
    assert _fingerprint(env_file) == fingerprint


def test_each_agent_gets_its_own_credentials_only() -> None:
    from infra.access import component_env

    env = {"DOSSIER_MINIO_ACCESS_KEY": "root", "DOSSIER_MINIO_SECRET_KEY": "root-secret",
           "DOSSIER_DATABASE_URL": "postgresql+psycopg://dossier:owner@h/dossier",
           "DOSSIER_APP_DATABASE_URL": "postgresql+psycopg://dossier_app:app@h/dossier",
           "DOSSIER_TEST_DATABASE_URL": "postgresql+psycopg://dossier:owner@h/dossier_test",
           "DOSSIER_PIPELINE_MINIO_ACCESS_KEY": "pipeline",
           "DOSSIER_PIPELINE_MINIO_SECRET_KEY": "p",
           "DOSSIER_WATCHER_MINIO_ACCESS_KEY": "watcher",
           "DOSSIER_WATCHER_MINIO_SECRET_KEY": "w"}
    worker, watcher = component_env(env, "pipeline"), component_env(env, "watcher")
    assert (worker["DOSSIER_MINIO_ACCESS_KEY"], worker["DOSSIER_MINIO_SECRET_KEY"]) == (
        "pipeline", "p")
    assert worker["DOSSIER_DATABASE_URL"].startswith("postgresql+psycopg://dossier_app:")
    assert (watcher["DOSSIER_MINIO_ACCESS_KEY"], watcher["DOSSIER_MINIO_SECRET_KEY"]) == (
        "watcher", "w")
    for view in (worker, watcher):  # nobody holds root's secret, the owner's, another's
        assert "root-secret" not in view.values()
        assert not any("owner" in value for value in view.values())
        assert not any(k.startswith(("DOSSIER_PIPELINE", "DOSSIER_WATCHER")) for k in view)
    assert "DOSSIER_DATABASE_URL" not in watcher
