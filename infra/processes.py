"""Detached service processes: spawn, find again by pid file, stop.

A service must outlive the ``dossier services up`` that started it, so it runs
in a session of its own with its output in a log file. A pid file alone would
lie after a reboot or a ``kill``: a pid counts only while a live, non-zombie
process with the expected command line holds it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil


class ServiceError(RuntimeError):
    """A service could not be brought to the wanted state; the message says what to do."""


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def live_pid(path: Path, marker: str) -> int | None:
    """The pid in ``path`` if that process runs and its command line contains ``marker``."""
    pid = read_pid(path)
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        if marker not in " ".join(proc.cmdline()):
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return pid


def spawn(argv: Sequence[str], env: dict[str, str], log_path: Path, pid_path: Path) -> int:
    """Start ``argv`` detached, appending its output to ``log_path``; records the pid."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n--- start {time.strftime('%Y-%m-%d %H:%M:%S')}: {argv[0]}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(argv),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    pid_path.write_text(f"{proc.pid}\n")
    return proc.pid


def stop(pid: int, timeout: float = 20.0) -> None:
    """SIGTERM the process group of ``pid`` (children too), SIGKILL after ``timeout``."""
    try:
        proc = psutil.Process(pid)
        group = os.getpgid(pid)
    except (psutil.NoSuchProcess, ProcessLookupError):
        return
    procs = [proc, *proc.children(recursive=True)]
    _signal_group(group, pid, signal.SIGTERM)
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    if alive:
        _signal_group(group, pid, signal.SIGKILL)
        for straggler in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                straggler.kill()
        psutil.wait_procs(alive, timeout=5)


def _signal_group(group: int, pid: int, sig: signal.Signals) -> None:
    try:
        if group == pid:
            os.killpg(group, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def ensure_port_free(host: str, port: int, what: str, setting: str) -> None:
    """Refuse to start when something else (not our pid file's process) holds the port."""
    from infra.health import port_open

    if port_open(host, port):
        raise ServiceError(
            f"{what}: {host}:{port} is already taken by another process; "
            f"stop it or choose another port with {setting}"
        )


def wait_until(
    ready: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    log_path: Path | None = None,
) -> None:
    """Poll ``ready``; fail early (with the log's tail) when the process has died."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while time.monotonic() < deadline:
        if ready():
            return
        if alive is not None and not alive():
            raise ServiceError(f"{what} exited while starting.{log_tail(log_path)}")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    raise ServiceError(f"{what} not healthy after {timeout:.0f} s.{log_tail(log_path)}")


def log_tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"\nLast lines of {path}:\n" + "\n".join("  " + line for line in text)


def still_starting_or_alive(pid_path: Path) -> bool:
    """The spawned process exists and is no zombie, whatever its command line says yet.

    Right after ``spawn`` the child may not have exec'd: its command line is
    still the parent's, so the usual marker check would call it dead.
    """
    pid = read_pid(pid_path)
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
