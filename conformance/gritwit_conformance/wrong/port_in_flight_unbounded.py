"""Wrong adapter: the bound on one actor's requests in flight is not kept (PORT-005.2).

The port counts the requests in flight in all but not each actor's: one actor can take
every slot of the port, and none of its requests is refused ``port-busy``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-005.2"}),
    "failed",
    "an actor's requests in flight are not bounded: no port-busy",
)

_real_init = _port.PortService.__init__


def _init(self: _port.PortService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.bounds = dataclasses.replace(self.bounds, max_in_flight=10**9)  # the bug


def install() -> None:
    patch(_port.PortService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
