"""The command a work pool runs per flow run: have the pre-warmed starter fork the run.

Standard library only and run with ``python -I -S`` so that it starts in tens of
milliseconds (see :mod:`infra.flow_starter` for why and how). To the worker this
process *is* the run: it has the run's environment, the run writes to its
standard streams, it exits with the run's code (or dies of the run's signal), and
a SIGTERM/SIGINT sent to it reaches the run. When the starter cannot be reached it
becomes ``python -m prefect.engine`` (``exec``), the worker's default command.

Kept free of project imports on purpose: it must not depend on the working
directory Prefect gives it, and must not import what it exists to avoid importing.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import sys

# The wire, shared with infra.flow_starter (which imports these): a 4-byte length,
# then JSON; the request carries the client's fds 0-2.
ENV_SOCKET = "DOSSIER_FLOW_STARTER"
HEADER = struct.Struct("!I")
_FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _say(text: str) -> None:
    print(f"flow starter client: {text}", file=sys.stderr, flush=True)


def _cold_start(reason: str) -> None:
    """Run the flow the worker's own way, in this process."""
    _say(f"{reason}; starting the run cold (python -m prefect.engine)")
    os.execv(sys.executable, [sys.executable, "-m", "prefect.engine", *sys.argv[1:]])


def _connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    return sock


def frame(message: dict) -> bytes:
    data = json.dumps(message).encode()
    return HEADER.pack(len(data)) + data


def _send_request(sock: socket.socket) -> None:
    frame_ = frame({"env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv[1:]})
    sent = socket.send_fds(sock, [frame_], [0, 1, 2])
    if sent < len(frame_):  # (an empty sendall still writes, and fails once refused)
        sock.sendall(frame_[sent:])


class _Messages:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def next(self) -> dict | None:
        """The next message, or None when the starter's end closed first."""
        while True:
            if len(self.buffer) >= HEADER.size:
                (length,) = HEADER.unpack_from(self.buffer)
                if len(self.buffer) >= HEADER.size + length:
                    body = self.buffer[HEADER.size:HEADER.size + length]
                    self.buffer = self.buffer[HEADER.size + length:]
                    return json.loads(body)
            try:
                chunk = self.sock.recv(65536)
            except InterruptedError:
                continue
            if not chunk:
                return None
            self.buffer += chunk


def main() -> int:
    path = os.environ.get(ENV_SOCKET)
    if not path:
        _cold_start(f"{ENV_SOCKET} is not set")
    sock = _connect(path)
    if sock is None:
        _cold_start(f"no flow starter at {path}")
    pending: list[int] = []
    run_pid: list[int] = []

    def forward(signum: int, frame: object) -> None:
        if run_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(run_pid[0], signum)
        else:
            pending.append(signum)

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    try:
        _send_request(sock)
    except OSError as error:
        _cold_start(f"the flow starter did not take the request ({error})")
    messages = _Messages(sock)
    first = messages.next()
    if first is None or "pid" not in first:
        why = (first or {}).get("refused", "it closed the connection")
        _cold_start(f"the flow starter refused the run ({why})")
    run_pid.append(int(first["pid"]))
    for signum in pending:
        forward(signum, None)
    outcome = messages.next()
    if outcome is None:
        _say("the flow starter went away; the run's exit status is unknown")
        return 1
    if "signal" in outcome:
        signum = int(outcome["signal"])
        if signum not in (signal.SIGKILL, signal.SIGSTOP):  # those have no handler to reset
            signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum  # for a signal that does not end a process
    return int(outcome.get("code", 1))


if __name__ == "__main__":
    sys.exit(main())
