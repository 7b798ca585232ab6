"""A :class:`~asv_bench._relay.Relay` in a process of its own, one per runtime process
(DUR-005).

One relay thread for every connection of every runtime held chunks for 128–327 ms under
load where it was meant to hold 1–5 ms: the relay, not the store, was then measured.
Here each runtime process of ``tools/multi_runtime`` gets a relay process of its own
(not capped: it stands for the network, not for the runtime's machine), so no relay
serves more than one runtime's connections, and each reports its own added delay (the
mean hold beyond the delay asked for, :attr:`RelayStats.mean_excess`).

``python -m asv_bench._relay_process UPSTREAM DELAY_MS`` answers ``{"port": N}``, then
one line per command on stdin: ``stats`` (the totals as JSON, its own CPU included),
``reset``; it ends at ``quit`` or the end of stdin.  ``UPSTREAM``: a Unix socket path
or ``HOST:PORT``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import TracebackType

from ._relay import Relay, RelayStats, through

#: Seconds the parent waits for a relay process to answer or to end.
LIMIT = 30.0


def _upstream(text: str) -> Path | tuple[str, int]:
    if text.startswith("/"):
        return Path(text)
    host, _, port = text.rpartition(":")
    return host, int(port)


def _text(upstream: Path | tuple[str, int]) -> str:
    return str(upstream) if isinstance(upstream, Path) else f"{upstream[0]}:{upstream[1]}"


class RelayProcess:
    """The parent's handle on one relay process (a context manager)."""

    def __init__(self, upstream: Path | tuple[str, int], *, delay_ms: float = 0.0) -> None:
        self.upstream, self.delay_ms = upstream, delay_ms
        self.child: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> RelayProcess:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "asv_bench._relay_process", _text(self.upstream),
             repr(self.delay_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        self.port = int(self._ask(None)["port"])
        return self

    def _ask(self, command: str | None) -> dict[str, float]:
        child = self.child
        assert child is not None and child.stdin is not None and child.stdout is not None
        if command is not None:
            child.stdin.write(command + "\n")
            child.stdin.flush()
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"a relay process exited ({child.wait()})")
        answer: dict[str, float] = json.loads(line)
        return answer

    @property
    def pid(self) -> int:
        assert self.child is not None
        return self.child.pid

    def url(self, url: str) -> str:
        """``url`` through this relay (see :func:`~asv_bench._relay.through`)."""
        return through(url, self.port)

    def stats(self) -> RelayStats:
        """The relay's totals since its start or last :meth:`reset`, its process's CPU
        as ``relay_cpu``."""
        return RelayStats(**self._ask("stats"))  # type: ignore[arg-type]

    def reset(self) -> None:
        self._ask("reset")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        child = self.child
        if child is None:
            return
        if child.stdin is not None:
            try:
                child.stdin.write("quit\n")
                child.stdin.close()
            except OSError:
                pass
        try:
            child.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
        self.child = None


def main(argv: list[str]) -> int:
    """Run one relay until ``quit`` or the end of stdin."""
    upstream, delay = argv
    with Relay(_upstream(upstream), delay_ms=float(delay)) as relay:
        print(json.dumps({"port": relay.port}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                counted = asdict(relay.stats())
                counted["relay_cpu"] = time.process_time()  # the whole process's
                print(json.dumps(counted), flush=True)
            elif command == "reset":
                relay.reset()
                print(json.dumps({"reset": True}), flush=True)
            else:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
