"""The ``wit`` profile of the reference adapter (ADP-014): runtimes over the Wit executor.

Each ``wit-open`` makes an in-memory :class:`~gritwit.Store` driven by
:class:`gritwit.wit.Executor` — the reference semantics of the Wit chapter —
so the suite can compare an implementation's step ids with the reference's.
"""

from __future__ import annotations

from typing import Any, Final

import blake3

from .._ids import ObjectId
from .._json import check_text, content_object
from .._objects import Blob, GritObject, Tree
from ..store import Store
from ..wit import Executor, Failure, code_core, test_actor_core
from ..wit import failure_class as wit_failure_class
from ._args import BadRequest, Json, _hex, _id, _str, _text, closed

__all__ = [
    "MAX_CONTENT_DEPTH",
    "WitCommands",
    "content_objects",
    "failure_class",
    "max_steps",
    "send_args",
    "state_blobs",
    "wasm_core",
]

#: Deepest content description ``wit-send`` accepts (trees within trees).
MAX_CONTENT_DEPTH: Final = 16


def content_objects(description: Any, objects: list[GritObject], depth: int = 0) -> ObjectId:
    """Build the objects a content description names (ADP-014), appending them; return the top id.

    ``{"blob": hex, "headers": {…}?}`` is a blob; ``{"tree": {name: description}}`` a tree.
    Judged in the passes of ADP-004.8: the shape of the whole description
    (``bad-request``), then lone surrogates anywhere (``invalid-utf8``), then the
    objects, innermost first, a tree's entries in canonical name order.
    """
    _check_content_shape(description, depth)
    check_text(description, "ADP-004.8")
    return content_object(description, objects)


def _check_content_shape(description: Any, depth: int) -> None:
    """The shape of a content description, all of it: any fault is ``bad-request`` (ADP-004.8)."""
    if depth > MAX_CONTENT_DEPTH:
        raise BadRequest(f"content nested deeper than {MAX_CONTENT_DEPTH}")
    if not isinstance(description, dict) or ("blob" in description) == ("tree" in description):
        raise BadRequest("content must be an object with exactly one of 'blob' and 'tree'")
    if "blob" in description:
        if not isinstance(description.get("headers", {}), dict):
            raise BadRequest("content headers must be an object")
        _hex(description, "blob")
        return
    entries = description["tree"]
    if not isinstance(entries, dict):
        raise BadRequest("a tree content must map names to content descriptions")
    for item in entries.values():
        _check_content_shape(item, depth + 1)


def wasm_core(module: bytes, state: dict[str, GritObject]) -> tuple[Tree, tuple[GritObject, ...]]:
    """The core of a Wasm Wit (ADP-016, WASM-001): ``wit`` holds the module, plus ``state``."""
    from ..wasm import wasm_wit_blob

    return code_core(wasm_wit_blob(module), state)


def state_blobs(args: Json) -> dict[str, GritObject]:
    """The ``state`` argument (ADP-014): entry names other than ``wit`` → blobs of that data.

    Its shape first (``bad-request``), then lone surrogates in its names
    (``invalid-utf8``); the names' own rules come when the core is built (ADP-004.8).
    """
    state = args.get("state", {})
    if not isinstance(state, dict) or "wit" in state:
        raise BadRequest("state must map entry names other than 'wit' to hex")
    blobs: dict[str, GritObject] = {k: Blob(data=_hex(state, k)) for k in state}
    check_text(list(state), "ADP-004.8")
    return blobs


def send_args(
    args: Json,
) -> tuple[ObjectId, ObjectId, dict[str, str] | None, bool, list[GritObject]]:
    """``wit-send``'s arguments: recipient, content id, headers, signal, the content's objects.

    Checked in the order of ADP-014's table, ``to`` first (ADP-004.6).
    """
    to = _id(args, "to")
    mt = args.get("mt")
    if mt is not None and not isinstance(mt, str):
        raise BadRequest("mt must be a string")
    description = args.get("content")
    _check_content_shape(description, 0)
    signal = args.get("signal", False)
    if not isinstance(signal, bool):
        raise BadRequest("signal must be a boolean")
    check_text([mt, description], "ADP-004.8")  # then lone surrogates, in mt or content (ADP-004.8)
    objects: list[GritObject] = []
    content = content_object(description, objects)
    return to, content, None if mt is None else {"mt": mt}, signal, objects


def max_steps(args: Json) -> int:
    """``max_steps``: a positive integer (ADP-014)."""
    value = args.get("max_steps")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadRequest("max_steps must be a positive integer")
    return value


def failure_class(failure: Failure) -> str:
    """The class ``wit-run`` and ``rt-run`` report for ``failure`` (ADP-014): the one the
    failed mark records (RUN-004.4), :func:`gritwit.wit.failure_class`."""
    return wit_failure_class(failure.error)


class WitCommands:
    """The ``wit-*`` commands; mixed into :class:`~gritwit.adapter.ReferenceAdapter`."""

    def __init__(self) -> None:
        self._runtimes: dict[str, tuple[Store, Executor]] = {}
        self._next_runtime = 0

    def close_runtimes(self) -> None:
        for store, _ in self._runtimes.values():
            store.close()
        self._runtimes.clear()

    def _runtime(self, args: Json) -> tuple[Store, Executor]:
        handle = _str(args, "runtime")
        if handle not in self._runtimes:
            raise BadRequest(f"no open runtime {handle!r:.60}")
        return self._runtimes[handle]

    def cmd_wit_open(self, args: Json) -> Json:
        store = Store.memory()
        self._next_runtime += 1
        handle = f"w{self._next_runtime}"
        self._runtimes[handle] = (store, Executor(store))
        return {"runtime": handle}

    def cmd_wit_genesis(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        if "module" in args:  # a Wasm Wit (ADP-016)
            core, objects = wasm_core(_hex(args, "module"), state_blobs(args))
        elif "program" in args:  # a sandboxed Python Wit (ADP-019.7)
            from ._sandbox import program_core

            core, objects = program_core(_text(args, "program"), state_blobs(args))
        else:
            core, objects = test_actor_core(_text(args, "actor"), state_blobs(args))
        return {"actor": executor.genesis(core, objects).hex()}

    def cmd_wit_send(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        to, content, headers, signal, objects = send_args(args)
        message = executor.inject(to, content, headers, objects=objects, signal=signal)
        return {"message": message.hex()}

    def cmd_wit_run(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        report = executor.run_until_quiescent(max_steps(args))
        return {
            "steps": [[actor.hex(), step.hex()] for actor, step in report.steps],
            "failures": [[f.actor.hex(), failure_class(f)] for f in report.failures],
            "quiescent": report.quiescent,
        }

    def cmd_wit_head(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        step = executor.head(_id(args, "actor"))
        return {"step": None if step is None else step.hex()}

    def cmd_wit_object(self, args: Json) -> Json:
        store, _ = self._runtime(args)
        return {"bytes": store.get(_id(args, "id")).hex()}

    def cmd_wit_query(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        actor, name = _id(args, "actor"), _text(args, "name")  # ADP-004.11
        if executor.head(actor) is None:
            raise BadRequest(f"actor {actor} has no step to query")
        return {"data": executor.query(actor, name).data.hex()}

    def cmd_wasm_load(self, args: Json) -> Json:
        """The load checks of WASM-002 alone (ADP-016)."""
        from ..wasm import WasmWits

        module = _hex(args, "module")
        # The module alone, not wrapped in a blob: the size check of WASM-002 comes first,
        # before the 16 MiB limit of any object (ENC-013) could answer too-large.
        WasmWits().engine.load(ObjectId(blake3.blake3(module).digest()), module)
        return {}

    def cmd_wit_close(self, args: Json) -> Json:
        handle = _str(args, "runtime")
        store, _ = closed(self._runtimes, handle, f"no open runtime {handle!r:.60}")
        store.close()
        return {}
