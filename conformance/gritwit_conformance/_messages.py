"""Protocol messages as data, checked against the protocol schema (ADP-002, ADP-003, ADP-013)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema

from gritwit._schemas import load_schema

__all__ = ["ProtocolViolation", "Response", "check_request", "parse_response"]

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


@dataclass(frozen=True, slots=True)
class Response:
    """One answer of an implementation (ADP-003)."""

    seq: int
    ok: bool
    result: Json = field(default_factory=dict)
    error: Json = field(default_factory=dict)

    @property
    def error_class(self) -> str | None:
        return self.error.get("class") if not self.ok else None

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


def parse_response(line: bytes | str, seq: int, cmd: str) -> Response:
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
            f"response to {cmd} breaks the protocol schema: {problem}", "ADP-003.2"
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
            raise ProtocolViolation(
                f"result of {cmd} breaks the protocol schema: {_describe(error)}", rule
            )
    result = {k: v for k, v in message.items() if k not in ("seq", "ok", "error")}
    return Response(seq=seq, ok=message["ok"], result=result, error=message.get("error", {}))
