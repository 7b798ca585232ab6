"""Wrong adapter: the Wasm engine does not canonicalise NaNs (WASM-006.1).

The engine is configured as the reference's but without
``cranelift_nan_canonicalization``: a NaN an instruction produces keeps
whatever sign and payload the CPU gives it.
"""

from __future__ import annotations

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _config
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-006.1"}),
    "failed",
    "the engine is configured without NaN canonicalisation: a NaN keeps the CPU's sign and payload",
    smoke=True,
)

_real_config = wasmtime.Config


def _config_without_nan() -> wasmtime.Config:
    config = _real_config()
    real_setattr = type(config).__setattr__

    class Config(type(config)):  # type: ignore[misc]
        def __setattr__(self, name: str, value: object) -> None:
            if name == "cranelift_nan_canonicalization":
                value = False  # the bug: the setting is dropped
            real_setattr(self, name, value)

    config.__class__ = Config
    return config


class _Wasmtime:
    """The wasmtime module as ``_config`` (which makes the engine's ``Config``) sees it,
    with the NaN setting dropped."""

    def __getattr__(self, name: str) -> object:
        return _config_without_nan if name == "Config" else getattr(wasmtime, name)


def install() -> None:
    patch(_config, "wasmtime", _Wasmtime())


if __name__ == "__main__":
    run(ReferenceAdapter, install)
