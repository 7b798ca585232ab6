"""Wrong adapter: ``rt-import`` does not bound the head's core (SBX-006.18).

The runtime refuses a ``python-wasi`` core past SBX-006.15's entries at its genesis and
at an update (SBX-006.17), but its import takes any bundle RUN-009.2 passes: a head
whose core expands past 2**18 entries is imported, and every later run of that actor
fails ``output-too-large``, where the import must fail ``too-large`` and import nothing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import import_bundle
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-006.18"}),
    "failed",
    "rt-import takes a head whose core its runs could not mount: no bound at import",
)


class Adapter(ReferenceAdapter):
    def cmd_rt_import(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self._rt(args)
        data = bytes.fromhex(str(args["bundle"]))
        actor, head = import_bundle(entry.store, data)  # the bug: no bound= (SBX-006.18)
        return {"actor": actor.hex(), "head": head.hex()}


if __name__ == "__main__":
    run(Adapter)
