"""Protocol messages as data, checked against the protocol schema (ADP-002, ADP-003, ADP-013)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

__all__ = ["ProtocolViolation", "Response", "check_request", "parse_response"]

Json = dict[str, Any]


class ProtocolViolation(Exception):
    """A message broke the protocol (ADP-012, ADP-013); the reason is for humans."""


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
    text = resources.files("gritwit").joinpath("schemas/adapter-protocol.schema.json").read_text()
    loaded: Json = json.loads(text)
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


def _first_error(validator: jsonschema.protocols.Validator, message: object) -> str | None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(message))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"


def check_request(message: Json) -> None:
    """The harness validates what it sends, too (ADP-013)."""
    problem = _first_error(_validator("$defs", "request"), message)
    cmd = message.get("cmd")
    if problem is None and cmd in _schema()["$defs"]["arguments"]:
        problem = _first_error(_validator("$defs", "arguments", str(cmd)), message)
    if problem is not None:
        raise ProtocolViolation(f"the harness built an invalid {cmd} request: {problem}")


def parse_response(line: bytes | str, seq: int, cmd: str) -> Response:
    """Parse and validate one response line to request ``seq`` (ADP-001, ADP-003, ADP-013)."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nesting deeper than Python's JSON parser goes (a hostile adapter).
        shown = line[:200] if isinstance(line, str) else line[:200].decode("utf-8", "replace")
        raise ProtocolViolation(f"response to {cmd} is not JSON ({exc}): {shown!r}") from None
    problem = _first_error(_validator("$defs", "response"), message)
    if problem is not None:
        raise ProtocolViolation(f"response to {cmd} breaks the protocol schema: {problem}")
    if message["seq"] != seq:
        raise ProtocolViolation(f"response to {cmd} carries seq {message['seq']}, expected {seq}")
    if message["ok"] and cmd in _schema()["$defs"]["results"]:
        problem = _first_error(_validator("$defs", "results", cmd), message)
        if problem is not None:
            raise ProtocolViolation(f"result of {cmd} breaks the protocol schema: {problem}")
    result = {k: v for k, v in message.items() if k not in ("seq", "ok", "error")}
    return Response(seq=seq, ok=message["ok"], result=result, error=message.get("error", {}))
