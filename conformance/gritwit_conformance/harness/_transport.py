"""Child processes speaking the adapter protocol — the only module that spawns them (ADP-001).

A broken adapter (garbage on stdout, a wrong ``seq``, silence past the
time-out, an exit) raises :class:`AdapterBroken` with the reason and the tail
of the adapter's standard error; the process is then killed, never waited on
without a bound (ADP-011, ADP-012).

Slow is not hung (ADP-012.1–ADP-012.4): the harness waits the scaled limit for a
response, then keeps waiting while the adapter's session still makes progress (CPU
time, bytes on standard output or standard error, a disk wait), sampled once per
progress interval, up to the hard cap; :mod:`._limits` holds the rule.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import IO, Any

from ._limits import AnswerLimit, Sample, judge
from ._procfs import session_usage

__all__ = [
    "MAX_LINE",
    "WASM_DIR_VARIABLE",
    "adapter_environment",
    "AdapterBroken",
    "AdapterProcess",
    "child_pids",
    "kill_all",
    "terminate_children",
]

#: Longest response line accepted: a 16 MiB object in hex plus room for JSON.
MAX_LINE = 40 * 1024 * 1024
_STDERR_TAIL = 4000
#: Bytes asked of the pipe at a time: one read returns what is there, up to this.
_CHUNK = 1 << 20
_EOF = object()
#: Every adapter process of this process that may still run, for :func:`kill_all`.
_LIVE: weakref.WeakSet[AdapterProcess] = weakref.WeakSet()


#: The variable naming the suite's folder of Wasm builds to an adapter (ADP-001.5).
WASM_DIR_VARIABLE = "GRITWIT_WASM_DIR"


def adapter_environment() -> dict[str, str]:
    """The harness's environment, with :data:`WASM_DIR_VARIABLE` naming the suite's Wasm
    builds (``conformance/wasm``: the test actors' in ``actors/``, WASM-022) unless it is
    set already, so that an adapter that runs them finds the ones the suite judges with
    wherever the adapter was copied (ADP-001.5)."""
    from ..data._paths import ResourcesMissing, wasm_dir

    env = dict(os.environ)
    if WASM_DIR_VARIABLE not in env:
        with contextlib.suppress(ResourcesMissing):
            env[WASM_DIR_VARIABLE] = str(wasm_dir().resolve())
    return env


class AdapterBroken(Exception):
    """The implementation under test broke the protocol, hung or died (ADP-012).

    ``requirement`` is the rule the adapter broke, for the report's blame: by
    default ADP-003.1 (every request gets its response).
    """

    def __init__(
        self,
        reason: str,
        stderr: str = "",
        requirement: str = "ADP-003.1",
        *,
        timed_out: bool = False,
        request: str | None = None,
    ) -> None:
        self.reason = reason
        self.stderr = stderr
        self.requirement = requirement
        #: No answer came within the time limit (ADP-012): reported as *timed out*, apart
        #: from a broken answer or an exit, and never alone the proof of a caught mutant.
        self.timed_out = timed_out
        #: The request that got the broken answer, as sent, when it is not the
        #: implementation's last request (a raw line to a separate process, ADP-001.4).
        self.request = request
        text = (
            reason if not stderr.strip() else f"{reason}\n--- adapter stderr (tail) ---\n{stderr}"
        )
        super().__init__(text)


class AdapterProcess:
    """One running adapter: write a request line, read a response line, with a time-out.

    ``timeout`` is the base limit and ``scale`` its scale (ADP-012.1, ADP-012.2).
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        timeout: float,
        scale: float = 1.0,
        cwd: str | None = None,
    ) -> None:
        self.command = list(command)
        self.timeout = timeout
        self.limits = AnswerLimit(base=timeout, scale=scale)
        #: Bytes the adapter has written to standard output so far (ADP-012.3).
        self._stdout_bytes = 0
        #: The last lines written to the adapter, for a broken answer's report (ADP-001.4).
        self.last_sent = b""
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _cleanup
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=cwd,
                env=adapter_environment(),
                start_new_session=True,  # its own process group: kill() reaches its children
            )
        except OSError as exc:
            self._stderr.close()
            raise AdapterBroken(f"cannot start {self.command!r}: {exc}", "", "ADP-001") from None
        _LIVE.add(self)
        self._lines: queue.Queue[Any] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Split standard output into lines, counting its bytes as they come (ADP-012.3).

        A line longer than :data:`MAX_LINE` (newline included) is handed on cut at
        that length, and reading stops: :meth:`exchange_raw` reports it (ADP-001.3).
        """
        stdout = self._proc.stdout
        assert isinstance(stdout, io.BufferedReader)
        buffer = bytearray()
        scanned = 0  # no newline in buffer[:scanned]
        try:
            while True:
                chunk = stdout.read1(_CHUNK)
                if not chunk:
                    if buffer:
                        self._lines.put(bytes(buffer))  # a last line without its newline
                    break
                self._stdout_bytes += len(chunk)
                buffer += chunk
                while (end := buffer.find(b"\n", scanned, MAX_LINE)) >= 0:
                    self._lines.put(bytes(buffer[: end + 1]))
                    del buffer[: end + 1]
                    scanned = 0
                if len(buffer) >= MAX_LINE:
                    self._lines.put(bytes(buffer[:MAX_LINE]))  # over-long: stop reading
                    break
                scanned = len(buffer)
        except (OSError, ValueError):
            pass
        self._lines.put(_EOF)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self._stderr.flush()
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, size - _STDERR_TAIL))
            return self._stderr.read().decode("utf-8", "replace")
        return ""

    def stderr_since(self, offset: int, limit: int = _STDERR_TAIL) -> str:
        """What the adapter wrote to standard error from byte ``offset`` on: the last
        ``limit`` bytes of it, ``…`` before them when more came (ADP-020.7)."""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.flush()
            size = self._stderr.seek(0, os.SEEK_END)
            start = max(offset, size - limit)
            self._stderr.seek(start)
            text = self._stderr.read().decode("utf-8", "replace")
            return f"…{text}" if start > offset and text else text
        return ""

    def stderr_size(self) -> int:
        """Bytes the adapter has written to standard error so far."""
        return self._stderr_bytes()

    def _stderr_bytes(self) -> int:
        with contextlib.suppress(OSError, ValueError):
            return os.fstat(self._stderr.fileno()).st_size
        return 0

    def sample(self, started: float) -> Sample:
        """What the adapter's session has done by now, ``started`` the request's time."""
        usage = session_usage(self._proc.pid)
        return Sample(
            at=time.monotonic() - started,
            cpu=usage.cpu,
            stdout=self._stdout_bytes,
            stderr=self._stderr_bytes(),
            disk_wait=usage.disk_wait,
        )

    def sent_text(self) -> str | None:
        """The last lines written to the adapter, as text (None before any)."""
        if not self.last_sent:
            return None
        return self.last_sent.decode("utf-8", "backslashreplace").rstrip("\n")

    def _broken(self, reason: str, requirement: str = "ADP-003.1") -> AdapterBroken:
        self.kill()
        return AdapterBroken(reason, self.stderr_tail(), requirement, request=self.sent_text())

    def answer_json(self, line: bytes, what: object) -> Any:
        """``line`` decoded as JSON; anything else is the adapter's break (ADP-001.4).

        For the tests that read raw answers: an answer that is no JSON is *errored*,
        with the request that got it, never an assertion of the test.
        """
        try:
            return json.loads(line)
        except (UnicodeDecodeError, ValueError, RecursionError):
            shown = line[:200].decode("utf-8", "backslashreplace").rstrip("\n")
            raise self._broken(
                f"the answer to {what} is not JSON (ADP-001.4: nothing else on standard "
                f"output): {shown!r}",
                "ADP-001.4",
            ) from None

    def answered_on_stderr(self, seq: object) -> bool:
        """A response to ``seq`` went to standard error instead of standard output (ADP-001.2)."""
        return re.search(rf'"seq":\s*{seq}\b', self.stderr_tail()) is not None

    def send_only(self, message: dict[str, Any]) -> None:
        """Write one request and do not wait for its answer (a kill follows, ADP-015)."""
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
            stdin.flush()

    def exchange(
        self,
        message: dict[str, Any],
        *,
        timeout: float | None = None,
        watch: Callable[[], None] | None = None,
    ) -> bytes:
        """Send one request and return the raw response line (ADP-001, ADP-003).

        ``watch``: the test's own check of what the adapter is doing, called once per
        progress interval after the limit passed (ADP-012.3); what it raises kills the
        adapter and ends the wait, so a bound the test can see broken (a service adopting
        steps without end) fails the test instead of waiting for the hard cap."""
        data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        return self.exchange_raw(
            data, message.get("cmd"), message.get("seq"), timeout=timeout, watch=watch
        )

    def read_line(self, *, timeout: float | None = None) -> bytes:
        """One more raw line of standard output (protocol tests that send raw lines)."""
        return self.exchange_raw(b"", "(raw lines)", None, timeout=timeout)

    def exchange_raw(
        self,
        data: bytes,
        cmd: object,
        seq: object,
        *,
        timeout: float | None = None,
        watch: Callable[[], None] | None = None,
    ) -> bytes:
        """Write ``data`` as it is (raw lines, for the protocol tests) and read one line."""
        stdin = self._proc.stdin
        assert stdin is not None
        if data:
            self.last_sent = data
        try:
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            status = self._exit_status()
            if status is not None:
                raise self._broken(f"the adapter exited (status {status}) before {cmd}") from None
            raise self._broken(f"the adapter closed its input before {cmd}") from None
        limits = self.limits
        if timeout is not None:
            limits = AnswerLimit(base=timeout, scale=limits.scale)
        line = self._await_line(limits, cmd, seq, watch)
        if line is _EOF:
            status = self._exit_status()
            raise self._broken(f"the adapter exited (status {status}) while answering {cmd}")
        assert isinstance(line, bytes)
        if not line.endswith(b"\n"):
            raise self._broken(
                f"response to {cmd} is not a complete line of at most {MAX_LINE} bytes",
                "ADP-001.3",
            )
        return line

    def _await_line(
        self,
        limits: AnswerLimit,
        cmd: object,
        seq: object,
        watch: Callable[[], None] | None = None,
    ) -> object:
        """The next line or EOF: within the limit, or later while progress lasts (ADP-012)
        and ``watch`` raises nothing (:meth:`exchange`)."""
        started = time.monotonic()
        try:
            return self._lines.get(timeout=limits.limit)
        except queue.Empty:
            pass
        if seq is not None and self.answered_on_stderr(seq):
            raise self._on_stderr(cmd, limits)
        before = self.sample(started)
        checks = 0
        while True:
            # Samples at L + P, L + 2P, …, so that their own cost adds no drift, but at
            # least half an interval apart: CPU time is counted in ticks of 10 ms.
            checks += 1
            due = started + limits.limit + checks * limits.interval
            earliest = started + before.at + limits.interval / 2
            wait = max(due, earliest) - time.monotonic()
            try:
                return self._lines.get(timeout=max(0.0, wait))
            except queue.Empty:
                pass
            if watch is not None:
                try:
                    watch()
                except BaseException:
                    self.kill()  # the test saw a bound broken: no answer is waited for
                    raise
            after = self.sample(started)
            hang = judge(before, after, limits)
            if hang is not None:
                if seq is not None and self.answered_on_stderr(seq):
                    raise self._on_stderr(cmd, limits)
                broken = self._broken(
                    f"no response to {cmd} within {limits.describe()} (adapter hangs: {hang}; "
                    f"{after.at:.3g} s after the request)"
                )
                broken.timed_out = True
                raise broken
            before = after

    def _on_stderr(self, cmd: object, limits: AnswerLimit) -> AdapterBroken:
        return self._broken(
            f"no response to {cmd} within {limits.describe()} on standard output: "
            "the adapter wrote it to standard error",
            "ADP-001.2",
        )

    def _exit_status(self) -> int | None:
        """The exit status if the adapter has exited or exits within a second, else None."""
        status = self._proc.poll()
        if status is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self._proc.wait(timeout=1)
        return status

    def shutdown(self, grace: float = 5.0) -> int | None:
        """Close politely: ``shutdown`` was sent by the caller; close stdin, wait, then kill."""
        with contextlib.suppress(OSError, ValueError):
            if self._proc.stdin:
                self._proc.stdin.close()
        try:
            status = self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._cleanup()
        return status

    def kill(self) -> None:
        """SIGKILL the adapter's whole process group and reap it."""
        # Always signal the group: the leader may be gone while a child of it
        # still holds stdout open.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        self._cleanup()

    def _cleanup(self) -> None:
        _LIVE.discard(self)
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream:
                    stream.close()


def kill_all() -> None:
    """SIGKILL the process group of every adapter this process started (an interrupted run).

    Safe in a signal handler: it only sends signals; the processes are reaped later.
    """
    for proc in list(_LIVE):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def child_pids(parent: int) -> list[int]:
    """The live child processes of ``parent``, read from ``/proc`` (Linux; [] elsewhere)."""
    children = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == parent and fields[0] != "Z":
                    children.append(int(entry.name))
    return children


def terminate_children(grace: float = 3.0) -> None:
    """SIGTERM every child of this process, SIGKILL those left after ``grace`` seconds.

    The children are the xdist workers (each kills its own adapters on SIGTERM) and
    adapters started here; afterwards the run leaves no process behind.
    """
    kill_all()
    me = os.getpid()
    for pid in child_pids(me):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while child_pids(me) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in child_pids(me):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
