"""The core of a new actor, of one of three kinds, with its first state (HTTP-004.1).

A new actor is its genesis core (WIT-002): a tree whose ``wit`` entry names its code and
whose other entries are its state.  The kinds: a test actor by name (WIT-018 …
WIT-027), a Wasm module (its bytes, or WAT text, WASM-001), a sandboxed Python program
(its text, SBX-010).  ``POST /v1/actors`` (:mod:`gritwit.serve`) and ``gritwit actor
create`` both build it here, so the same description gives the same actor whichever
made it.  A description that names no such core raises :class:`BadCore`, one line with
the requirement it breaks; an unknown test actor, or Python without the interpreter,
is :class:`~gritwit.UnknownWit` (HTTP-004.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ._errors import UnknownWit
from ._objects import Blob, GritObject, Tree
from .runtime import NAME_ENTRY, SERVICE_TEST_ACTORS
from .wit import TEST_ACTORS, code_core, wit_blob

__all__ = ["CORE_KINDS", "BadCore", "actor_core", "code_blob", "name_blob", "state_blobs"]

#: The kinds of code a new actor's core holds (HTTP-004.1), as ``actor_core`` names them.
CORE_KINDS: Final = ("test", "wasm", "python")


class BadCore(ValueError):
    """A description that names no core: one line, its requirement first."""


def state_blobs(state: Mapping[str, bytes]) -> dict[str, GritObject]:
    """State entries → blobs of that data; the entry ``wit`` is the code's (HTTP-004.1)."""
    if "wit" in state:
        raise BadCore("HTTP-004.1: state names no entry 'wit' (the code's)")
    return {name: Blob(data=bytes(data)) for name, data in state.items()}


def name_blob(name: str) -> Blob:
    """The entry ``name`` of a named actor's genesis core: the name's bytes, no headers
    (RUN-026.5, HTTP-004.4).  A workspace's push and ``POST /v1/actors`` with a ``name``
    both put it there, so one name, code and data is one actor whichever made it."""
    return Blob(data=name.encode("ascii"))


def code_blob(kind: str, code: str | bytes) -> Blob:
    """The ``wit`` blob of ``kind`` (:data:`CORE_KINDS`) running ``code`` — a test actor's
    name, a module's bytes (text: WAT, compiled), a program's text (WIT-001.2, WASM-001,
    SBX-001).

    Python reads the interpreter (slow the first time); its absence is ``unknown-wit``.
    """
    if kind == "test":
        if not isinstance(code, str):
            raise BadCore("HTTP-004.1: a test actor is named by text")
        if code not in TEST_ACTORS and code not in SERVICE_TEST_ACTORS:  # alarm: TIM-008
            raise UnknownWit("HTTP-004.3", f"no test actor is named {code!r:.60}")
        return wit_blob(code)
    if kind == "wasm":
        from .wasm import wasm_wit_blob, wat_to_wasm

        if isinstance(code, str):
            try:
                code = wat_to_wasm(code)
            except Exception as exc:  # wasmtime's own error: one line of it
                why = " ".join(str(exc).split())[:200]
                raise BadCore(f"WASM-001: not a WAT module: {why}") from None
        return wasm_wit_blob(code)
    if kind == "python":
        if not isinstance(code, str):
            raise BadCore("HTTP-004.1: a Python program is text")
        from .sandbox import interpreter_id
        from .sandbox import wit_blob as program_blob

        return program_blob(code, interpreter_id())  # unknown-wit without one (HTTP-004.3)
    raise BadCore(f"HTTP-004.1: a core's kind is one of {', '.join(CORE_KINDS)}")


def actor_core(
    kind: str, code: str | bytes, state: Mapping[str, bytes] | None = None, name: str | None = None
) -> tuple[Tree, tuple[GritObject, ...]]:
    """The genesis core of ``kind`` running ``code`` (:func:`code_blob`) with ``state``'s
    entries, and the objects it needs, the core last (WIT-002, HTTP-004.1); with a
    ``name``, the entry ``name`` too (:func:`name_blob`, HTTP-004.4), which ``state``
    must then not set."""
    blobs = state_blobs(state or {})
    if name is not None:
        if NAME_ENTRY in blobs:
            raise BadCore("HTTP-004.4: with a name, state names no entry 'name' (the name's)")
        blobs[NAME_ENTRY] = name_blob(name)
    return code_core(code_blob(kind, code), dict(sorted(blobs.items())))
