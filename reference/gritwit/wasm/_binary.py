"""Just enough of the WebAssembly binary format to drop a module's start section (WASM-025.1).

An image actor's instance is restored from its image, and its start function
runs only on the first call, before any image exists (WASM-025.7).  Engines run
the start function as part of instantiation, so the host restores into the
same module without its start section (section id 8): every index, type and
other section is unchanged.
"""

from __future__ import annotations

from typing import Final

__all__ = ["memory_only", "without_start"]

#: The id of the start section (WebAssembly core spec, 5.5.2).
_START_SECTION: Final = 8
_HEADER_BYTES: Final = 8
#: Sections that give an instance no state but its memory (WebAssembly core spec, 5.5):
#: custom, type, import, function, memory, export, code and data.  Absent: table (4),
#: global (6), start (8), element (9), data count (12, which ``memory.init`` and
#: ``data.drop`` need, so without it passive data segments are never used) and tag (13).
_MEMORY_ONLY_SECTIONS: Final = frozenset({0, 1, 2, 3, 5, 7, 10, 11})


def _leb_u32(data: bytes, pos: int) -> tuple[int, int] | None:
    """An unsigned LEB128 ``u32`` at ``pos`` and the position after it; ``None`` if malformed."""
    value = shift = 0
    for index in range(pos, min(pos + 5, len(data))):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return (value, index + 1) if value <= 0xFFFFFFFF else None
        shift += 7
    return None


def without_start(wasm: bytes) -> bytes | None:
    """``wasm`` without its start section; ``None`` if it has none or is not well-formed.

    A module that is not well-formed is left to the engine, whose validation
    rejects it; one that is, is restored without its start function (WASM-025.1).
    """
    parts = [wasm[:_HEADER_BYTES]]
    pos, found = _HEADER_BYTES, False
    while pos < len(wasm):
        size = _leb_u32(wasm, pos + 1)
        if size is None or size[1] + size[0] > len(wasm):
            return None
        end = size[1] + size[0]
        if wasm[pos] == _START_SECTION:
            found = True
        else:
            parts.append(wasm[pos:end])
        pos = end
    return b"".join(parts) if found else None


def memory_only(wasm: bytes) -> bool:
    """Whether every instance of ``wasm`` keeps all its state in its linear memory.

    True for a well-formed module whose sections are all of
    :data:`_MEMORY_ONLY_SECTIONS`: it has no globals, tables, start function,
    element segments or data count (so no ``memory.init``/``data.drop``).  An
    instance of it whose memory is reset to its bytes after instantiation is
    then indistinguishable from a fresh one (WASM-005.1): what lets the engine
    keep it between calls.  ``False`` when unsure.
    """
    pos = _HEADER_BYTES
    while pos < len(wasm):
        size = _leb_u32(wasm, pos + 1)
        if size is None or size[1] + size[0] > len(wasm) or wasm[pos] not in _MEMORY_ONLY_SECTIONS:
            return False
        pos = size[1] + size[0]
    return wasm.startswith(b"\x00asm") and pos == len(wasm)
