"""Wrong adapter: the runtime workloads run the test actors' Python twins (ADP-018.6).

A tempting shortcut for a host whose runtime has built-in twins of the Wasm test
actors: create the ``counter`` (``requester``, ``echo``) named by its test-actor
core instead of the module the harness sent. The messages and the counts are the
same; the actors are not the Wasm builds ADP-018.6 names, so every core, step and
the ``check`` differ.
"""

from __future__ import annotations

from gritwit._objects import GritObject, Tree
from gritwit.adapter import ReferenceAdapter, _perf_runtime
from gritwit.wit import test_actor_core
from gritwit_conformance.runs._perf import RUNTIME_WORKLOADS, actor_modules
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.6"}),
    "failed",
    "the runtime workloads create the test actors' Python twins instead of the Wasm "
    "modules the harness sent: the same counts, other cores, so the check differs",
)


def _names() -> dict[bytes, str]:
    names: dict[bytes, str] = {}
    for workload in RUNTIME_WORKLOADS:
        names.update({module: name for name, module in actor_modules(workload).items()})
    return names


def install() -> None:
    names = _names()

    def twin_core(
        module: bytes, state: dict[str, GritObject]
    ) -> tuple[Tree, tuple[GritObject, ...]]:
        return test_actor_core(names[module], state)  # the bug: the twin, not the module

    patch(_perf_runtime, "wasm_core", twin_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
