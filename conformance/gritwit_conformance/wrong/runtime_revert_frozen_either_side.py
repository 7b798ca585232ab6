"""Wrong adapter: a revert is judged frozen when its target is, not only its head (RUN-024.7).

RUN-024.7 applies "when *H*'s core has a ``frozen`` entry"; the runtime applies it also
when the step reverted to is frozen, so an actor whose head is not frozen (a history
moved in by a bundle) cannot be reverted to a frozen step of another code.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.7"}),
    "failed",
    "a revert from a head that is not frozen to a frozen step of another code is refused "
    "frozen-core",
)


def install() -> None:
    from gritwit._errors import FrozenCore
    from gritwit._objects import Tree
    from gritwit.runtime import _revert

    original = _revert._check_frozen

    def _check_frozen(store: Any, head_core: Any, core: Any) -> None:
        now, then = store.get_object(head_core), store.get_object(core)
        if isinstance(now, Tree) and isinstance(then, Tree) and "frozen" in then.entries:
            for name in _revert.FROZEN_ENTRIES:  # the bug: the target's freeze counts too
                if now.entries.get(name) != then.entries.get(name):
                    raise FrozenCore("RUN-024.7", f"the step's core is frozen; {name!r} differs")
        original(store, head_core, core)

    patch(_revert, "_check_frozen", _check_frozen)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
