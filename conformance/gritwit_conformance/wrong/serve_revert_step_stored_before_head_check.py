"""Wrong adapter: a revert given a stale ``head`` E stores its revert step first (RUN-024.10).

The runtime builds the revert step from E and stores it before it compares the actor's
head with E, as a compare-and-swap from E that loses would leave it (RUN-024.1): the
refusal is 409 ``ref-conflict`` all the same, but it stored an object, where HTTP-016.3
and RUN-024.10 store nothing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"RUN-024.10", "HTTP-016.3"}),
    "failed",
    "a revert refused for its stale head has stored the revert step from that head",
)


def install() -> None:
    from gritwit._errors import GritError
    from gritwit._objects import Step
    from gritwit.runtime import _runtime
    from gritwit.store import head_ref

    original = _runtime.revert

    def revert(store: Any, actor: Any, to_step: Any, expected: Any = None) -> Any:
        if expected is not None and store.get_ref(head_ref(actor)) not in (None, expected):
            try:  # the bug: the step a swap from E would adopt, stored before E is compared
                target, seen = store.get_object(to_step), store.get_object(expected)
            except GritError:
                target = seen = None
            if isinstance(target, Step) and isinstance(seen, Step):
                store.put_object(
                    Step(
                        actor=actor,
                        core=target.core,
                        previous=expected,
                        inbox=seen.inbox,
                        outbox=seen.outbox,
                    )
                )
        return original(store, actor, to_step, expected)

    patch(_runtime, "revert", revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
