"""Wrong adapter: a revert's ``head`` E is compared after the step S is checked (RUN-024.10).

The runtime checks S (present, a step of the actor, not the head, on its chain, the
frozen entries) before it compares the actor's head with E, where RUN-024.10 puts E's
check right after the head is found: a request with a stale E and an absent S answers
404, and with a stale E and S the head 400, instead of 409 ``ref-conflict``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"RUN-024.10"}),
    "failed",
    "a revert's head E is checked after its step S: a stale E with a bad S answers S's "
    "class, not ref-conflict",
    copied_from=(("gritwit.runtime._revert:plan_revert", "1b96bd08dd195679"),),
)


def install() -> None:
    from gritwit import _errors
    from gritwit._objects import Step
    from gritwit.runtime import _revert
    from gritwit.store import head_ref

    def plan_revert(store: Any, actor: Any, to_step: Any, expected: Any = None) -> Any:
        head = store.get_ref(head_ref(actor))
        if head is None:
            raise _errors.ObjectNotFound("RUN-024.6", f"actor {actor} has no head to revert")
        target = store.get_object(to_step)
        if not isinstance(target, Step) or target.actor != actor:
            raise _errors.InvalidRefTarget("RUN-024.6", f"{to_step} is not a step of {actor}")
        if to_step == head:
            raise _errors.InvalidRefTarget("RUN-024.6", f"{to_step} is the head of {actor}")
        last = store.get_object(head)
        if not _revert._below(store, actor, last, to_step):
            raise _errors.InvalidRefTarget("RUN-024.6", f"{to_step} is not in the history")
        if last.core != target.core:
            _revert._check_frozen(store, last.core, target.core)
        if expected is not None and head != expected:  # the bug: checked last
            raise _errors.RefConflict(
                "RUN-024.10", f"the head of {actor} is {head}, not {expected}", current=head
            )
        step = Step(
            actor=actor, core=target.core, previous=head, inbox=last.inbox, outbox=last.outbox
        )
        return head, step

    patch(_revert, "plan_revert", plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
