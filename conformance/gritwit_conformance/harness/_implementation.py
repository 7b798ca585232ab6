"""The implementation under test: a child process or the in-process reference (ADP-005, ADP-012).

Both kinds are driven the same way — a request dict in, a :class:`Response`
out, every message serialised to JSON and schema-checked — so the reference
in-process and ``gritwit adapter`` over stdio answer identically.

After a broken exchange an implementation is *poisoned* until :meth:`reset`:
later calls in the same test fail at once instead of waiting for another
time-out (so hypothesis can shrink quickly), and the next test starts a fresh
process with a fresh handshake.
"""

from __future__ import annotations

import json
import random
import shlex
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from gritwit.adapter._profiles import PROFILE_COMMANDS as _PROFILE_COMMANDS
from gritwit.adapter._profiles import profiles_needed

from ._exchange import ExchangeLog
from ._messages import (
    ProtocolViolation,
    Response,
    bound_message,
    check_request,
    parse_response,
)
from ._transport import AdapterBroken, AdapterProcess

__all__ = [
    "PROFILE_COMMANDS",
    "PROTOCOL_VERSION",
    "FEATURE_ARGUMENTS",
    "CannotKillMidCommand",
    "HandshakeFailed",
    "Implementation",
    "InProcess",
    "MissingCommand",
    "Subprocess",
    "UndeclaredProfile",
    "check_handshake",
    "make_implementation",
]

PROTOCOL_VERSION = 1
REFERENCE = "reference"

#: The commands each profile requires (ADP-006, ADP-009, ADP-010, ADP-014 … ADP-019): the
#: reference adapter's table, one copy for the harness and ``gritwit adapter --profiles``.
PROFILE_COMMANDS = _PROFILE_COMMANDS


#: The arguments of each optional feature (ADP-005.7): sent only where it is claimed.
FEATURE_ARGUMENTS: dict[str, dict[str, str]] = {
    "rt-open": {"share": "shares"},
    "rt-genesis": {"placement": "placement"},  # RUN-021.7
    "http-serve": {"share": "shares", "tokens": "tokens", "host": "tokens"},  # ADP-021
    "store-open": {"via": "store-server", "max_write_bytes": "write-limit"},  # ADP-022
}


class UndeclaredProfile(Exception):
    """A test sent a request of a profile it does not declare: a bug of the suite (ADP-006).

    An implementation that does not claim that profile would fail the test for a
    command it never promised; the test must declare every profile it needs
    (``@pytest.mark.profile("runtime", "wasm")``) so that such an implementation
    gets *not claimed* instead.
    """


class MissingCommand(AssertionError):
    """A claimed profile's command answered ``unsupported-command`` (ADP-006)."""

    #: The optional profiles' own rule that a claim means the command (ADP-018.1, ADP-019.1,
    #: ADP-021).
    _CLAIM_RULE: ClassVar[dict[str, str]] = {
        "perf-run": "ADP-018.1",
        "sandbox-info": "ADP-019.1",
        "sandbox-run": "ADP-019.1",
        "http-serve": "ADP-021.1",
        "http-stop": "ADP-021.2",
    }

    def __init__(self, cmd: str) -> None:
        super().__init__(
            f"the implementation claims the profile of {cmd!r} but answers it with "
            "unsupported-command (ADP-006: a claimed profile implements all its commands)"
        )
        #: The rules broken, for the report's blame: ADP-006, and the profile's own.
        self.requirements = tuple(dict.fromkeys((self._CLAIM_RULE.get(cmd, "ADP-006"), "ADP-006")))


class CannotKillMidCommand(Exception):
    """The implementation runs in the harness's process: no kill during a command (ADP-015)."""


class Implementation(ABC):
    """Common driver logic; subclasses move the bytes."""

    label: str
    #: :meth:`kill_during` works: the implementation is a process (ADP-015).
    can_kill: bool = False

    def __init__(self) -> None:
        self._seq = 0
        self._rng = random.Random(0x6772)  # deterministic runs, arbitrary numbers
        self._poison: AdapterBroken | None = None
        self.hello: dict[str, Any] | None = None
        #: The last request sent and its answer, for failure messages (protocol form).
        self.last_request: dict[str, Any] | None = None
        self.last_response: Response | None = None
        #: The running test's requests and answers, for the report (ADP-020.7).
        self.exchanges = ExchangeLog()
        #: The profiles the running test declares (set per test by the plugin's ``impl``
        #: fixture); a request needing another raises :class:`UndeclaredProfile`.  None:
        #: no test is running, or a ``protocol`` test, which may use what is claimed.
        self.declared: frozenset[str] | None = None
        #: The running request's watch (:meth:`call_watched`), None for every other.
        self._watch: Callable[[], None] | None = None

    # --- transport, per kind -----------------------------------------------------------

    @abstractmethod
    def _start(self) -> None: ...

    @abstractmethod
    def _running(self) -> bool: ...

    @abstractmethod
    def _exchange(self, message: dict[str, Any], extra: float = 0.0) -> bytes | str: ...

    @abstractmethod
    def _stop(self, *, kill: bool) -> None: ...

    @abstractmethod
    def _stderr(self) -> str: ...

    # --- the protocol --------------------------------------------------------------------

    def _send(
        self, cmd: str, args: dict[str, Any], *, check: bool = True, extra: float = 0.0
    ) -> Response:
        self._seq += 1
        message = {"seq": self._seq, "cmd": cmd, **args}
        self.last_request, self.last_response = message, None
        if check:
            check_request(message)
        line: bytes | str | None = None
        try:
            line = self._exchange(message, extra)
            self.last_response = parse_response(line, self._seq, cmd, args)
            self.exchanges.add(message, line)
            return self.last_response
        except ProtocolViolation as exc:
            self.exchanges.add(message, line, f"{exc} [{exc.requirement}]")
            self._stop(kill=True)
            raise AdapterBroken(str(exc), self._stderr(), exc.requirement) from None
        except AdapterBroken as exc:
            self.exchanges.add(message, None, f"{exc.reason} [{exc.requirement}]")
            raise

    def _handshake(self) -> None:
        self._start()
        # Start every process at an arbitrary seq, so that an adapter that counts
        # instead of echoing is caught (ADP-003).
        self._seq = self._rng.randrange(1_000, 1_000_000_000)
        response = self._send("hello", {"protocol": PROTOCOL_VERSION})
        if not response.ok:
            self._stop(kill=True)
            raise AdapterBroken(f"handshake refused: {response.error}", self._stderr(), "ADP-005.1")
        self.hello = response.result

    def call(self, cmd: str, *, check: bool = True, **args: Any) -> Response:
        """Send one command; raise :class:`AdapterBroken` if the adapter misbehaves (ADP-012).

        ``check=False`` sends a request that breaks the schema on purpose, to see the
        adapter refuse it (ADP-004, ADP-007); the response is still checked.
        """
        return self._call(cmd, args, check=check, extra=0.0)

    def call_taking(self, seconds: float, cmd: str, **args: Any) -> Response:
        """:meth:`call` for a request a correct implementation spends ``seconds`` on, on
        purpose (a back-off the test measures): they are added to the base limit before it
        is scaled, for this request alone (ADP-012.1)."""
        return self._call(cmd, args, check=True, extra=seconds)

    def call_watched(self, watch: Callable[[], None], cmd: str, **args: Any) -> Response:
        """:meth:`call`, with ``watch`` called once per progress interval while the harness
        waits past the limit (ADP-012.3): what it raises (a failed check of the test) kills
        the adapter and is raised here, the implementation not poisoned. An adapter that
        spins doing what the test can see is wrong (a service adopting steps that read
        nothing) then fails that check at once, not after the hard cap (ADP-012.4). The
        in-process reference cannot be watched while it answers: a plain call."""
        self._watch = watch
        try:
            return self._call(cmd, args, check=True, extra=0.0)
        finally:
            self._watch = None

    def _call(self, cmd: str, args: dict[str, Any], *, check: bool, extra: float) -> Response:
        if self._poison is not None:
            raise self._poison
        self._check_declared(cmd, args)
        try:
            if not self._running():
                self._handshake()
            response = self._send(cmd, args, check=check, extra=extra)
        except AdapterBroken as exc:
            self._poison = exc
            raise
        if response.error_class == "unsupported-command" and cmd in self._claimed_commands():
            raise MissingCommand(cmd)
        return response

    def _check_declared(self, cmd: str, args: dict[str, Any]) -> None:
        """Refuse a request the running test did not declare the profile of (ADP-006),
        or one with a feature's argument the implementation does not claim (ADP-005.7)."""
        if self.declared is None:
            return
        for name in sorted(set(args) & set(FEATURE_ARGUMENTS.get(cmd, {}))):
            feature = FEATURE_ARGUMENTS[cmd][name]
            if self.hello is not None and feature not in self.hello.get("features", ()):
                raise UndeclaredProfile(
                    f"suite bug: {cmd!r} with {name!r} needs the feature {feature!r}, which "
                    "the implementation does not claim (ADP-005.7: mark the test "
                    f"@pytest.mark.feature({feature!r}))"
                )
        for alternatives in profiles_needed(cmd, args):
            if not alternatives & self.declared:
                need = " or ".join(sorted(alternatives))
                raise UndeclaredProfile(
                    f"suite bug: {cmd!r} with {sorted(args)} needs the profile {need}, but "
                    f"the test declares only {sorted(self.declared)} (ADP-006: profiles do "
                    "not imply each other; declare every profile the test needs)"
                )

    def _claimed_commands(self) -> frozenset[str]:
        claimed = self.hello.get("profiles", ()) if self.hello else ()
        return frozenset(c for p in claimed for c in PROFILE_COMMANDS.get(p, ()))

    def probe_hello(self, protocol: object) -> Response:
        """``hello`` with another protocol version, or a ``protocol`` that is no integer
        (ADP-004.12), in a separate fresh process (ADP-005)."""
        other = self._fresh()
        try:
            other._start()
            return other._send("hello", {"protocol": protocol}, check=False)
        finally:
            other._stop(kill=True)

    @abstractmethod
    def _fresh(self) -> Implementation: ...

    def info(self) -> dict[str, Any]:
        """The handshake result (ADP-005), starting the implementation if needed."""
        if self._poison is not None:
            raise self._poison
        if not self._running():
            try:
                self._handshake()
            except AdapterBroken as exc:
                self._poison = exc
                raise
        assert self.hello is not None
        return self.hello

    @property
    def profiles(self) -> frozenset[str]:
        return frozenset(self.info().get("profiles", ()))

    @property
    def features(self) -> frozenset[str]:
        """The optional features claimed in ``hello`` (ADP-005.7)."""
        return frozenset(self.info().get("features", ()))

    def reset(self) -> None:
        """Between tests: forget a broken exchange; the next call restarts if needed."""
        self._poison = None

    def stderr_of_test(self) -> str:
        """What the adapter wrote to standard error since the last :meth:`reset` (the
        running test's), its tail within :data:`STDERR_KEPT` characters; ``''`` for none
        or for an implementation that is no process (ADP-020.7)."""
        return ""

    def kill(self) -> None:
        """Stop without shutdown (SIGKILL for a process); the next call restarts it."""
        self._stop(kill=True)

    def kill_during(self, cmd: str, delay: float, **args: Any) -> None:
        """Send ``cmd`` and ``SIGKILL`` the process ``delay`` seconds later, answered or not.

        Raises :class:`CannotKillMidCommand` for an implementation that is not a
        process (the in-process reference): it cannot be interrupted mid-command.
        """
        raise CannotKillMidCommand(f"{self.label} cannot be killed while it answers")

    def close(self) -> None:
        """Shut down politely (ADP-011)."""
        if self._running() and self._poison is None:
            try:
                self._send("shutdown", {})
            except AdapterBroken:
                return
        self._stop(kill=False)


class Subprocess(Implementation):
    """An adapter started from a command line (ADP-001).

    Each response may take ``timeout`` × ``scale`` seconds, longer while the adapter
    makes progress (ADP-012.1–ADP-012.4).
    """

    can_kill = True

    def __init__(self, command: str, *, timeout: float = 10.0, scale: float = 1.0) -> None:
        super().__init__()
        self.label = command
        self.argv = shlex.split(command)
        self.timeout = timeout
        self.scale = scale
        self._proc: AdapterProcess | None = None
        self._last_stderr = ""
        #: The process running at the last reset, and how much of its stderr came before.
        self._mark: tuple[AdapterProcess | None, int] = (None, 0)
        #: Standard error of the running test's processes that have stopped since.
        self._stderr_before = ""

    def _start(self) -> None:
        self._proc = AdapterProcess(self.argv, timeout=self.timeout, scale=self.scale)

    def reset(self) -> None:
        super().reset()
        self._mark = (self._proc, self._proc.stderr_size() if self._proc is not None else 0)
        self._stderr_before = ""

    def _since_mark(self, proc: AdapterProcess) -> str:
        marked, offset = self._mark
        return proc.stderr_since(offset if proc is marked else 0, STDERR_KEPT)

    def _keep_stderr(self, proc: AdapterProcess) -> None:
        """A process of the running test stops: keep what it wrote during the test."""
        self._stderr_before = (self._stderr_before + self._since_mark(proc))[-STDERR_KEPT:]

    def stderr_of_test(self) -> str:
        current = self._since_mark(self._proc) if self._proc is not None else ""
        text = self._stderr_before + current
        return text if len(text) <= STDERR_KEPT else "…" + text[-STDERR_KEPT:]

    def _running(self) -> bool:
        return self._proc is not None

    def _exchange(self, message: dict[str, Any], extra: float = 0.0) -> bytes:
        assert self._proc is not None
        timeout = self._proc.timeout + extra if extra > 0 else None
        try:
            return self._proc.exchange(message, timeout=timeout, watch=self._watch)
        except AdapterBroken:
            self._last_stderr = self._proc.stderr_tail()
            self._keep_stderr(self._proc)
            self._proc = None
            raise
        except Exception:
            # the watch's check failed and the transport killed the process: the next
            # request starts another (its runtimes are gone, as after a kill)
            self.exchanges.add(message, None, "stopped by the test's watch: a check failed")
            self._last_stderr = self._proc.stderr_tail()
            self._keep_stderr(self._proc)
            self._proc = None
            raise

    def _stop(self, *, kill: bool) -> None:
        if self._proc is None:
            return
        self._last_stderr = self._proc.stderr_tail()
        self._keep_stderr(self._proc)
        if kill:
            self._proc.kill()
        else:
            self._proc.shutdown()
        self._proc = None

    def _stderr(self) -> str:
        return self._proc.stderr_tail() if self._proc is not None else self._last_stderr

    def _fresh(self) -> Subprocess:
        return Subprocess(self.label, timeout=self.timeout, scale=self.scale)

    def kill_during(self, cmd: str, delay: float, **args: Any) -> None:
        self.kill_when(cmd, lambda: False, delay, **args)

    def kill_when(self, cmd: str, ready: Callable[[], bool], limit: float, **args: Any) -> None:
        """Send ``cmd`` and ``SIGKILL`` the process once ``ready()`` says so (asked every
        10 ms), or ``limit`` seconds later, answered or not: a kill at a moment the test
        sees from outside, as the requests a peer is answering."""
        self.info()  # started, handshake done
        assert self._proc is not None
        self._seq += 1
        message = {"seq": self._seq, "cmd": cmd, **args}
        check_request(message)
        self._proc.send_only(message)
        deadline = time.monotonic() + limit
        while not ready() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(0.01, left))  # never past the limit: a delay of 5 ms stays 5 ms
        self._stop(kill=True)

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid


class InProcess(Implementation):
    """The reference's adapter class called directly, through the same JSON and schema checks."""

    label = "in-process reference"

    def __init__(self) -> None:
        super().__init__()
        self._adapter: Any = None

    def _start(self) -> None:
        from gritwit.adapter import ReferenceAdapter

        self._adapter = ReferenceAdapter()

    def _running(self) -> bool:
        return self._adapter is not None

    def _exchange(self, message: dict[str, Any], extra: float = 0.0) -> str:
        try:
            response = self._adapter.handle(json.loads(json.dumps(message)))
        except Exception as exc:
            raise AdapterBroken(f"the in-process reference raised {exc!r}") from None
        return json.dumps(response)

    def _stop(self, *, kill: bool) -> None:
        if self._adapter is not None and not kill:
            self._adapter.close()
        self._adapter = None

    def _stderr(self) -> str:
        return ""

    def _fresh(self) -> InProcess:
        return InProcess()


#: Characters of a failing test's standard error the report keeps, the last (ADP-020.7).
STDERR_KEPT = 4000
#: Lines of the adapter's standard error shown when the handshake fails.
_STDERR_LINES = 10


class HandshakeFailed(Exception):
    """The adapter could not be started or failed its handshake: no test can run (ADP-005).

    The message names the command, what went wrong (with the exit status when the
    adapter exited) and the last lines of its standard error, in a few lines.
    """

    def __init__(self, command: str, argv: list[str], broken: AdapterBroken) -> None:
        self.command = command
        self.broken = broken
        lines = [
            "the adapter could not be started or failed its handshake (ADP-005), so no test ran",
            f"  command: {command}",
            f"  argv:    {json.dumps(argv)}",
            f"  problem: {bound_message(broken.reason, 600)}  [{broken.requirement}]",
        ]
        tail = [line[:200] for line in broken.stderr.strip().splitlines()][-_STDERR_LINES:]
        if tail:
            lines.append(f"  stderr (last {len(tail)} lines):")
            lines += [f"    {line}" for line in tail]
        else:
            lines.append("  stderr: (empty)")
        super().__init__("\n".join(lines))


def check_handshake(spec: str, *, timeout: float = 10.0, scale: float = 1.0) -> dict[str, Any]:
    """Start the implementation, do the handshake, shut it down; return the ``hello`` result.

    Raises :class:`HandshakeFailed` when the command cannot start, exits, hangs past
    its answer limit (``timeout`` × ``scale``, ADP-012) or answers ``hello`` wrongly:
    a run would only repeat that error in every test.
    """
    impl = make_implementation(spec, timeout=timeout, scale=scale)
    try:
        hello = dict(impl.info())
    except AdapterBroken as exc:
        argv = impl.argv if isinstance(impl, Subprocess) else []
        raise HandshakeFailed(impl.label, argv, exc) from None
    except BaseException:  # interrupted: no polite shutdown, which may wait
        impl.kill()
        raise
    impl.close()
    return hello


def make_implementation(spec: str, *, timeout: float = 10.0, scale: float = 1.0) -> Implementation:
    """``reference`` for the in-process reference, otherwise a command line to spawn.

    ``timeout`` and ``scale``: the answer limit of a spawned adapter (ADP-012.1, ADP-012.2).
    """
    return InProcess() if spec == REFERENCE else Subprocess(spec, timeout=timeout, scale=scale)
