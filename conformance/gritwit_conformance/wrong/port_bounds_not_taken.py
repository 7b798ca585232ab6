"""Wrong adapter: ``rt-open`` takes its ``port`` policy and secrets but not its bounds (ADP-024.1).

The adapter reads ``max_per_minute``, ``max_in_flight`` and the other bounds of ``port``
(it refuses one that is no integer) and then opens the runtime with the defaults: a
harness that set ``max_per_minute`` to 2 finds a port that takes 60 a minute.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import PortBounds
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"ADP-024.1"}),
    "failed",
    "rt-open checks the port's bounds and then opens the port with the defaults",
)

_real_port = adapter_runtime._port


def _port(args: adapter_runtime.Json) -> tuple[tuple[object, ...], object, PortBounds]:
    policy, secrets, _bounds = _real_port(args)
    return policy, secrets, PortBounds()  # the bug: the bounds given are dropped


def install() -> None:
    patch(adapter_runtime, "_port", _port)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
