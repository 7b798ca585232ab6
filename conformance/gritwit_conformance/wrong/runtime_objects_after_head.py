"""Wrong adapter: a step's head moves before its objects are durable (RUN-001.1, RUN-007.1).

The runtime stores the step object and swaps the head at once, but keeps the
step's other objects (the core, its entries, messages and mailboxes) in memory
and writes them at the start of the next ``rt-run``.  Within a process nothing
shows; a kill between two commands leaves heads naming steps whose core and
inbox were never stored.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import _cache, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-001.1", "RUN-007.1", "RUN-015.1", "RUN-015.2"}),
    "failed",
    "stores a step and moves its head at once, but writes the step's core, entries, "
    "messages and mailboxes only at the next rt-run: a kill in between loses them",
    smoke=True,
)

_real_run_rounds = _runtime.Runtime.run_rounds
#: Per cache (by id: ObjectCache has slots), the objects the swap went ahead of.
_LATER: dict[int, list[tuple[bytes, object]]] = {}


def head_first(self: _cache.ObjectCache, built, ref, expected, fresh=None) -> None:  # type: ignore[no-untyped-def]
    ids = [oid for _, oid in built.encodings]
    held = self._store.held(ids) if fresh is not None else set()
    if fresh is not None:  # the objects this commit adds, stored now or later (RUN-023.1)
        fresh.update(oid for oid in ids if oid not in held)
    step = [(data, oid) for data, oid in built.encodings if oid == built.step_id]
    rest = [(data, oid) for data, oid in built.encodings if oid != built.step_id]
    self._store.put_encoded(step)
    self._store.cas_ref(ref, expected, built.step_id, target=built.step)  # the bug: too early
    _LATER.setdefault(id(self), []).extend(rest)
    self._keep_all(built)


async def flush_then_run(self: _runtime.Runtime, max_steps: int):  # type: ignore[no-untyped-def]
    later = _LATER.pop(id(self._cache), [])
    if later:
        self._store.put_encoded(later)  # type: ignore[arg-type]
    return await _real_run_rounds(self, max_steps)


def install() -> None:
    # per-step commits (RUN-017.1), where this bug lives; runtime_group_heads_before_objects
    # is its group-commit twin
    patch(_adapter_runtime, "COMMIT", "step")
    patch(_cache.ObjectCache, "commit_assembled", head_first)
    patch(_runtime.Runtime, "run_rounds", flush_then_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
