"""Wrong adapter: the Wasm host sets no table element limit (WASM-017.2).

The store's limits are set without ``table_elements`` (a keyword argument
forgotten): a ``table.grow`` beyond 10 000 elements succeeds.
"""

from __future__ import annotations

from typing import Any

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-017.2"}),
    "failed",
    "the store's limits are set without table_elements: table.grow beyond 10 000 succeeds",
    smoke=True,
)

_real_set_limits = wasmtime.Store.set_limits


def set_limits(self: wasmtime.Store, *args: Any, **kwargs: Any) -> None:
    kwargs.pop("table_elements", None)  # the bug
    _real_set_limits(self, *args, **kwargs)


def install() -> None:
    patch(wasmtime.Store, "set_limits", set_limits)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
