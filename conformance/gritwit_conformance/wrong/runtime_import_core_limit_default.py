"""Wrong adapter: ``rt-import`` bounds the head's core by the default core limit, not the
importing runtime's (SBX-007.7, SBX-006.18).

A runtime opened with ``max_core_bytes`` applies it to its runs' mounts and where a core
enters (SBX-006.17), but its import checks the bundle's head core with a fresh executor
at the default limits, 64 MiB, as ``gritwit actor import`` does outside any runtime: a
head core past the runtime's limit is imported, and every later run of that actor fails
``output-too-large`` at its mount, where the import must fail ``too-large`` and import
nothing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import import_bundle
from gritwit.wit import Executor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-007.7", "SBX-006.18"}),
    "failed",
    "rt-import checks the head's core against the default core limit, not the runtime's",
    timeout=STARTUP_TIMEOUT,
)


class Adapter(ReferenceAdapter):
    def cmd_rt_import(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self._rt(args)
        data = bytes.fromhex(str(args["bundle"]))
        bound = Executor(entry.store).bound_core  # the bug: the default limits (SBX-007.7)
        actor, head = import_bundle(entry.store, data, bound=bound)
        return {"actor": actor.hex(), "head": head.hex()}


if __name__ == "__main__":
    run(Adapter)
