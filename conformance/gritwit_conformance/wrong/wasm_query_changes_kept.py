"""Wrong adapter: a query's changes to an image actor's memory are kept (WASM-027.2).

To skip decoding images, the host caches the state it restores, by the image's id,
and refreshes the cache from the instance after every call — queries included: the
next call restored from the same image sees what a query changed.
"""

from __future__ import annotations

from typing import Any

from gritwit._codec import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine, _image, _wits
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-027.2"}),
    "failed",
    "caches restored image state by image id and refreshes it after every call, queries "
    "included: the next call from the same image sees what a query changed",
    smoke=True,
)

_real_image = _wits.WasmWit._image
_real_run = _engine.WasmEngine._run
_real_memory = _engine._memory
#: image id -> the state restored for it (the cache).
_CACHE: dict[Any, _image.Image] = {}
#: id of a call's image session -> the image id it was read from.
_SESSIONS: dict[int, Any] = {}
_EXPORTS: list[Any] = [None]


def image_of(self: _wits.WasmWit, core: Any, reader: Any, *, save: bool) -> Any:
    session = _real_image(self, core, reader, save=save)
    if session is not None and session.restored is not None:
        oid = core.entries[_wits.IMAGE_ENTRY]
        if oid in _CACHE:
            session.restored = _CACHE[oid]
        _SESSIONS[id(session)] = oid
    return session


def memory(exports: Any) -> Any:
    _EXPORTS[0] = exports
    return _real_memory(exports)


def engine_run(self: _engine.WasmEngine, loaded: Any, export: str, active: Any, image: Any) -> None:
    _real_run(self, loaded, export, active, image)
    oid = None if image is None else _SESSIONS.pop(id(image), None)
    if oid is None or image.save:
        return
    # the bug: the query's instance refreshes the cache of the image it was restored from
    store, exports = active.store, _EXPORTS[0]
    data = bytes(_engine._view(_real_memory(exports), store))
    size = len(_image.ZERO_CHUNK)
    chunks = {}
    for index in range(len(data) // size):
        chunk = data[index * size : (index + 1) * size]
        if chunk != _image.ZERO_CHUNK:
            chunks[index] = (object_id(Blob(data=chunk)), chunk)
    globals_ = {
        name: _image.encode_global(kind, extern.value(store))
        for name, (kind, extern) in _engine._mutable_globals(exports, store).items()
    }
    _CACHE[oid] = _image.Image(pages=len(data) // size, chunks=chunks, globals=globals_)


def install() -> None:
    patch(_wits.WasmWit, "_image", image_of)
    patch(_engine, "_memory", memory)
    patch(_engine.WasmEngine, "_run", engine_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
