"""``gritwit replay``: a failing test's exchange against an adapter, outside the suite (ADP-020.7).

The report keeps, for each failed, errored and timed-out test, the requests the
harness sent and the answers it got (:mod:`..harness._exchange`).  A replay sends the same
requests, in order and with the same ``seq``, to an adapter (the report's command, or
another) and to the in-process reference, and stops at the first request whose two
answers differ: the place an implementer starts debugging, without the suite,
hypothesis or pytest in the way.

What a replay cannot make equal it maps: a ``path`` argument (a directory the harness
created, ADP-009, ADP-015) becomes a fresh empty directory per side, and the handles
each side chose (``store``, ``runtime``: strings chosen by the adapter) are matched
by the order they were given, then compared as equal.  A ``hello`` after the first
starts both sides afresh, as the harness restarted the adapter after a break
(ADP-012).  Answers are compared as JSON values (numbers as numbers).
"""

from __future__ import annotations

import json
import re
import shlex
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..harness._messages import bound_message, protocol_form
from ..harness._transport import AdapterBroken, AdapterProcess

__all__ = [
    "Difference",
    "ReplayError",
    "Step",
    "find_exchange",
    "first_difference",
    "render",
    "replay",
    "stderr_lines",
]

#: Result fields that hold a handle the adapter chose (ADP-009, ADP-010, ADP-015).
HANDLES = ("store", "runtime")
#: A stand-in for an answer that never came or was no JSON.
_BROKEN = "(no answer)"


class ReplayError(Exception):
    """The report or the test cannot be replayed (exit status 2)."""


class _Side(Protocol):
    def send(self, request: dict[str, Any]) -> Any: ...

    def stderr(self) -> str: ...

    def close(self) -> None: ...


class _Reference:
    """The in-process reference, fed each request through JSON as a process would be."""

    def __init__(self) -> None:
        from gritwit.adapter import ReferenceAdapter

        self._adapter = ReferenceAdapter()

    def send(self, request: dict[str, Any]) -> Any:
        return json.loads(json.dumps(self._adapter.handle(json.loads(json.dumps(request)))))

    def stderr(self) -> str:
        return ""

    def close(self) -> None:
        self._adapter.close()


class _Process:
    """An adapter process: one request line out, one answer line back (ADP-001)."""

    def __init__(self, command: str, timeout: float) -> None:
        self._process = AdapterProcess(shlex.split(command), timeout=timeout)

    def send(self, request: dict[str, Any]) -> Any:
        line = self._process.exchange(request)
        return self._process.answer_json(line, request.get("cmd"))

    def stderr(self) -> str:
        """What the adapter wrote to standard error so far, its tail (ADP-020.7)."""
        return self._process.stderr_since(0)

    def close(self) -> None:
        self._process.kill()


@dataclass(frozen=True, slots=True)
class Step:
    """One request replayed: what the adapter and the reference answered, and the run."""

    index: int
    request: dict[str, Any]
    got: Any
    expected: Any
    recorded: Any
    #: What the adapter process wrote to standard error so far (its tail), ``''`` for
    #: none: the path it could not open is often said there only (ADP-020.7).
    stderr: str = ""


@dataclass(frozen=True, slots=True)
class Difference:
    """Where two answers part: a JSON path, and the value on each side there."""

    path: str
    got: Any
    expected: Any


def find_exchange(report: Path, test: str) -> tuple[dict[str, Any], str]:
    """The result of ``test`` (its id, or a part of one id) with an exchange, and the
    report's adapter command."""
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
        results = document["results"]
        command = str(document["implementation"].get("command", "reference"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReplayError(f"{report}: not a conformance report ({exc})") from None
    exact = [r for r in results if r.get("id") == test]
    found = exact or [r for r in results if test in str(r.get("id", ""))]
    if not found:
        raise ReplayError(f"{report}: no test whose id contains {test!r}")
    with_log = [r for r in found if r.get("exchange")]
    if not with_log:
        outcomes = ", ".join(sorted({str(r.get("outcome")) for r in found}))
        raise ReplayError(
            f"{report}: {len(found)} test(s) match {test!r} ({outcomes}), none with an "
            "exchange: only failed, errored and timed-out tests carry one (ADP-020.7)"
        )
    if len(with_log) > 1:
        names = "\n  ".join(str(r["id"]) for r in with_log[:10])
        raise ReplayError(f"{len(with_log)} failing tests match {test!r}; name one:\n  {names}")
    return with_log[0], command


#: Keys compared first: whether the command succeeded, then how it failed.
_FIRST = {"seq": 0, "ok": 1, "error": 2, "class": 3}


def _key_order(key: str) -> tuple[int, str]:
    return (_FIRST.get(key, len(_FIRST)), key)


def first_difference(got: Any, expected: Any, path: str = "$") -> Difference | None:
    """The first place where two JSON values differ: depth first, ``seq``, ``ok`` and
    ``error`` before the other keys, the others sorted."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected), key=_key_order):
            if key not in got or key not in expected:
                return Difference(
                    f"{path}.{key}", got.get(key, "(absent)"), expected.get(key, "(absent)")
                )
            found = first_difference(got[key], expected[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(got, list) and isinstance(expected, list):
        for index, (one, other) in enumerate(zip(got, expected, strict=False)):
            found = first_difference(one, other, f"{path}[{index}]")
            if found is not None:
                return found
        if len(got) != len(expected):
            return Difference(f"{path} (length)", len(got), len(expected))
        return None
    same = got == expected and type(got) is type(expected)
    numbers = isinstance(got, int | float) and isinstance(expected, int | float)
    if same or (numbers and not isinstance(got, bool) and got == expected):
        return None
    return Difference(path, got, expected)


class _Paths:
    """Fresh empty directories standing for the run's ``path`` arguments, per side."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mapped: dict[tuple[str, str], str] = {}

    def __call__(self, side: str, original: str) -> str:
        key = (side, original)
        if key not in self.mapped:
            fresh = self.root / side / f"{len(self.mapped)}-{Path(original).name or 'dir'}"
            fresh.mkdir(parents=True)
            self.mapped[key] = str(fresh)
        return self.mapped[key]


def _masked(answer: Any) -> Any:
    """An answer as compared: handles (chosen by each side) made equal, an error's
    message left out (classes are compared, text is shown: CONV-004)."""
    if not isinstance(answer, dict):
        return answer
    masked = {
        k: "(handle)" if k in HANDLES and isinstance(v, str) else v for k, v in answer.items()
    }
    error = masked.get("error")
    if isinstance(error, dict):
        masked["error"] = {k: v for k, v in error.items() if k != "message"}
    return masked


def _send(side: _Side, request: dict[str, Any]) -> Any:
    try:
        return side.send(request)
    except AdapterBroken as exc:
        return f"{_BROKEN}: {exc.reason} [{exc.requirement}]"


def _localised(
    request: dict[str, Any], side: str, paths: _Paths, names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """A recorded request as one side gets it: its own directory and handles."""
    local = dict(request)
    if isinstance(request.get("path"), str):
        local["path"] = paths(side, request["path"])
    own = names.get(side, {})
    for key in HANDLES:
        if isinstance(local.get(key), str):
            local[key] = own.get(local[key], local[key])
    return local


def _learn_handles(recorded: Any, answer: Any, own: dict[str, str]) -> None:
    """The handles a side chose where the run's answer gave others (ADP-009, ADP-015)."""
    if not isinstance(recorded, dict) or not isinstance(answer, dict):
        return
    for key in HANDLES:
        if isinstance(recorded.get(key), str) and isinstance(answer.get(key), str):
            own[recorded[key]] = answer[key]


def replay(
    exchanges: list[dict[str, Any]], start_adapter: Any, *, workdir: Path | None = None
) -> Iterator[Step]:
    """Send each recorded request to a fresh adapter and to the reference; yield each step.

    ``start_adapter()`` returns a new adapter side (a process, or the reference again).
    """
    with tempfile.TemporaryDirectory(prefix="gritwit-replay-", dir=workdir) as tmp:
        paths = _Paths(Path(tmp))
        sides: list[_Side] = []
        #: Per side: a handle of the run (the recorded answers') -> the side's own.
        names: dict[str, dict[str, str]] = {}
        try:
            for index, entry in enumerate(exchanges, 1):
                request = dict(entry["request"])
                if request.get("cmd") == "hello" or not sides:
                    for side in sides:
                        side.close()
                    sides = [start_adapter(), _Reference()]
                    names.clear()
                    if request.get("cmd") != "hello":  # the log starts after the handshake
                        hello = {"seq": 0, "cmd": "hello", "protocol": 1}
                        for side in sides:
                            _send(side, hello)
                answers = []
                for side, name in zip(sides, ("adapter", "reference"), strict=True):
                    answers.append(_send(side, _localised(request, name, paths, names)))
                recorded = entry.get("answer")
                for answer, name in zip(answers, ("adapter", "reference"), strict=True):
                    _learn_handles(recorded, answer, names.setdefault(name, {}))
                yield Step(index, request, answers[0], answers[1], recorded, sides[0].stderr())
        finally:
            for side in sides:
                side.close()


def differs(step: Step) -> Difference | None:
    """Where the adapter's answer to a step parts from the reference's, or None."""
    return first_difference(_masked(step.got), _masked(step.expected))


def _shown(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = protocol_form(value) if isinstance(value, dict) else json.dumps(value)
    return bound_message(text, 600)


def render(step: Step, difference: Difference, total: int, requirements: list[str]) -> str:
    """The first differing answer, as a person debugging the adapter reads it."""
    lines = [
        f"first difference at exchange {step.index} of {total}: {step.request.get('cmd')}",
        f"  request:   {_shown(step.request)}",
        f"  adapter:   {_shown(step.got)}",
        f"  reference: {_shown(step.expected)}",
        f"  at {difference.path}: adapter {_shown(difference.got)}, "
        f"reference {_shown(difference.expected)}",
    ]
    lines += _bytes_lines(difference)
    if step.recorded is not None and first_difference(_masked(step.recorded), _masked(step.got)):
        lines.append(f"  (in the run the adapter answered {_shown(step.recorded)})")
    if requirements:
        lines.append(f"  the test checks {', '.join(requirements)}")
    lines += stderr_lines(step.stderr, "during the replay")
    return "\n".join(lines)


#: Lines of an adapter's standard error a replay prints, the last.
STDERR_LINES = 20


def stderr_lines(stderr: str, when: str) -> list[str]:
    """An adapter's standard error, for a person (``[]`` for none): its first and last
    lines when long (an error's message opens a stack trace)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return []
    shown = lines
    if len(lines) > STDERR_LINES:
        half = STDERR_LINES // 2
        shown = [*lines[:half], f"…({len(lines) - 2 * half} lines)", *lines[-half:]]
    head = f"  adapter stderr {when} ({len(lines)} lines):"
    return [head, *(f"    {bound_message(line, 300)}" for line in shown)]


#: A protocol byte string: hex digits, two per byte (ADP-002), the pairs counted by the
#: length: a repeated group kept a record per pair (hundreds of MB for a 32 MiB string).
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def _is_hex(text: str) -> bool:
    return not len(text) % 2 and _HEX_DIGITS.fullmatch(text) is not None


def _bytes_lines(difference: Difference) -> list[str]:
    """Two byte strings that differ: the first differing byte, and what the strict decoder
    reads in the adapter's bytes (ADP-020.9)."""
    from ..diff._more import bytes_divergence

    got, expected = difference.got, difference.expected
    if not (isinstance(got, str) and isinstance(expected, str)):
        return []
    if not (_is_hex(got) and _is_hex(expected)):
        return []
    return [f"  {line.strip()}" for line in bytes_divergence(expected, got).splitlines()]


def start_side(command: str, timeout: float) -> Any:
    """A function starting the adapter of ``command`` (``reference``: the in-process one)."""
    if command == "reference":
        return _Reference
    return lambda: _Process(command, timeout)
