"""Protocol messages as data, checked against the protocol schema (ADP-002, ADP-003, ADP-013)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema

from gritwit._schemas import load_schema

__all__ = [
    "MESSAGE_LIMIT",
    "ProtocolViolation",
    "Response",
    "bound_message",
    "check_request",
    "parse_response",
    "protocol_form",
    "shorten_value",
    "visible_text",
]

Json = dict[str, Any]


class ProtocolViolation(Exception):
    """A message broke the protocol (ADP-012, ADP-013); the reason is for humans.

    ``requirement`` names the rule the message broke, for the report's blame.
    """

    def __init__(self, reason: str, requirement: str = "ADP-013") -> None:
        super().__init__(reason)
        self.requirement = requirement


#: Whose rule a command's result schema states, where it is not ADP-013 alone.
_RESULT_RULE = {"hello": "ADP-005.1"}
#: Patterns of byte strings and ids (ADP-004.1): a result failing one breaks that rule.
_HEX_PATTERNS = frozenset({"^[0-9a-f]*$", "^[0-9a-f]{64}$"})


#: Longest failure message the reports carry (characters): room for a structural diff of a
#: few dozen lines, never a 16 MiB answer.  The one bound every report format shares.
MESSAGE_LIMIT = 8192
#: Longest string shown whole inside a protocol-form message; a longer one is cut.
_VALUE_LIMIT = 160
#: Hex digits of a long byte string kept in front of its length.
_HEX_KEPT = 64
#: Items of a long list shown before ``…(N items)``.
_ITEMS_KEPT = 16
#: Characters of the request an :meth:`Response.expect_ok` failure shows.
_REQUEST_SHOWN = 400
#: Runs of this many hex digits (64 bytes and more) in free text are byte strings: cut.
_LONG_HEX = re.compile(r"[0-9a-fA-F]{129,}")
#: Any other run of non-space characters this long (a ``bytes`` repr …) is cut too; a
#: compact JSON line is one such run, so the bound leaves room for a protocol-form answer.
_LONG_TOKEN = re.compile(r"\S{1501,}")
_TOKEN_KEPT = 600
_HEX_VALUE = re.compile(r"[0-9a-f]*")


#: What a report cannot carry as it is: C0 and C1 controls (but newline and tab), DEL,
#: and lone surrogates (text an adapter sent as ``"\ud800"`` or bytes that were not UTF-8).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def visible_text(text: str) -> str:
    """``text`` with controls and lone surrogates written as escapes (``\\x1b``, ``\\ud800``).

    Every text an implementation returns reaches the reports through this: the result
    is valid UTF-8 that xdist can pass between processes, a terminal shows without
    obeying, and JSON, JUnit and HTML carry unchanged.
    """
    return _INVISIBLE.sub(_escape, text)


def _cut_hex(text: str) -> str:
    return f"{text[:_HEX_KEPT]}…({len(text) // 2} bytes)"


def shorten_value(value: object) -> object:
    """``value`` (decoded JSON) with long strings and lists cut, each cut saying its size.

    A long lowercase-hex string is a byte string (ADP-004): its first bytes stay,
    followed by ``…(16777216 bytes)``; other long text by ``…(N chars)``.
    """
    if isinstance(value, str):
        if len(value) <= _VALUE_LIMIT:
            return value
        if len(value) % 2 == 0 and _HEX_VALUE.fullmatch(value):
            return _cut_hex(value)
        return f"{value[:_VALUE_LIMIT]}…({len(value)} chars)"
    if isinstance(value, dict):
        return {str(k): shorten_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        shown = [shorten_value(v) for v in value[:_ITEMS_KEPT]]
        if len(value) > _ITEMS_KEPT:
            shown.append(f"…({len(value)} items)")
        return shown
    return value


def protocol_form(message: Json) -> str:
    """One request or response as it travels (one JSON line, ADP-001), long values cut."""
    return json.dumps(shorten_value(message), separators=(",", ":"), ensure_ascii=False)


def _cut_token(match: re.Match[str]) -> str:
    token = match.group()
    return f"{token[:_TOKEN_KEPT]}…({len(token)} chars)"


def bound_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A failure message of at most ``limit`` characters, the same in every report.

    Long single tokens go first (hex runs become their first bytes and their length,
    other runs their head and length), so a structural diff of many short lines
    survives; only then is the text cut at a line end, saying how much was left out.
    """
    text = visible_text(text)
    text = _LONG_HEX.sub(lambda m: _cut_hex(m.group()), text)
    text = _LONG_TOKEN.sub(_cut_token, text)
    if len(text) <= limit:
        return text
    note = f"\n…({len(text)} characters, cut to the first {limit})"
    head = text[: limit - len(note)]
    if "\n" in head[len(head) // 2 :]:
        head = head[: head.rindex("\n")]
    return head + note


@dataclass(frozen=True, slots=True)
class Response:
    """One answer of an implementation (ADP-003).

    ``cmd`` is the command it answers; ``repr`` shows the answer in protocol form,
    long values cut, so an assertion message that embeds a response stays readable
    and names the command.
    """

    seq: int
    ok: bool
    result: Json = field(default_factory=dict)
    error: Json = field(default_factory=dict)
    cmd: str = field(default="", compare=False)
    #: The request's arguments as sent (without ``seq`` and ``cmd``), for :meth:`expect_ok`.
    request: Json = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        wire: Json = {"seq": self.seq, "ok": self.ok, **self.result}
        if not self.ok:
            wire["error"] = self.error
        return f"<answer to {self.cmd or '?'}: {protocol_form(wire)}>"

    __str__ = __repr__

    @property
    def error_class(self) -> str | None:
        return self.error.get("class") if not self.ok else None

    def expect_ok(self, where: str = "") -> Json:
        """The result of an answer the test needs to be ``ok`` (ADP-003), as a new dict.

        Any other answer fails the test with an :class:`AssertionError` that names
        ``where`` (when given), the request as sent and the answer, values cut.
        """
        if self.ok:
            return dict(self.result)
        request = protocol_form({"cmd": self.cmd or "?", **self.request})
        if len(request) > _REQUEST_SHOWN:
            request = f"{request[:_REQUEST_SHOWN]}…({len(request)} chars)"
        head = f"{where}: " if where else ""
        raise AssertionError(f"{head}expected success of {request}, got {self!r}")

    def outcome(self) -> str:
        """``ok`` or the error class: what differential tests compare."""
        return "ok" if self.ok else str(self.error.get("class"))


@cache
def _schema() -> Json:
    loaded: Json = load_schema("adapter-protocol.schema.json")
    return loaded


@cache
def _validator(*path: str) -> jsonschema.protocols.Validator:
    schema = _schema()
    node: Json = schema
    for part in path:
        node = node[part]
    # Resolve "#/$defs/..." references against the whole document.
    wrapped = {"$defs": schema["$defs"], **node}
    cls = jsonschema.validators.validator_for(schema)
    return cls(wrapped)


def _best(validator: jsonschema.protocols.Validator, message: object) -> Any:
    return jsonschema.exceptions.best_match(validator.iter_errors(message))


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"


def _first_error(validator: jsonschema.protocols.Validator, message: object) -> str | None:
    error = _best(validator, message)
    return None if error is None else _describe(error)


def check_request(message: Json) -> None:
    """The harness validates what it sends, too (ADP-013)."""
    problem = _first_error(_validator("$defs", "request"), message)
    cmd = message.get("cmd")
    if problem is None and cmd in _schema()["$defs"]["arguments"]:
        problem = _first_error(_validator("$defs", "arguments", str(cmd)), message)
    if problem is not None:
        raise ProtocolViolation(f"the harness built an invalid {cmd} request: {problem}")


def _envelope_rule(message: Json) -> str:
    """The rule a failed response's broken envelope breaks: ``current`` misplaced or
    missing (ADP-010.4), other members beside ``error`` (ADP-003.3), else ADP-003.2."""
    error = message.get("error")
    if message.get("ok") is False and isinstance(error, dict):
        if "current" in message or ("current" in error) != (error.get("class") == "ref-conflict"):
            return "ADP-010.4"
        if set(message) - {"seq", "ok", "error"}:
            return "ADP-003.3"
    return "ADP-003.2"


def _hello_field_rule(error: Any) -> bool:
    """Whether a ``hello`` schema error is about a field's value (ADP-005.4), not its presence."""
    path = list(error.absolute_path)
    if error.validator == "required" or not path:
        return False
    return path[0] == "profiles" or path[:2] in (
        ["implementation", "name"],
        ["implementation", "spec"],
    )


def parse_response(line: bytes | str, seq: int, cmd: str, request: Json | None = None) -> Response:
    """Parse and validate one response line to request ``seq`` (ADP-001, ADP-003, ADP-013).

    Each violation names the rule it breaks: a line that is no JSON object
    (ADP-001.3; ADP-001.4 when it does not even start like one), a byte order
    mark (ADP-001.3: RFC 8259 forbids it), a broken envelope (ADP-003.2),
    another ``seq`` (ADP-003.1), a result off its schema (ADP-013; ADP-004.1
    for a byte string or id that is not lowercase hex; ADP-005.1 for ``hello``).
    """
    raw = line.encode("utf-8") if isinstance(line, str) else line
    shown = raw[:200].decode("utf-8", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ProtocolViolation(
            f"response to {cmd} starts with a byte order mark: {shown!r}", "ADP-001.3"
        )
    try:
        message = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nesting deeper than Python's JSON parser goes (a hostile adapter).
        rule = "ADP-001.3" if raw.lstrip()[:1] in (b"{", b"[") else "ADP-001.4"
        raise ProtocolViolation(f"response to {cmd} is not JSON ({exc}): {shown!r}", rule) from None
    if not isinstance(message, dict):
        raise ProtocolViolation(f"response to {cmd} is not a JSON object: {shown!r}", "ADP-001.3")
    problem = _first_error(_validator("$defs", "response"), message)
    if problem is not None:
        raise ProtocolViolation(
            f"response to {cmd} breaks the protocol schema: {problem}", _envelope_rule(message)
        )
    if message["seq"] != seq:
        raise ProtocolViolation(
            f"response to {cmd} carries seq {message['seq']}, expected {seq}", "ADP-003.1"
        )
    if message["ok"] and cmd in _schema()["$defs"]["results"]:
        error = _best(_validator("$defs", "results", cmd), message)
        if error is not None:
            rule = _RESULT_RULE.get(cmd, "ADP-013")
            if error.validator == "pattern" and error.validator_value in _HEX_PATTERNS:
                rule = "ADP-004.1"
            if cmd == "hello" and _hello_field_rule(error):
                rule = "ADP-005.4"  # a field present but holding what ADP-005.4 refuses
            if {"result", "results"} & set(message):
                rule = "ADP-003.4"  # results wrapped instead of beside seq and ok
            raise ProtocolViolation(
                f"result of {cmd} breaks the protocol schema: {_describe(error)}", rule
            )
    result = {k: v for k, v in message.items() if k not in ("seq", "ok", "error")}
    return Response(
        seq=seq,
        ok=message["ok"],
        result=result,
        error=message.get("error", {}),
        cmd=cmd,
        request=request or {},
    )
