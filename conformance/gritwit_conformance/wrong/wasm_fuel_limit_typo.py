"""Wrong adapter: the fuel limit is 10 000 000 units, a zero short (WASM-020.2).

Every call is aborted → ``fuel-exhausted`` once its cost exceeds a tenth of ABI 1's
limit: calls that cost less than half the limit, which must finish, are aborted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-020.2"}),
    "failed",
    "the fuel limit is 10 000 000 units, a zero short: calls within half the limit abort",
    smoke=True,
)

_real_init = _engine.WasmEngine.__init__


def init(self: _engine.WasmEngine, limits: Any = _engine.ABI_LIMITS, *args: Any, **kw: Any) -> None:
    _real_init(self, dataclasses.replace(limits, fuel=10_000_000), *args, **kw)  # the bug


def install() -> None:
    patch(_engine.WasmEngine, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
