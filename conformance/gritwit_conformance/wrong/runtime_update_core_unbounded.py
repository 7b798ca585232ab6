"""Wrong adapter: an update's new core is not bounded (SBX-006.17).

The runtime refuses a ``python-wasi`` core past SBX-006.15's entries at its genesis and
at an import (SBX-006.18), but takes any update: an update whose merge with the core
(WIT-013.4) expands past 2**18 entries is adopted, and every later run of that actor
fails ``output-too-large`` at its mount, where the update must fail ``too-large`` and
the actor keep its last core.
"""

from __future__ import annotations

import threading
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit._executor import Executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-006.17"}),
    "failed",
    "bounds a python-wasi core at its genesis and at an import, not at an update",
)

#: Whether this thread is making an update's core (the runtime builds in a lane thread).
_updating = threading.local()
_real_system = Executor._system
_real_bound = Executor._bound


def _system(self: Executor, inp: Any, sender: Any, item: Any, gate: Any = None) -> Any:
    _updating.on = True
    try:
        return _real_system(self, inp, sender, item, gate)
    finally:
        _updating.on = False


def _bound(self: Executor, core: Any, reader: Any, gate: Any) -> None:
    if getattr(_updating, "on", False):
        return  # the bug: an update's new core is adopted whatever it expands to
    _real_bound(self, core, reader, gate)


def install() -> None:
    patch(Executor, "_system", _system)
    patch(Executor, "_bound", _bound)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
