"""Wrong adapter: a group's heads move before its objects are durable (RUN-017.2, RUN-017.5).

The group commit stores each member's step and swaps the heads in one transaction,
but keeps the members' other objects (cores, entries, messages, mailboxes) in memory
and writes them at the start of the next ``rt-run``.  Within a process nothing shows
(the objects are served from memory); a kill right after ``rt-run`` answered leaves
heads naming steps whose core and inbox were never stored.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _group, _runtime
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-017.2", "RUN-017.5", "RUN-017.6"}),
    "failed",
    "the group commit stores the steps and moves the heads, but writes the members' "
    "cores, entries, messages and mailboxes only at the next rt-run: a kill right after "
    "rt-run answered leaves heads naming absent objects",
    smoke=False,
)

_real_run_rounds = _runtime.Runtime.run_rounds
_LATER: list[tuple[Store, list[Any]]] = []


def heads_first(self: _group.CommitGroup, store: Store, wake: bool = True) -> Any:
    members, self.members = self.members, []
    self._heads = {}
    adopted, lost = [], []
    with store.batch() as batch:
        for member in members:
            built = member.built
            step = [(d, o) for d, o in built.encodings if o == built.step_id]
            batch.put_encoded(step)
            _LATER.append((store, [(d, o) for d, o in built.encodings if o != built.step_id]))
            try:  # the bug: the head moves now, its objects come later
                batch.cas_ref(
                    head_ref(member.actor), member.expected, built.step_id, target=built.step
                )
                adopted.append(member)
            except Exception:
                lost.append(member)
    self._cache.release(stored=True)
    return _group.Committed(adopted, lost, None)  # no grouped sends: the default mode


async def flush_then_run(self: _runtime.Runtime, max_steps: int) -> Any:
    while _LATER:
        store, items = _LATER.pop()
        store.put_encoded(items)
    return await _real_run_rounds(self, max_steps)


def install() -> None:
    patch(_group.CommitGroup, "commit", heads_first)
    patch(_runtime.Runtime, "run_rounds", flush_then_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
