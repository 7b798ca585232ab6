"""Helpers shared by the Wasm Wit tests (test_wasm_*.py): modules, inputs, twin executors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import gritwit as g
from gritwit.wasm import WasmWit, WasmWits, wasm_wit_blob, wat_to_wasm
from gritwit.wit import (
    OUTSIDE,
    TEST_ACTORS,
    Executor,
    Overlay,
    PendingMessage,
    TransitionInput,
    Wit,
)

WASM_DIR = Path(__file__).resolve().parents[2] / "conformance" / "wasm"
#: The test actors with a Wasm build: all but ``sleepy``, which has none (WIT-030).
ACTOR_NAMES = tuple(sorted(name for name in TEST_ACTORS if name != "sleepy"))


def module(kind: str, name: str) -> bytes:
    """The committed binary ``conformance/wasm/<kind>/<name>.wasm``."""
    return (WASM_DIR / kind / f"{name}.wasm").read_bytes()


def put(store: g.Store, *objects: g.GritObject) -> g.ObjectId:
    """Store ``objects``; the id of the last one."""
    oid = g.object_id(objects[-1])
    for obj in objects:
        store.put_object(obj)
    return oid


def load(wits: WasmWits, store: g.Store, wasm: bytes) -> WasmWit:
    """Store ``wasm`` in a ``wit`` blob and load it."""
    return wits.wit_for(store, put(store, wasm_wit_blob(wasm)))


def wat(text: str) -> bytes:
    return wat_to_wasm(text)


def wasm_core(
    store: g.Store, wasm: bytes, state: Mapping[str, g.GritObject] | None = None
) -> g.Tree:
    """A stored core whose ``wit`` is ``wasm`` (ABI 1), with ``state`` entries."""
    entries = {"wit": put(store, wasm_wit_blob(wasm))}
    for name, obj in (state or {}).items():
        entries[name] = put(store, obj)
    core = g.Tree(entries=entries)
    put(store, core)
    return core


def message(store: g.Store, mt: str | None, content: g.GritObject | g.ObjectId) -> PendingMessage:
    """A stored message with header ``mt`` and ``content`` (an object or an id)."""
    oid = content if isinstance(content, g.ObjectId) else put(store, content)
    msg = g.Message(content=oid, headers={"mt": mt} if mt else {})
    return PendingMessage(put(store, msg), msg)


def text(store: g.Store, mt: str | None, data: str) -> PendingMessage:
    return message(store, mt, g.Blob(data=data.encode()))


def first_input(
    store: g.Store,
    core: g.Tree,
    pending: Mapping[g.ObjectId, Iterable[PendingMessage]] | None = None,
) -> TransitionInput:
    """The first transition of ``core``'s actor: its genesis from the outside, then ``pending``."""
    actor = g.object_id(core)
    genesis = message(store, "genesis", actor)
    found = {OUTSIDE: (genesis,)}
    for sender, items in (pending or {}).items():
        found[sender] = (*found.get(sender, ()), *items)
    return TransitionInput(
        actor=actor, last_step=None, core=core, pending=found, objects=Overlay(store)
    )


def wasm_actors(wits: WasmWits, store: g.Store) -> dict[str, Wit]:
    """Every test actor's Wasm build, by name: an executor runs them in place of the Python ones."""
    return {name: load(wits, store, module("actors", name)) for name in ACTOR_NAMES}


def twin_executors(wits: WasmWits) -> tuple[Executor, Executor]:
    """Two executors on fresh stores: the Python test actors, and their Wasm builds (WASM-022)."""
    py_store, wasm_store = g.Store.memory(), g.Store.memory()
    return Executor(py_store), Executor(wasm_store, actors=wasm_actors(wits, wasm_store))
