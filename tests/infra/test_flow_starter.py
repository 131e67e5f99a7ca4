"""The pre-warmed flow-run starter (infra.flow_starter) and its client, without Prefect's
worker: a real starter process forks a probe module (tests/infra/flow_starter_probe.py)
in place of ``prefect.engine``, so what a run inherits and how it ends can be seen.

The deployed path (a worker whose pool command is the client) is what every test in
tests/ops runs through; test_upload_to_library checks that its runs were forked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from infra.deployments import flow_run_command
from infra.flow_starter_client import ENV_SOCKET

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
STARTER = PROJECT / "infra" / "flow_starter.py"
CLIENT = PROJECT / "infra" / "flow_starter_client.py"


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.1)


def _start(folder: Path) -> tuple[subprocess.Popen, Path]:
    """A starter forking the probe, watching ``folder/code`` as its code."""
    sock, code = folder / "flow-starter.sock", folder / "code"
    code.mkdir(exist_ok=True)
    (code / "module.py").write_text("VERSION = 1\n")
    env = {**os.environ, "PYTHONPATH": str(HERE), "STARTER_ONLY": "yes",
           "PREFECT_API_URL": "http://starter.invalid/api"}
    with open(folder / "starter.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, str(STARTER), "--socket", str(sock), "--module",
             "flow_starter_probe", "--preload", "prefect.settings", "--watch", str(code)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    _wait(lambda: _log(folder).count("ready on") == 1, 120, "starter ready")
    return process, sock


def _log(folder: Path) -> str:
    return (folder / "starter.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    process, sock = _start(tmp_path_factory.mktemp("starter"))
    yield sock
    process.terminate()
    assert process.wait(30) == 0
    assert not sock.exists()


def _client(sock: Path | str, cwd: Path, **env: str) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", ENV_SOCKET)}
    full.update(env, **{ENV_SOCKET: str(sock), "PREFECT_API_URL": "http://client.invalid/api"})
    return subprocess.Popen([sys.executable, "-I", "-S", str(CLIENT), "an", "argument"],
                            cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_the_run_is_the_clients_in_all_but_its_imports(starter: Path, tmp_path: Path) -> None:
    client = _client(starter, tmp_path, PROBE_MARKER="mine", PROBE_CODE="3")
    out, err = client.communicate(timeout=60)
    assert client.returncode == 3, err  # the run's exit code is the client's
    seen = json.loads(out.splitlines()[0])
    assert seen["pid"] != client.pid  # forked by the starter, not run in the client
    assert seen["cwd"] == str(tmp_path)
    assert seen["argv"] == ["an", "argument"]
    assert seen["marker"] == "mine"
    assert seen["starter_only"] is None  # the starter's own environment is gone
    assert seen["api_url"] == "http://client.invalid/api"  # Prefect's settings rebuilt
    assert "to stderr" in err  # the client's streams are the run's


def test_a_sigterm_to_the_client_reaches_the_run(starter: Path, tmp_path: Path) -> None:
    client = _client(starter, tmp_path, PROBE_TERM="1", PROBE_SLEEP="60")
    first = client.stdout.readline()  # the run has started and set its handler
    assert json.loads(first)["pid"]
    client.send_signal(signal.SIGTERM)
    out, _ = client.communicate(timeout=60)
    assert "terminated" in out
    assert client.returncode == 7


def test_a_run_dies_of_the_signal_it_died_of(starter: Path, tmp_path: Path) -> None:
    client = _client(starter, tmp_path, PROBE_SLEEP="60")
    run = psutil.Process(json.loads(client.stdout.readline())["pid"])
    run.kill()
    client.communicate(timeout=60)
    assert client.returncode == -signal.SIGKILL  # as the worker would see a cold run's


def test_killing_the_client_kills_the_run_and_what_it_started(starter: Path,
                                                              tmp_path: Path) -> None:
    client = _client(starter, tmp_path, PROBE_SLEEP="300", PROBE_GRANDCHILD="1")
    seen = json.loads(client.stdout.readline())
    run, grandchild = psutil.Process(seen["pid"]), psutil.Process(seen["grandchild"])
    client.kill()  # what the worker does after a cancellation's grace period
    client.wait(30)
    _, alive = psutil.wait_procs([run, grandchild], timeout=30)
    assert not alive, f"still running after their client was killed: {alive}"


def test_without_a_starter_the_client_starts_the_run_cold(tmp_path: Path) -> None:
    client = _client(tmp_path / "no.sock", tmp_path)
    _, err = client.communicate(timeout=120)
    assert "starting the run cold" in err
    # It became `python -m prefect.engine`, which wants a flow run id.
    assert "Invalid flow run id" in err
    assert client.returncode == 1


def test_the_pool_command_is_the_client_with_this_interpreter() -> None:
    command = flow_run_command(PROJECT)
    assert command.split() == [sys.executable, "-I", "-S", str(CLIENT)]


def test_changed_code_is_never_run_from_memory(tmp_path: Path) -> None:
    """A deploy or `git pull` under a running starter: the next run starts cold (the new
    code), and the starter restarts itself to import the new code."""
    process, sock = _start(tmp_path)
    try:
        warm = _client(sock, tmp_path)
        assert warm.communicate(timeout=60)[0] and warm.returncode == 0
        (tmp_path / "code" / "module.py").write_text("VERSION = 22\n")
        cold = _client(sock, tmp_path)
        _, err = cold.communicate(timeout=120)
        assert "the code changed" in err and "starting the run cold" in err
        _wait(lambda: _log(tmp_path).count("ready on") == 2, 120, "starter restarted")
        assert process.poll() is None  # the same process, a new interpreter (exec)
        again = _client(sock, tmp_path, PROBE_CODE="5")
        out, err = again.communicate(timeout=60)
        assert again.returncode == 5 and json.loads(out.splitlines()[0])["pid"], err
    finally:
        process.terminate()
        process.wait(30)
