"""Just enough of the WebAssembly binary format to drop a module's start section (WASM-025.1).

An image actor's instance is restored from its image, and its start function
runs only on the first call, before any image exists (WASM-025.7).  Engines run
the start function as part of instantiation, so the host restores into the
same module without its start section (section id 8): every index, type and
other section is unchanged.
"""

from __future__ import annotations

from typing import Final

__all__ = ["without_start"]

#: The id of the start section (WebAssembly core spec, 5.5.2).
_START_SECTION: Final = 8
_HEADER_BYTES: Final = 8


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
