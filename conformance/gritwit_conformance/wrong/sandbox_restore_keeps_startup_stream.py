"""Wrong adapter: a restored run draws from the start-up stream (SBX-003.4, SBX-005.14).

The host switches ``random_get`` to the run's stream in the prelude's call at the
snapshot point, which a restored run never makes: restored runs go on drawing from
the start-up stream, so every program gets the same "random" bytes, unlike a cold
start.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run, _snapshot
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-003.4", "SBX-005.14"}),
    "failed",
    "a restored run goes on drawing from the start-up stream instead of the run's",
    timeout=STARTUP_TIMEOUT,
)


class StalePoint(_snapshot.Point):
    restored = False

    def restore(self, store: Any, instance: Any, snapshot: Any) -> None:
        self.restored = True
        super().restore(store, instance, snapshot)

    def _random_get(self, state: Any, caller: int, ptr: int, length: int) -> int:
        if self.restored:  # the bug: the start-up stream, as before the point
            state.write(ptr, self.startup.random(length))
            return 0
        return super()._random_get(state, caller, ptr, length)


def install() -> None:
    patch(_run, "Point", StalePoint)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
