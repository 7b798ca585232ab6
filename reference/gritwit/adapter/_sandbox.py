"""The optional ``sandbox`` profile of the reference adapter (ADP-019; chapter 09, SBX-*).

``sandbox-info`` names the interpreter the adapter holds (SBX-002.3);
``sandbox-run`` runs a Python program once through the public API
:func:`gritwit.sandbox.run_python`, with the core the harness sends as encoded
objects, and answers the program's output, the new core, its objects and the
declared sends, or the run's class (SBX-008).  The adapter claims the profile only
when the interpreter of the optional extra ``gritwit[sandbox]`` is there.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Final

from .._errors import InvalidTransition, UnknownWit
from .._ids import ObjectId
from .._objects import Blob, GritObject, Tree
from ..store import Store
from ..wit import code_core
from ._args import BadRequest, Json, _hex, _id, _text

__all__ = ["LIMIT_KEYS", "MAX_LIMIT", "SandboxCommands", "program_core", "sandbox_available"]

#: ``limits`` of ``sandbox-run`` → fields of :class:`gritwit.sandbox.SandboxLimits` (ADP-019.3).
LIMIT_KEYS: Final = {
    "fuel": "fuel",
    "memory": "memory_bytes",
    "output": "output_bytes",
    "core": "core_bytes",
    "sends": "sends_bytes",
}
#: The largest limit ADP-019.3 accepts: 2**53 - 1, exact in every JSON reader.
MAX_LIMIT: Final = (1 << 53) - 1


def sandbox_available() -> bool:
    """The pinned interpreter can be found (the adapter then claims ``sandbox``, ADP-019.1)."""
    try:
        from ..sandbox import interpreter_path
    except ImportError:  # wasmtime missing: no sandbox at all
        return False
    return interpreter_path() is not None


def _interpreter_id() -> ObjectId:
    """The id of the interpreter this host holds (SBX-002.3); ``unknown-wit`` without one."""
    from ..sandbox import INSTALL_HINT, interpreter_path

    path = interpreter_path()
    if path is None or not path.is_file():
        raise UnknownWit("SBX-002.1", INSTALL_HINT)
    return _checked_id(path)


@cache
def _checked_id(path: Path) -> ObjectId:
    """The id of the module at ``path`` if it is the pinned build (SBX-002.2, SBX-002.3)."""
    from ..sandbox import INTERPRETER_SHA256
    from ..sandbox._interpreter import module_tree_id

    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != INTERPRETER_SHA256:
        raise UnknownWit("SBX-002.2", f"{path} is not the pinned interpreter")
    return module_tree_id(data)


def program_core(program: str, state: dict[str, GritObject]) -> tuple[Tree, tuple[GritObject, ...]]:
    """The core of a Python Wit (ADP-019.7, SBX-001): ``wit`` holds the program, plus ``state``."""
    from ..sandbox import wit_blob

    return code_core(wit_blob(program, _interpreter_id()), state)


def _limits(args: Json) -> dict[str, int]:
    value = args.get("limits", {})
    if not isinstance(value, dict):
        raise BadRequest("limits must be an object")
    for key, item in value.items():
        if key not in LIMIT_KEYS:
            raise BadRequest(f"unknown limit {key!r:.40}; the limits are {', '.join(LIMIT_KEYS)}")
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= MAX_LIMIT:
            raise BadRequest(f"limit {key} must be an integer from 1 to 2**53 - 1")
    return {LIMIT_KEYS[key]: item for key, item in value.items()}


def _messages(args: Json) -> tuple[dict[str, Any], ...]:
    value = args.get("messages", [])
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise BadRequest("messages must be a list of JSON objects")
    for message in value:
        _check_no_surrogates(message)
    return tuple(value)


def _check_no_surrogates(node: object) -> None:
    """A message is JSON text: a lone surrogate anywhere in it is ``bad-request`` (ADP-019.3)."""
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest("messages hold a lone surrogate") from None
    elif isinstance(node, dict):
        for key, item in node.items():
            _check_no_surrogates(key)
            _check_no_surrogates(item)
    elif isinstance(node, list):
        for item in node:
            _check_no_surrogates(item)


def _objects(args: Json) -> list[bytes]:
    value = args.get("objects", [])
    if not isinstance(value, list):
        raise BadRequest("objects must be a list of hex encodings")
    return [_hex({"object": item}, "object") for item in value]


def _check_core(store: Store, core: ObjectId) -> None:
    """Every object the core reaches is given, trees and blobs only (ADP-019.3, SBX-004.1).

    Each distinct tree is walked once, however many times the core names it, with an
    explicit stack of frames holding one tree's entries and its name (SBX-006.15): a
    path is joined only for an error's message, so a core of any depth or sharing is
    checked in time and memory linear in its distinct objects.
    """
    top = store.get_object(core)  # not-found when the harness did not give it
    if not isinstance(top, Tree):
        raise InvalidTransition("SBX-004.1", "the core is neither a tree nor a blob")
    walked = {core}
    stack = [(iter(top.entries.items()), "the core")]
    while stack:
        name, oid = next(stack[-1][0], (None, core))
        if name is None:
            stack.pop()
            continue
        if oid in walked:
            continue
        obj = store.get_object(oid)
        if isinstance(obj, Tree):
            walked.add(oid)
            stack.append((iter(obj.entries.items()), name))
        elif not isinstance(obj, Blob):
            where = "/".join([frame[1] for frame in stack] + [name])
            raise InvalidTransition("SBX-004.1", f"{where:.300} is neither a tree nor a blob")


def _reachable(store: Store, core: ObjectId | None) -> list[str]:
    """The encodings (hex) of the objects ``core`` reaches, each once, by ascending id."""
    if core is None:
        return []
    seen: dict[ObjectId, bytes] = {}
    pending = [core]
    while pending:
        oid = pending.pop()
        if oid in seen:
            continue
        seen[oid] = store.get(oid)
        obj = store.get_object(oid)
        if isinstance(obj, Tree):
            pending.extend(obj.entries.values())
    return [seen[oid].hex() for oid in sorted(seen, key=lambda o: o.hex())]


class SandboxCommands:
    """``sandbox-info`` and ``sandbox-run``; mixed into the reference adapter (ADP-019)."""

    def cmd_sandbox_info(self, args: Json) -> Json:
        """The interpreter held (SBX-002); ``unknown-wit`` when there is none."""
        return {"interpreter": _interpreter_id().hex()}

    def cmd_sandbox_run(self, args: Json) -> Json:
        """One run (ADP-019.2): arguments in the table's order (ADP-004.6), then the run."""
        from ..sandbox import SandboxLimits, run_python

        program = _text(args, "program")
        core = None if args.get("core") is None else _id(args, "core")
        encodings = _objects(args)
        messages = _messages(args)
        limits = SandboxLimits(**_limits(args))
        wanted = None if args.get("interpreter") is None else _id(args, "interpreter")
        held = _interpreter_id()
        if wanted is not None and wanted != held:
            raise UnknownWit("SBX-002.1", f"this host holds the interpreter {held}, not {wanted}")
        store = Store.memory()
        try:
            for data in encodings:
                store.put(data)  # strict decoding: the codec's class (ID-004, STO-001.1)
            if core is not None:
                _check_core(store, core)
            result = run_python(program, store=store, core=core, messages=messages, limits=limits)
            return {
                "stdout": result.stdout.hex(),
                "core": None if result.core is None else result.core.hex(),
                "sends": [s.described() for s in result.sends],
                "objects": _reachable(store, result.core),
            }
        finally:
            store.close()
