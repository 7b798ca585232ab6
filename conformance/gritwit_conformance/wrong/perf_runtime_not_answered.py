"""Wrong adapter: claims ``perf``, ``runtime`` and ``wasm`` but knows only ADP-018.2's workloads.

An adapter written before the runtime workloads (ADP-018.6) answers them
``bad-request``, as any workload it does not know. That is allowed of one that
does not claim ``runtime`` and ``wasm``; one that claims both must answer them
(ADP-018.8).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter, _perf
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_perf, "ALL_WORKLOADS", tuple(_perf.WORKLOADS))  # the bug: the three alone


if __name__ == "__main__":
    run(ReferenceAdapter, install)
