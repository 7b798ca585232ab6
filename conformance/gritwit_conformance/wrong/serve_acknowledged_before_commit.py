"""Wrong adapter: a send is answered before its commit, which comes later (HTTP-005.2).

The service computes each message's id from the outside's chain, answers the request at
once, and commits the messages half a second later, in the background: a write-behind.
Read right after its answer, the message is not in the store; a stop in that half
second loses it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gritwit import object_id
from gritwit._objects import Message
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.4", "HTTP-005.2"}),
    "failed",
    "sends are answered at once and committed half a second later: not durable when "
    "acknowledged, lost by a stop in between",
)


def install() -> None:
    from gritwit.serve import _sending

    original = _sending.Sender._commit

    async def _commit(self: Any, batch: list[Any]) -> None:
        unsent: dict[Any, Any] = self.__dict__.setdefault("_unsent", {})
        for queued in batch:  # the bug: each answered with the id it will have
            previous = None
            if not queued.signal:
                previous = unsent.get(queued.recipient) or _sending.outside_entry(
                    self._store, queued.recipient
                )
            message = Message(
                content=queued.content, headers=queued.headers or {}, previous=previous
            )
            unsent[queued.recipient] = object_id(message)
            queued.succeed(unsent[queued.recipient])

        async def later() -> None:
            await asyncio.sleep(0.5)
            await original(self, batch)  # its answers were given: told again, ignored

        asyncio.get_running_loop().create_task(later())

    patch(_sending.Sender, "_commit", _commit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
