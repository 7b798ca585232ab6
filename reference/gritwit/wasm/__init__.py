"""Wasm Wits (spec chapter *Wasm Wits*, WASM-001 … WASM-029).

* :mod:`._abi` — ABI 1 as data: headers, exports, host functions, limits, costs;
* :mod:`._host` — the host functions (the guest's only authority) over guest memory;
* :mod:`._core` — the guest's working copy of its core, by paths;
* :mod:`._engine` — the only module importing wasmtime: load, cache, run, map traps,
  restore and capture images;
* :mod:`._image` — image persistence: an image read from a core, the next one built
  from a finished instance (WASM-023 … WASM-029); :mod:`._binary` drops a start section;
* :class:`WasmWits` — ``wit`` blobs holding modules, as Wits with queries;
* :func:`build` — the deterministic build of ``conformance/wasm``.
"""

from __future__ import annotations

from ._abi import ABI_VERSION, WASM_RUNTIME, WasmLimits
from ._build import BuildReport, build, find_wasm_dir
from ._engine import wat_to_wasm
from ._wits import WasmRun, WasmWit, WasmWits, is_wasm_wit, wasm_wit_blob

__all__ = [
    "ABI_VERSION",
    "WASM_RUNTIME",
    "BuildReport",
    "WasmLimits",
    "WasmRun",
    "WasmWit",
    "WasmWits",
    "build",
    "find_wasm_dir",
    "is_wasm_wit",
    "wasm_wit_blob",
    "wat_to_wasm",
]
