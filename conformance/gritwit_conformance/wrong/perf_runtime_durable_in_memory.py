"""Wrong adapter: the durable runtime workloads run in memory (ADP-018.6).

The ``-durable`` workloads check ``path`` and then open the runtime on an
in-memory store: the steps and the ``check`` are the same (the store decides when
a step is durable, never which step it is), and the figure leaves out every sync.
Only the directory tells: a later ``rt-open`` of ``path`` finds no head.
"""

from __future__ import annotations

from pathlib import Path

from gritwit.adapter import ReferenceAdapter, _perf_runtime
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.6"}),
    "failed",
    "the durable runtime workloads check path and then run in memory: the same check, "
    "but a later rt-open of path finds no head",
)


def _in_memory(path: Path) -> Store:
    return Store.memory()  # the bug: path is checked, then left alone


def install() -> None:
    patch(_perf_runtime, "_durable_store", _in_memory)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
