"""The Wasm Wit ABI, version 1, as data (spec chapter *Wasm Wits*).

Everything an implementation must agree on — header values (WASM-001.1), the
binary magic (WASM-002.1), export names (WASM-004) and import names and the host
functions' arities (WASM-007.1), return codes (WASM-007.5), the signal flag
(WASM-012.3), the image's entries and sizes (WASM-023.1, WASM-024.1, WASM-024.4,
WASM-024.6), the limits (WASM-016) and the host-call cost (WASM-019) — is a
constant here; :mod:`._host` implements the functions and :mod:`._engine` binds
them to wasmtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ABI_HEADER",
    "ABI_LIMITS",
    "ABI_VERSION",
    "ABSENT",
    "CHUNK_BYTES",
    "CHUNK_NAME_DIGITS",
    "EXPORT_MEMORY",
    "EXPORT_QUERY",
    "EXPORT_STEP",
    "GLOBAL_BYTES",
    "HOST_CALL_COST",
    "IMAGE_ENTRY",
    "IMAGE_GLOBALS",
    "IMAGE_MEMORY",
    "IMAGE_PAGES",
    "IMPORTS",
    "IMPORT_MODULE",
    "INVALID",
    "PAGE_BYTES",
    "QUERY_IMPORTS",
    "SIGNAL",
    "STEP_IMPORTS",
    "WASM_MAGIC",
    "WASM_RUNTIME",
    "WasmLimits",
    "host_call_cost",
]

#: The ``runtime`` header value of a blob holding a Wasm module (WASM-001).
WASM_RUNTIME: Final = "wasm"
#: The header naming the ABI version, and the one version this chapter defines (WASM-001).
ABI_HEADER: Final = "abi"
ABI_VERSION: Final = "1"
#: A binary core module starts with these 8 bytes: magic and version 1 (WASM-002).
WASM_MAGIC: Final = b"\x00asm\x01\x00\x00\x00"

#: Exports of a module (WASM-004).
EXPORT_MEMORY: Final = "memory"
EXPORT_STEP: Final = "step"
EXPORT_QUERY: Final = "query"

#: The one import module; every host function takes and returns ``i32`` (WASM-007).
IMPORT_MODULE: Final = "gritwit"

#: Host function name -> number of ``i32`` parameters; each returns one ``i32``.
STEP_IMPORTS: Final[dict[str, int]] = {
    "msg_count": 0,  # () -> n                                            WASM-009
    "msg_sender": 3,  # (i, buf, cap) -> 64                               WASM-009
    "msg_header": 5,  # (i, name, name_len, buf, cap) -> len | ABSENT     WASM-009
    "msg_content": 5,  # (i, path, path_len, buf, cap) -> 64 | ABSENT     WASM-009
    "msg_read": 5,  # (i, path, path_len, buf, cap) -> len | ABSENT       WASM-009
    "msg_entry": 6,  # (i, path, path_len, k, buf, cap) -> len | ABSENT   WASM-009
    "mark_read": 1,  # (i) -> 0                                           WASM-010
    "core_read": 4,  # (path, path_len, buf, cap) -> len | ABSENT         WASM-011
    "core_set": 6,  # (path, path_len, data, len, hdrs, hdrs_len) -> 0    WASM-011
    "core_link": 4,  # (path, path_len, id, id_len) -> 0                  WASM-011
    "core_delete": 2,  # (path, path_len) -> 0 | ABSENT                   WASM-011
    "send": 7,  # (to, to_len, hdrs, hdrs_len, data, len, flags) -> 0     WASM-012
    "send_object": 7,  # (to, to_len, hdrs, hdrs_len, id, id_len, flags)  WASM-012
}
QUERY_IMPORTS: Final[dict[str, int]] = {
    "query_name": 2,  # (buf, cap) -> len                                 WASM-014
    "answer": 4,  # (data, len, hdrs, hdrs_len) -> 0                      WASM-014
    "answer_core": 2,  # (path, path_len) -> 0 | ABSENT                   WASM-014
}
IMPORTS: Final[dict[str, int]] = {**STEP_IMPORTS, **QUERY_IMPORTS}

#: Return codes (WASM-007): the value does not exist / an argument is malformed.
ABSENT: Final = -1
INVALID: Final = -2
#: ``flags`` bit of ``send`` and ``send_object``: send a signal, not a queued message.
SIGNAL: Final = 1

PAGE_BYTES: Final = 65536

#: The core entry declaring and holding an actor's image (WASM-023, WASM-024).
IMAGE_ENTRY: Final = "image"
#: Entries of an image tree (WASM-024).
IMAGE_PAGES: Final = "pages"
IMAGE_MEMORY: Final = "memory"
IMAGE_GLOBALS: Final = "globals"
#: One chunk of an image is one page; its name is its index in this many decimal digits.
CHUNK_BYTES: Final = PAGE_BYTES
CHUNK_NAME_DIGITS: Final = 5
#: Bytes of an exported mutable global's bit pattern, by value type (WASM-024).
GLOBAL_BYTES: Final[dict[str, int]] = {"i32": 4, "i64": 8, "f32": 4, "f64": 8}

#: Fuel charged for every host call, plus one unit per byte copied (WASM-019).
HOST_CALL_COST: Final = 10_000


def host_call_cost(copied: int) -> int:
    """The fuel a host call costs when it copies ``copied`` bytes across the boundary."""
    return HOST_CALL_COST + copied


@dataclass(frozen=True, slots=True, kw_only=True)
class WasmLimits:
    """The limits of one call (WASM-016); the defaults are ABI 1's, which a runtime MUST use.

    Tests may lower them; changing them changes which steps succeed.
    """

    fuel: int = 100_000_000
    memory_pages: int = 256
    table_elements: int = 10_000
    module_bytes: int = 4 * 1024 * 1024
    output_bytes: int = 1024 * 1024
    output_effects: int = 1024

    def __post_init__(self) -> None:
        for name in self.__slots__:
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"limit {name} must be a non-negative int, not {value!r}")


#: ABI 1's limits (WASM-016).
ABI_LIMITS: Final = WasmLimits()
