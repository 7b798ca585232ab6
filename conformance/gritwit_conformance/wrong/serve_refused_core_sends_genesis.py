"""Wrong adapter: a core refused at creation has its genesis sent all the same (HTTP-003.3).

``POST /v1/actors`` with a stored core that breaks the rules of a new core queues the
genesis before it judges the core: the request fails 422 as it should, but the message
goes out with the next commit.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Tree
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-003.3"}),
    "failed",
    "a creation refused for its core (422) still sends the core's genesis",
)


def install() -> None:
    from gritwit.serve import _sending
    from gritwit.serve._engine_commands import Send
    from gritwit.wit import core_problem

    original = _sending.Sender.add_create

    def add_create(self: Any, create: Any, future: Any) -> None:
        stored = create.core.stored
        if stored is not None and self._store.has(stored):
            core = self._store.get_object(stored)
            if isinstance(core, Tree) and core_problem(self._store, core) is not None:
                genesis = Send(  # the bug: queued before the core is judged
                    recipient=stored,
                    content=stored,
                    objects=(),
                    mt="genesis",
                    signal=False,
                    key=None,
                )
                self._groups += 1
                self._queue(genesis, self._groups, lambda message, exc: None)
        original(self, create, future)

    patch(_sending.Sender, "add_create", add_create)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
