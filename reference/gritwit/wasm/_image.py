"""Image persistence: a guest's memory and exported mutable globals kept in its core.

Pure Python over objects and bytes (WASM-023 … WASM-029); :mod:`._engine`
restores an instance from an :class:`Image` and hands the finished instance's
memory and globals to :meth:`ImageSession.capture`.

* :func:`read_image` — the ``image`` entry of a core, checked (WASM-023,
  WASM-024, WASM-028): ``None`` for the empty image, else an :class:`Image`;
* :class:`ImageSession` — one call's image: what to restore and, after a
  step, the new image tree and the objects it needs (WASM-026).  Chunks are
  compared with the restored bytes, never re-hashed when unchanged, so a step
  stores and hashes only the pages it changed.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .._codec import object_id
from .._errors import InvalidImage, MemoryLimit
from .._ids import ObjectId
from .._objects import Blob, GritObject, Tree
from ..wit._model import ObjectReader
from ._abi import (
    CHUNK_BYTES,
    CHUNK_NAME_DIGITS,
    GLOBAL_BYTES,
    IMAGE_GLOBALS,
    IMAGE_MEMORY,
    IMAGE_PAGES,
    WasmLimits,
)
from ._core import parse_path

__all__ = [
    "GlobalValue",
    "Image",
    "ImageSession",
    "chunk_name",
    "decode_global",
    "encode_global",
    "read_image",
]

#: An all-zero chunk: never stored, absent means zero (WASM-024).
ZERO_CHUNK: Final = bytes(CHUNK_BYTES)
#: The canonical NaN bit patterns (WASM-006): how every NaN global is stored (WASM-024).
_CANONICAL_NAN: Final = {"f32": b"\x00\x00\xc0\x7f", "f64": b"\x00\x00\x00\x00\x00\x00\xf8\x7f"}
_FLOAT_FORMAT: Final = {"f32": "<f", "f64": "<d"}
_PAGES_BYTES: Final = 4

#: An exported mutable global as the engine reports it: its value type and value.
GlobalValue = tuple[str, int | float]


def chunk_name(index: int) -> str:
    """The name of chunk ``index`` in the ``memory`` tree: fixed-width decimal (WASM-024)."""
    return f"{index:0{CHUNK_NAME_DIGITS}d}"


def encode_global(kind: str, value: int | float) -> bytes:
    """The bit pattern of a global, little-endian; a NaN as the canonical NaN (WASM-024)."""
    size = GLOBAL_BYTES.get(kind)
    if size is None:
        raise InvalidImage("WASM-026.4", f"an exported mutable global of type {kind} is not kept")
    if kind in _FLOAT_FORMAT:
        if math.isnan(value):
            return _CANONICAL_NAN[kind]
        return struct.pack(_FLOAT_FORMAT[kind], value)
    return (int(value) & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def decode_global(kind: str, bits: bytes) -> int | float:
    """The value of a global of type ``kind`` from its bit pattern (WASM-025)."""
    size = GLOBAL_BYTES.get(kind)
    if size is None:
        raise InvalidImage("WASM-025.4", f"an exported mutable global of type {kind} is not kept")
    if len(bits) != size:
        raise InvalidImage("WASM-025.4", f"a {kind} global needs {size} bytes, not {len(bits)}")
    if kind in _FLOAT_FORMAT:
        return float(struct.unpack(_FLOAT_FORMAT[kind], bits)[0])
    return int.from_bytes(bits, "little", signed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """A checked image (WASM-024): memory size, non-zero chunks and global bit patterns."""

    pages: int
    #: chunk index -> (blob id, its 65536 bytes); absent chunks are zero.
    chunks: Mapping[int, tuple[ObjectId, bytes]]
    #: export name -> bit pattern.
    globals: Mapping[str, bytes]


def _plain_blob(reader: ObjectReader, oid: ObjectId, what: str) -> bytes:
    found = reader.get_object(oid)
    if not isinstance(found, Blob) or found.headers:
        raise InvalidImage("WASM-024", f"{what} must be a blob without headers")
    return found.data


def _tree(reader: ObjectReader, oid: ObjectId, what: str) -> Tree:
    found = reader.get_object(oid)
    if not isinstance(found, Tree):
        raise InvalidImage("WASM-024", f"{what} must be a tree")
    return found


def _chunks(reader: ObjectReader, oid: ObjectId, pages: int) -> dict[int, tuple[ObjectId, bytes]]:
    chunks: dict[int, tuple[ObjectId, bytes]] = {}
    for name, chunk in _tree(reader, oid, "the image's memory").entries.items():
        if len(name) != CHUNK_NAME_DIGITS or not name.isascii() or not name.isdigit():
            raise InvalidImage("WASM-024.4", f"chunk name {name!r:.40} is not 5 decimal digits")
        index = int(name)
        if index >= pages:
            raise InvalidImage("WASM-024.4", f"chunk {index} lies beyond the {pages} pages")
        data = _plain_blob(reader, chunk, f"chunk {index}")
        if len(data) != CHUNK_BYTES:
            raise InvalidImage("WASM-024.4", f"chunk {index} has {len(data)} bytes, not 65536")
        if data == ZERO_CHUNK:
            raise InvalidImage("WASM-024.5", f"chunk {index} is all zero and must be omitted")
        chunks[index] = (chunk, data)
    return chunks


def read_image(reader: ObjectReader, oid: ObjectId, limits: WasmLimits) -> Image | None:
    """The image ``oid`` (a core's ``image`` entry): ``None`` for the empty image.

    ``invalid-image`` unless it is the empty image (a blob with no data and no
    headers, WASM-023) or an image tree (WASM-024); ``memory-limit`` when its
    size exceeds the memory limit (WASM-028), checked before any chunk is read.
    """
    found = reader.get_object(oid)
    if isinstance(found, Blob):
        if found.data or found.headers:
            raise InvalidImage("WASM-023.1", "a blob 'image' must be empty: no data, no headers")
        return None
    if not isinstance(found, Tree):  # pragma: no cover - a core entry is a blob or a tree
        raise InvalidImage("WASM-023.1", "'image' must be the empty blob or an image tree")
    entries = found.entries
    extra = set(entries) - {IMAGE_PAGES, IMAGE_MEMORY, IMAGE_GLOBALS}
    if extra:
        raise InvalidImage("WASM-024.2", f"unknown image entries {sorted(extra)!r:.80}")
    if IMAGE_PAGES not in entries:
        raise InvalidImage("WASM-024.1", "the image has no 'pages' entry")
    raw = _plain_blob(reader, entries[IMAGE_PAGES], "'pages'")
    if len(raw) != _PAGES_BYTES:
        raise InvalidImage("WASM-024.3", f"'pages' must be 4 bytes, not {len(raw)}")
    pages = int.from_bytes(raw, "little")
    if pages > limits.memory_pages:
        raise MemoryLimit(
            "WASM-028", f"an image of {pages} pages exceeds the limit of {limits.memory_pages}"
        )
    memory = entries.get(IMAGE_MEMORY)
    chunks = {} if memory is None else _chunks(reader, memory, pages)
    globals_: dict[str, bytes] = {}
    if IMAGE_GLOBALS in entries:
        for name, blob in _tree(reader, entries[IMAGE_GLOBALS], "globals").entries.items():
            bits = _plain_blob(reader, blob, f"global {name!r:.40}")
            if len(bits) not in (4, 8):
                raise InvalidImage("WASM-024.6", f"global {name!r:.40} is not 4 or 8 bytes")
            globals_[name] = bits
    return Image(pages=pages, chunks=chunks, globals=globals_)


def _same(data: bytes, view: memoryview) -> bool:
    """Whether ``view`` holds exactly ``data`` (a memcmp, without copying the view)."""
    return len(data) == len(view) and data.startswith(view)


class ImageSession:
    """The image of one call: ``restored`` (``None``: the empty image) and, if ``save``, its next.

    :mod:`._engine` restores the instance from ``restored`` and, after a
    successful call, calls :meth:`capture` when ``save`` is true (steps only,
    WASM-026; a query's changes are discarded, WASM-027).
    """

    __slots__ = ("_saved", "restored", "save")

    def __init__(self, restored: Image | None, *, save: bool) -> None:
        self.restored = restored
        self.save = save
        self._saved: tuple[ObjectId, tuple[GritObject, ...]] | None = None

    def capture(self, memory: memoryview, globals_: Mapping[str, GlobalValue]) -> None:
        """Build the image of the finished instance (WASM-024, WASM-026).

        A chunk equal to the restored one keeps its id without being hashed;
        only changed, non-zero chunks become new blobs.
        """
        old = {} if self.restored is None else self.restored.chunks
        created: list[GritObject] = []
        chunks: dict[str, ObjectId] = {}
        for index in range(len(memory) // CHUNK_BYTES):
            view = memory[index * CHUNK_BYTES : (index + 1) * CHUNK_BYTES]
            previous = old.get(index)
            if previous is not None and _same(previous[1], view):
                chunks[chunk_name(index)] = previous[0]
            elif not _same(ZERO_CHUNK, view):
                blob = Blob(data=view.tobytes())
                created.append(blob)
                chunks[chunk_name(index)] = object_id(blob)
            view.release()
        entries: dict[str, ObjectId] = {}
        pages = Blob(data=(len(memory) // CHUNK_BYTES).to_bytes(_PAGES_BYTES, "little"))
        entries[IMAGE_PAGES] = object_id(pages)
        created.append(pages)
        for name, tree_entries in (
            (IMAGE_MEMORY, chunks),
            (IMAGE_GLOBALS, self._globals(globals_, created)),
        ):
            if tree_entries:
                tree = Tree(entries=tree_entries)
                entries[name] = object_id(tree)
                created.append(tree)
        image = Tree(entries=entries)
        created.append(image)
        self._saved = (object_id(image), tuple(created))

    @staticmethod
    def _globals(
        globals_: Mapping[str, GlobalValue], created: list[GritObject]
    ) -> dict[str, ObjectId]:
        entries: dict[str, ObjectId] = {}
        for name, (kind, value) in globals_.items():
            if parse_path(name.encode("utf-8")) != (name,):
                raise InvalidImage("WASM-026.4", f"global export {name!r:.40} is not an entry name")
            blob = Blob(data=encode_global(kind, value))
            created.append(blob)
            entries[name] = object_id(blob)
        return entries

    def saved(self) -> tuple[ObjectId, tuple[GritObject, ...]]:
        """The new image tree's id and every object it needs (the tree last)."""
        if self._saved is None:  # pragma: no cover - the engine captures every saving call
            raise RuntimeError("the call's image was not captured")
        return self._saved
