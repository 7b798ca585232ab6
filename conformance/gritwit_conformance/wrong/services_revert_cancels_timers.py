"""Wrong adapter: a revert cancels the timers the actor set (TIM-007.2).

``rt-revert`` reads a revert as undoing everything the reverted steps did, and so removes
every timer pending the actor set from the timer party's core (in a timer step of its
own), where a request a reverted step sent stays sent and its timer stays set.
"""

from __future__ import annotations

from typing import Any

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Step, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _party_tables, _timers
from gritwit.runtime._parties import TIMER
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-007.2"}),
    "failed",
    "a revert cancels every timer pending the reverted actor set",
)

_real_revert = adapter_runtime.RuntimeCommands.cmd_rt_revert


def _cancel_all(store: Store, actor: ObjectId) -> None:
    """Remove ``actor``'s pending timers in one timer step (the bug)."""
    last_id = store.get_ref(head_ref(TIMER))
    last = None if last_id is None else store.get_object(last_id)
    core = None if not isinstance(last, Step) else store.get_object(last.core)
    if not isinstance(last, Step) or not isinstance(core, Tree):
        return
    table = _timers.read_table(store, core)
    changes: dict[str, ObjectId | None] = {
        timer.name: None for timer in table.values() if timer.setter == actor
    }
    if not changes:
        return
    objects: list[GritObject] = []
    new_core = _party_tables.table_with(store, core, "timers", changes, objects)
    step = Step(
        actor=TIMER,
        previous=last_id,
        core=object_id(new_core),
        inbox=last.inbox,
        outbox=last.outbox,
    )
    store.put_objects([*objects, new_core, step])
    store.cas_ref(head_ref(TIMER), last_id, object_id(step))


def _cmd_rt_revert(self: Any, args: Any) -> Any:
    answer = _real_revert(self, args)
    _cancel_all(self._rt(args).store, ObjectId.from_hex(args["actor"]))
    return answer


def install() -> None:
    patch(adapter_runtime.RuntimeCommands, "cmd_rt_revert", _cmd_rt_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
