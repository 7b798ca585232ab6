"""Wrong adapter: grouped sends are answered before their commit, which comes next (HTTP-005.2).

The service gathers the sends of a drain into one group as the reference does, answers
each request of the group, 202 with the id its message will have, and hands the group's
commit to a task of the engine's loop, so that the engine takes the next requests
without waiting for the store: a pipelined group commit that acknowledges early. No
delay is added: the commit runs as soon as the engine's loop turns, before a stop ends
(``http-stop`` waits for it), so the messages are there on every read that comes later
than that. A SIGKILL between the answers and that turn loses acknowledged sends.
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
    "each group of sends is answered 202 as it goes to its commit, not once the commit "
    "answered: a SIGKILL right after the answers loses acknowledged sends",
)


def install() -> None:
    from gritwit.serve import _sending

    original = _sending.Sender._commit

    async def _commit(self: Any, batch: list[Any]) -> None:
        unsent: dict[Any, Any] = self.__dict__.setdefault("_unsent", {})
        for queued in batch:  # the bug: answered with the ids the commit will give them
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
        # its answers were given: told again when it commits, and ignored
        pending = asyncio.get_running_loop().create_task(original(self, batch))
        self.__dict__.setdefault("_pending", set()).add(pending)
        pending.add_done_callback(self._pending.discard)

    patch(_sending.Sender, "_commit", _commit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
