"""``gritwit serve`` as a process of its own, for the tests that stop and kill it.

:func:`start` runs ``python -m gritwit serve STORE --listen 127.0.0.1:0`` (HTTP-001.3:
loopback, a free port) in a session of its own, waits for the one line that names its
URL, and returns a :class:`Service`; :meth:`Service.stop` sends SIGTERM and waits for
the exit status (HTTP-001.4), :meth:`Service.kill` sends SIGKILL.  A service still
running when its test ends is killed by :func:`stopping`, the context manager the tests
use, so no test leaves a server behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Seconds a service may take to say where it listens (the first start imports wasmtime
#: and the sandbox's interpreter on a loaded two-core machine).
START_LIMIT = 120.0
#: Seconds a SIGTERM'd service may take to commit what it acknowledged and exit.
STOP_LIMIT = 60.0
_LISTENING = re.compile(r"^gritwit serve: listening on (http://127\.0\.0\.1:\d+)$")


@dataclass
class Service:
    """One running ``gritwit serve`` process and the URL it answered."""

    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)

    def stop(self) -> int:
        """SIGTERM, then the exit status (HTTP-001.4 says 0)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_LIMIT)

    def kill(self) -> None:
        """SIGKILL, at whatever point the service is."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_LIMIT)


def start(
    store: str | Path,
    *extra: str,
    env: dict[str, str] | None = None,
    program: Sequence[str] = (sys.executable, "-m", "gritwit"),
) -> Service:
    """Start a service over ``store`` (created if new) and wait until it listens;
    ``program``: the command whose ``serve`` it is (a wrong service's, to see a test bite)."""
    command: Sequence[str] = (
        *program,
        "serve",
        "--store",
        str(store),
        "--create",
        "--listen",
        "127.0.0.1:0",
        *extra,
    )
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # a SIGKILL of its group reaches uvicorn's workers too
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            match = _LISTENING.match(line.strip())
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()  # the process ended without listening

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_LIMIT) or not found:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_LIMIT)
        tail = "\n".join(lines[-30:])
        raise AssertionError(f"gritwit serve did not say where it listens:\n{tail}")
    return Service(process, found[0], lines)


@contextlib.contextmanager
def stopping(services: list[Service]) -> Iterator[list[Service]]:
    """Kill each service of ``services`` (which the block may add to) still running when
    the block ends, however it ends."""
    try:
        yield services
    finally:
        for service in services:
            if service.process.poll() is None:
                service.kill()
