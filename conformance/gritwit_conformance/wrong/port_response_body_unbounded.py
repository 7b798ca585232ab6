"""Wrong adapter: a response's body is not bounded (PORT-005.6).

The port reads the whole body of every response, however long, and answers it as a
response where ``max_response_bytes`` says ``port-too-large``.
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
    frozenset({"PORT-005.6"}),
    "failed",
    "a response body of any length is kept: no port-too-large",
)

_real_init = _port.PortService.__init__


def _init(self: _port.PortService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.bounds = dataclasses.replace(self.bounds, max_response_bytes=10**12)  # the bug


def install() -> None:
    patch(_port.PortService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
