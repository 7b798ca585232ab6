"""Wrong adapter: a ``python-wasi`` ``wit_update`` runs as an update function (SBX-015.2).

The executor resolves a ``wit_update`` blob of runtime ``python-wasi`` as it resolves
a ``wit``: the update's transition runs that program instead of failing
``unknown-wit``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-015.2"}),
    "failed",
    "resolves a python-wasi wit_update as a wit: the update runs the program instead of "
    "failing unknown-wit",
    timeout=STARTUP_TIMEOUT,
)

_real = _executor.Executor._code


def code(self: Any, blob_id: Any, table: Any, *, update: bool = False, gate: Any = None) -> Any:
    return _real(self, blob_id, table, gate=gate)  # the bug: never as an update


def install() -> None:
    patch(_executor.Executor, "_code", code)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
