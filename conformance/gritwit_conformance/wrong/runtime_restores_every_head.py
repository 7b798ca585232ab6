"""Wrong adapter: every run restores every actor with a head (RUN-013.3).

Before each ``rt-run`` the runtime loads the head of every actor in the store
that is not resident, as if a message were pending for each: actors that
nothing wants are restored, with their ``restore-requested`` and ``restored``
events, after every restart or eviction.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-013.3", "RUN-012.7"}),
    "failed",
    "every rt-run first restores every actor with a head that is not resident, "
    "though nothing is pending for it and nothing queries it",
)

_real_run_rounds = _runtime.Runtime.run_rounds


async def run_rounds(self: _runtime.Runtime, max_steps: int):  # type: ignore[no-untyped-def]
    for name in self._store.list_refs("heads/"):
        actor = ObjectId.from_hex(name.removeprefix("heads/"))
        if not self.resident(actor):  # the bug: restored though nothing is pending for it
            head, step = self._residents.head_step(actor)
            self._residents.use(actor, head, step, "message")
    return await _real_run_rounds(self, max_steps)


def install() -> None:
    patch(_runtime.Runtime, "run_rounds", run_rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
