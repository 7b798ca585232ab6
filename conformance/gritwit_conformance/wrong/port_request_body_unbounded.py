"""Wrong adapter: a request's body is not bounded (PORT-005.3).

The port reads ``max_request_bytes`` from ``rt-open`` and never applies it: a body past the
bound is sent to the peer instead of refused ``port-too-large``.
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
    frozenset({"PORT-005.3"}),
    "failed",
    "a request body of any length is sent: no port-too-large",
)

_real_init = _port.PortService.__init__


def _init(self: _port.PortService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.bounds = dataclasses.replace(self.bounds, max_request_bytes=10**12)  # the bug


def install() -> None:
    patch(_port.PortService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
