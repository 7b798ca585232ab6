"""Wrong adapter: an actor's requests per minute are not bounded (PORT-005.4).

The port takes ``max_per_minute`` and never counts against it: every request of a minute
is accepted, none refused ``port-rate``.
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
    frozenset({"PORT-005.4"}),
    "failed",
    "an actor's requests per minute are not bounded: no port-rate",
)

_real_init = _port.PortService.__init__


def _init(self: _port.PortService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.bounds = dataclasses.replace(self.bounds, max_per_minute=10**12)  # the bug


def install() -> None:
    patch(_port.PortService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
