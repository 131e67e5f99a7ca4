"""A pre-warmed flow-run starter: one process that has imported the pipeline forks each run.

Prefect's process worker starts every flow run as ``python -m prefect.engine``; on
this kind of machine that is ~25 s of a one-page dossier's ~45 s before any page is
read: the interpreter, Prefect (5 s), the flow modules and their libraries
(SQLAlchemy, alembic, 5 s), Great Expectations at validation (7 s). The runs are
the same code every time, so this service imports it once and forks a child per
run, the way a zygote does (Android, uWSGI's ``lazy-apps=false``, gunicorn's
``--preload``): the child starts with every module in memory, copy-on-write.

The worker still starts a process per run and still sees its pid, its output and
its exit status: the pool's command is :mod:`infra.flow_starter_client`, a
standard-library-only script (~50 ms) that hands its environment, working
directory and standard streams to this server over a unix socket and then mirrors
the forked run: same exit code, or the same signal; a SIGTERM or SIGINT it gets is
passed on. The run is bound to the client: when the client dies (``kill -9``,
the worker's kill after a cancellation grace period) the run's watcher thread
kills the run's whole process group, page workers included, as a cold run would
die. Without this server (not started, stopped, socket refused) the client
``exec``s ``python -m prefect.engine`` itself: slower, never lost.

What the child must not inherit from the parent: threads (none run at fork time:
checked, and the server refuses to fork with others alive), the parent's
environment (replaced by the client's, then Prefect's settings context and ours
rebuilt from it), the parent's working directory and standard streams.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import runpy
import select
import signal
import socket
import sys
import threading
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a script by the worker service
    sys.path.insert(0, str(PROJECT))

from infra.flow_starter_client import HEADER, frame  # noqa: E402

log = logging.getLogger("infra.flow_starter")

ENGINE_MODULE = "prefect.engine"
MAX_REQUEST = 1 << 20  # an environment of a megabyte is a mistake, not a flow run

# What runs import: the engine, every flow module and every stage module (the
# stages' heavy libraries are imported where used, so a flow module alone is light).


def preload_modules() -> list[str]:
    def package(name: str) -> list[str]:
        folder = PROJECT.joinpath(*name.split("."))
        return [f"{name}.{p.stem}" for p in sorted(folder.glob("[a-z]*.py"))]

    return ["prefect.engine", "prefect.flow_engine", *package("flows"),
            *package("tasks.stages")]


# The code a run may read: a change under these (a deploy, a `git pull`) makes the
# imported modules stale, and a run of stale code would be recorded under the new
# code's fingerprint. Checked before every fork (a few ms for ~350 files).
WATCHED = ("flows", "tasks", "schemas", "dossier", "expectations", "infra",
           "prefect.yaml", "pyproject.toml")
_NOT_CODE = ("__pycache__", "uncommitted")


def code_snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under ``roots``."""
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            stat = root.stat()
            seen[str(root)] = (stat.st_mtime_ns, stat.st_size)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in _NOT_CODE]
            for name in files:
                with contextlib.suppress(OSError):
                    stat = os.stat(os.path.join(folder, name))
                    seen[os.path.join(folder, name)] = (stat.st_mtime_ns, stat.st_size)
    return seen


def preload(modules: list[str] | None = None) -> list[str]:
    """Import ``modules`` (default: :func:`preload_modules` and Great Expectations in its
    deferred form); the names that failed."""
    failed = []
    for name in modules if modules is not None else preload_modules():
        try:
            importlib.import_module(name)
        except Exception:  # a module the child will import itself, loudly, if it needs it
            log.warning("flow starter: could not preload %s", name, exc_info=True)
            failed.append(name)
    if modules is not None:
        return failed
    try:
        from tasks.quality.context import import_gx

        import_gx()
    except Exception:
        log.warning("flow starter: could not preload Great Expectations", exc_info=True)
        failed.append("great_expectations")
    return failed


# --- the wire (infra.flow_starter_client: HEADER, frame) ---

def send_message(sock: socket.socket, message: dict) -> None:
    sock.sendall(frame(message))


def _recv_exact(sock: socket.socket, size: int, into: bytearray) -> None:
    while len(into) < size:
        chunk = sock.recv(size - len(into))
        if not chunk:
            raise ConnectionError("peer closed mid-message")
        into += chunk


def receive_request(sock: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(sock, 65536, 3)
    buffer = bytearray(data)
    try:
        _recv_exact(sock, HEADER.size, buffer)
        (length,) = HEADER.unpack_from(buffer)
        if length > MAX_REQUEST:
            raise ValueError(f"request of {length} bytes refused")
        _recv_exact(sock, HEADER.size + length, buffer)
        return json.loads(buffer[HEADER.size:HEADER.size + length]), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


# --- the child: become the run ---

def _die_with_client(conn: socket.socket) -> None:
    """Block until the client's end closes; then the run and its page workers go too."""
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _become_run(conn: socket.socket, listener: socket.socket, request: dict, fds: list[int],
                module: str) -> int:
    listener.close()
    os.setsid()  # a group of its own: the run and the page workers it starts
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = [module, *request.get("argv", [])]
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)

    import prefect.context

    from dossier.settings import reset_settings

    prefect.context.refresh_global_settings_context()  # PREFECT_* of this run, not ours
    reset_settings()
    threading.Thread(target=_die_with_client, args=(conn,), name="flow-starter-client",
                     daemon=True).start()
    code: int = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    return code


def _child_main(conn: socket.socket, listener: socket.socket, request: dict,
                fds: list[int], module: str) -> None:
    code = 1
    try:
        code = _become_run(conn, listener, request, fds, module)
    finally:
        # What a normal interpreter exit does: atexit (Prefect flushes its log and
        # event workers there), then the streams; never return into the server's loop.
        import atexit

        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


# --- the server ---

def _status_message(status: int) -> dict:
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"code": os.waitstatus_to_exitcode(status)}


class FlowStarter:
    def __init__(self, socket_path: Path, module: str = ENGINE_MODULE,
                 watched: list[Path] | None = None) -> None:
        self.socket_path = socket_path
        self.module = module
        self.watched = watched if watched is not None else [PROJECT / w for w in WATCHED]
        self.code: dict[str, tuple[int, int]] = {}
        self.stale = False  # the code changed: restart once no run is in flight
        # child pid -> its client's connection (None once the client is gone)
        self.runs: dict[int, socket.socket | None] = {}
        self.stopping = False

    def bind(self) -> socket.socket:
        """Bound before preloading: clients that come meanwhile wait in the backlog."""
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # only this user's processes may start runs
        try:
            listener.bind(str(self.socket_path))
        finally:
            os.umask(old_umask)
        listener.listen(64)
        return listener

    def serve(self, listener: socket.socket) -> None:
        self.code = code_snapshot(self.watched)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        log.info("flow starter: ready on %s (%s)", self.socket_path, self.module)
        try:
            while not self.stopping:
                with contextlib.suppress(InterruptedError):
                    readable, _, _ = select.select(
                        [listener, *(c for c in self.runs.values() if c is not None)],
                        [], [], 0.5)
                    for ready in readable:
                        if ready is listener:
                            self._accept(listener)
                        else:
                            self._client_gone(ready)
                self._reap()
                if self.stale and not self.runs:
                    self._restart(listener)
        finally:
            listener.close()
            self.socket_path.unlink(missing_ok=True)
            # Runs in flight keep going (their clients still wait on them); their
            # statuses can no longer be told, so each client reports that itself.
            log.info("flow starter: stopped with %d run(s) in flight", len(self.runs))

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _restart(self, listener: socket.socket) -> None:
        """Import the changed code afresh: the same command, a new interpreter."""
        log.info("flow starter: the code changed; restarting to import it")
        listener.close()
        self.socket_path.unlink(missing_ok=True)
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])

    def _refuse(self, conn: socket.socket, fds: list[int], why: str) -> None:
        """The client then starts the run cold: correct, only slower."""
        log.warning("flow starter: refusing a run: %s", why)
        with contextlib.suppress(OSError):
            send_message(conn, {"refused": why})
        for fd in fds:
            os.close(fd)
        conn.close()

    def _accept(self, listener: socket.socket) -> None:
        conn, _ = listener.accept()
        try:
            conn.settimeout(10)
            request, fds = receive_request(conn)
            conn.settimeout(None)
        except (OSError, ValueError, ConnectionError) as error:
            log.warning("flow starter: refused a request: %s", error)
            conn.close()
            return
        others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
        if others:  # a fork with threads can deadlock the child on a lock they held
            self._refuse(conn, fds, f"threads {others} alive in the flow starter")
            return
        if self.stale or code_snapshot(self.watched) != self.code:
            self.stale = True
            self._refuse(conn, fds, "the code changed since the starter imported it "
                         "(it restarts once its runs in flight end)")
            return
        pid = os.fork()
        if pid == 0:
            for other in self.runs.values():  # other runs' clients are not this run's
                if other is not None:
                    other.close()
            _child_main(conn, listener, request, fds, self.module)
        for fd in fds:
            os.close(fd)
        self.runs[pid] = conn
        with contextlib.suppress(OSError):
            send_message(conn, {"pid": pid})
        log.info("flow starter: run process %d started", pid)

    def _client_gone(self, conn: socket.socket) -> None:
        """EOF from a client: its run kills itself (see _die_with_client); stop watching."""
        with contextlib.suppress(OSError):
            if conn.recv(4096):
                return
        for pid, known in list(self.runs.items()):
            if known is conn:
                self.runs[pid] = None
        conn.close()

    def _reap(self) -> None:
        while self.runs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.runs:
                continue
            conn = self.runs.pop(pid)
            message = _status_message(status)
            log.info("flow starter: run process %d ended %s", pid, message)
            if conn is None:
                continue
            with contextlib.suppress(OSError):
                send_message(conn, message)
            conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--module", default=ENGINE_MODULE,
                        help="the module a run executes as __main__ (tests use a probe)")
    parser.add_argument("--watch", action="append", type=Path, metavar="PATH",
                        help="files and folders whose change means a restart (default: "
                        "the project's code, data tables and expectations)")
    parser.add_argument("--preload", action="append", metavar="MODULE",
                        help="import only these before serving (default: every flow "
                        "and stage module, and Great Expectations)")
    args = parser.parse_args(argv)
    # Our lines only: a root handler would also print every library's INFO lines here,
    # and each forked run would inherit it.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    starter = FlowStarter(args.socket, args.module, args.watch)
    listener = starter.bind()
    failed = preload(args.preload)
    log.info("flow starter: preloaded (%d failed%s)", len(failed),
             f": {', '.join(failed)}" if failed else "")
    starter.serve(listener)
    return 0


if __name__ == "__main__":
    sys.exit(main())
