"""The engines the Wit executor runs code on, registered from above (the layering).

The executor (:mod:`gritwit.wit`) sits below the Wasm host (:mod:`gritwit.wasm`) and the
sandbox (:mod:`gritwit.sandbox`) and never imports them; it asks the registry of
:mod:`gritwit.wit._runners` for a runner per ``runtime`` header.  This module, imported
by ``import gritwit``, fills that registry with one factory per engine.  Each factory
imports its engine only when called — the first time an executor meets a Wasm or
sandboxed ``wit`` blob — so ``import gritwit`` does not load wasmtime, and
``Executor(store)`` or ``Runtime(store)`` runs every kind of Wit as before.
"""

from __future__ import annotations

from .wit._runners import (
    SANDBOX_RUNTIME,
    WASM_RUNTIME,
    RunnerLimits,
    WitRunner,
    register_runner,
)

__all__ = ["register_engines"]


def _wasm(limits: RunnerLimits) -> WitRunner:
    # A Wasm Wit's core has no bytes bound of SBX-006.16: the limits are the sandbox's.
    from .wasm import WasmWits  # wasmtime is loaded only when a Wasm Wit runs

    return WasmWits()


def _sandbox(limits: RunnerLimits) -> WitRunner:
    # Loaded only when a sandboxed Wit runs; without the interpreter (the extra
    # gritwit[sandbox]) its first transition fails unknown-wit (SBX-002.1).  Its runs,
    # entry checks and import checks take the runtime's core limit (SBX-007.7).
    from .sandbox import SandboxLimits, SandboxWits

    return SandboxWits(SandboxLimits(core_bytes=limits.core_bytes))


def register_engines() -> None:
    """Register the Wasm host and the sandbox as the executor's runners (idempotent)."""
    register_runner(WASM_RUNTIME, _wasm)
    register_runner(SANDBOX_RUNTIME, _sandbox)
