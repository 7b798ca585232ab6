"""The Wasm profile's engine configuration: the ABI's deterministic feature set
(WASM-003, WASM-006, WASM-019), shared with the sandbox's engine, and the text format's
build.
"""

from __future__ import annotations

from typing import Final

import wasmtime

__all__ = ["SETTINGS", "wat_to_wasm"]


#: The ABI's deterministic feature set (WASM-003, WASM-006, WASM-019), as wasmtime
#: ``Config`` settings; the sandbox's engine takes the same, plus epoch interruption.
SETTINGS: Final[tuple[tuple[str, bool], ...]] = (
    ("consume_fuel", True),
    ("cranelift_nan_canonicalization", True),
    ("wasm_threads", False),
    ("shared_memory", False),
    ("wasm_relaxed_simd", False),
    ("wasm_multi_memory", False),
    ("wasm_memory64", False),
    ("wasm_exceptions", False),
    ("wasm_gc", False),
    ("wasm_function_references", False),
    ("wasm_stack_switching", False),
    ("wasm_component_model", False),
    ("wasm_wide_arithmetic", False),
    ("wasm_custom_page_sizes", False),
    ("parallel_compilation", False),
)


def wat_to_wasm(text: str) -> bytes:
    """The binary encoding of a module in the text format (the build of ``conformance/wasm``)."""
    return bytes(wasmtime.wat2wasm(text))


def _engine(*, fixed_memory: bool = False) -> wasmtime.Engine:
    """An engine for the ABI's deterministic feature set (WASM-003, WASM-006, WASM-019).

    With ``fixed_memory`` a memory stays where it was made, however it grows (within
    its reservation, 4 GiB on 64-bit hosts: any 32-bit memory), so a view of it stays
    valid (:class:`_Guest`).  Modules compiled with and without it do not load in each
    other's engine, so the sandbox, whose interpreter is compiled once and cached on
    disk, keeps wasmtime's default.
    """
    config = wasmtime.Config()
    for name, value in SETTINGS:
        setattr(config, name, value)
    if fixed_memory:
        config.memory_may_move = False
    return wasmtime.Engine(config)
