"""Wrong adapter: an actor without a head never becomes resident (RUN-012.6).

An actor whose messages wait for its genesis has nothing to restore, so this
runtime does not keep a record of it at all: it is never archived, and the
eviction of the others (their order, ``max_resident`` counting) differs.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _resident
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.6"}),
    "failed",
    "an actor waiting for its genesis (no head) is never made resident, so never archived",
)

_real = _resident.ResidentActors.use


def use(self: _resident.ResidentActors, actor: Any, head: Any, step: Any, why: str) -> None:
    if head is None and actor not in self._resident:
        return  # the bug: nothing to restore, so nothing to keep
    _real(self, actor, head, step, why)


def install() -> None:
    patch(_resident.ResidentActors, "use", use)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
