"""What a body describes, as objects: content descriptions, state, new cores.

A message's content is described as ``wit-send``'s is (ADP-014, HTTP-005.1):
``{"blob": hex, "headers": {…}?}`` or ``{"tree": {name: description, …}}``.  A new
actor's core is one of four kinds (HTTP-004.1): an existing tree (``core``), a test
actor (``test``), a Wasm module (``wasm``) or a sandboxed Python program (``python``),
the last three with optional ``state`` entries.  The shape of a description is judged
whole first (``bad-request``), then its objects are built, innermost first, each by its
own rules (their classes: ``invalid-name``, ``invalid-object`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from .._errors import InvalidId
from .._ids import ObjectId
from .._json import content_object
from .._objects import GritObject, Tree
from ..cores import BadCore, actor_core
from ..runtime import NAME_ENTRY, check_name, is_id_text
from ._problems import HttpProblem

__all__ = [
    "CORE_KINDS",
    "MAX_CONTENT_DEPTH",
    "NewCore",
    "build_content",
    "hex_bytes",
    "new_core",
    "parse_id",
    "state_entries",
]

#: The deepest tree of trees a content description may hold (as ``wit-send``'s, ADP-014).
MAX_CONTENT_DEPTH: Final = 16
#: The kinds of core a ``POST /v1/actors`` body names exactly one of (HTTP-004.1).
CORE_KINDS: Final = ("core", "test", "wasm", "python")
#: Lowercase hex digits, any number: a single character class repeated runs in constant
#: memory, where ``(?:[0-9a-f]{2})*`` kept a record per digit pair (963 MiB and 9 s of
#: CPU, holding the GIL, for a 15 MiB body); the pairs are counted by the length instead.
_HEX_DIGITS: Final = re.compile(r"[0-9a-f]*")


def _bad(message: str) -> HttpProblem:
    return HttpProblem(400, "bad-request", message)


def hex_bytes(value: object, what: str) -> bytes:
    """``value`` as bytes when it is lowercase hexadecimal text (HTTP-002.2)."""
    if not isinstance(value, str) or len(value) % 2 or not _HEX_DIGITS.fullmatch(value):
        raise _bad(f"HTTP-002.2: {what} must be lowercase hexadecimal")
    return bytes.fromhex(value)


def parse_id(value: str) -> ObjectId:
    """A text-form id of a path or a body; a malformed one is ``invalid-id`` (HTTP-002.4)."""
    try:
        return ObjectId.from_hex(value)
    except InvalidId as exc:
        raise HttpProblem(400, "invalid-id", f"HTTP-002.4: {exc.detail}") from None


def _check_shape(description: Any, depth: int) -> None:
    """The shape of a whole description; any fault is ``bad-request``."""
    if depth > MAX_CONTENT_DEPTH:
        raise _bad(f"HTTP-005.1: content nested deeper than {MAX_CONTENT_DEPTH} trees")
    if not isinstance(description, dict):
        raise _bad("HTTP-005.1: a content description is a JSON object")
    if "blob" in description:
        if set(description) - {"blob", "headers"}:
            raise _bad("HTTP-005.1: a blob description has only 'blob' and 'headers'")
        headers = description.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise _bad("HTTP-005.1: a blob's headers map names to text")
        hex_bytes(description["blob"], "a blob's data")
        return
    if set(description) != {"tree"} or not isinstance(description["tree"], dict):
        raise _bad("HTTP-005.1: content is {'blob': hex} or {'tree': {name: content}}")
    for item in description["tree"].values():
        _check_shape(item, depth + 1)


def build_content(description: Any) -> tuple[ObjectId, tuple[GritObject, ...]]:
    """The id a content description names and the objects it needs, innermost first."""
    _check_shape(description, 0)
    objects: list[GritObject] = []
    return content_object(description, objects), tuple(objects)


def state_entries(value: Any) -> dict[str, bytes]:
    """``state``: entry names → their data, from hexadecimal (HTTP-004.1, HTTP-017.1)."""
    if not isinstance(value, dict):
        raise _bad("HTTP-004.1: state maps entry names to hexadecimal data")
    if "wit" in value:
        raise _bad("HTTP-004.1: state names no entry 'wit'")
    return {name: hex_bytes(data, f"state entry {name!r:.40}") for name, data in value.items()}


@dataclass(frozen=True, slots=True)
class NewCore:
    """A new actor's core: built (``core`` and its ``objects``), or a tree of the store
    named by id (``stored``), which the engine checks (HTTP-004.3); ``name``: the name to
    bind to it, which its entry ``name`` holds (HTTP-004.4); ``placement``: the actor its
    genesis places it with, an id's text form or a name still to resolve (HTTP-004.8)."""

    core: Tree | None
    objects: tuple[GritObject, ...]
    stored: ObjectId | None
    name: str | None = None
    placement: str | None = None


def _check_names(name: str | None, placement: str | None) -> None:
    """``name`` an actor name (HTTP-004.4), then ``placement`` an id or a name (HTTP-004.8,
    RUN-026.4): each ``invalid-ref-name`` (RUN-026.1) when it is neither."""
    if name is not None:
        check_name(name)
    if placement is not None and not is_id_text(placement):
        check_name(placement)


def new_core(body: dict[str, Any]) -> NewCore:
    """The core a ``POST /v1/actors`` body describes (HTTP-004.1, HTTP-004.3).

    A body with ``python`` reads the interpreter the service holds (slow the first
    time): call it off the event loop.
    """
    kinds = [kind for kind in CORE_KINDS if kind in body]
    if len(kinds) != 1:
        raise _bad("HTTP-004.1: the body holds exactly one of core, test, wasm and python")
    (kind,) = kinds
    # HTTP-004.6: every fault of the body first (bad-request), then the name's and the
    # placement's (invalid-ref-name), then the code's (unknown-wit) and the store's.
    name, placement = body.get("name"), body.get("placement")
    if kind == "core":
        if "state" in body:
            raise _bad("HTTP-004.1: a body with core holds no state")
        if not isinstance(body["core"], str):
            raise _bad("HTTP-004.1: core is a text-form id")
        stored = parse_id(body["core"])  # invalid-id, before the name (HTTP-004.6)
        _check_names(name, placement)
        return NewCore(None, (), stored, name, placement)
    state = state_entries(body.get("state", {}))
    value = body[kind]
    if kind == "test" and not isinstance(value, str):
        raise _bad("HTTP-004.1: test is the name of a test actor")
    if kind == "python" and not isinstance(value, str):
        raise _bad("HTTP-004.1: python is the text of a program")
    code = hex_bytes(value, "wasm") if kind == "wasm" else value
    if name is not None and NAME_ENTRY in state:
        raise _bad("HTTP-004.4: with a name, state names no entry 'name' (the name's)")
    _check_names(name, placement)
    try:  # the same core `gritwit actor create` builds from the same description
        core, objects = actor_core(kind, code, state, name)
    except BadCore as exc:
        raise _bad(str(exc)) from None
    return NewCore(core, objects[:-1], None, name, placement)
