"""Wrong adapter: a batch's entries are settled one by one as they are queued (HTTP-005.7).

``POST /v1/messages`` queues each entry once its key is settled, and only then settles
the next: an entry found in conflict fails the request, but the entries before it are
already queued and go out with the next commit.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.7"}),
    "failed",
    "a batch whose later entry conflicts fails, but its earlier entries are sent",
)


def install() -> None:
    from gritwit.serve import _sending
    from gritwit.serve._engine_commands import Sent

    def add_batch(self: Any, sends: tuple[Any, ...], future: Any) -> None:
        gathered = _sending._Gathered(future, len(sends))
        self._groups += 1
        for index, send in enumerate(sends):
            where = self._settled(send)  # the bug: settled after the ones before are queued
            if isinstance(where, _sending.Found):
                gathered.found(index, Sent(where.message, True))
            elif isinstance(where, _sending._Queued):
                where.done.append(gathered.part(index, True))
            else:
                self._groups += 1  # each entry a group of its own: committed alone
                self._queue(send, self._groups, gathered.part(index, False))

    patch(_sending.Sender, "add_batch", add_batch)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
