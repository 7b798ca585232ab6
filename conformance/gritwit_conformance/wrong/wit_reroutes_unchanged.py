"""Wrong adapter: after a step, outbox entries it left unchanged are routed again (WIT-010.2).

When an actor steps without sending to a recipient that already read the
actor's last message to it, that message is delivered to the recipient once
more: an ``echo`` asked by a ``requester`` answers the same question again
after the requester stored the first answer.
"""

from __future__ import annotations

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit.wit._executor import Executor
from gritwit.wit._model import PendingMessage
from gritwit.wit._pending import mailbox_entries
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-010.2"}),
    "failed",
    "after a step, outbox entries it left unchanged are routed again",
    smoke=True,
)

_original = Executor.pending_for


def rerouting(self: Executor, actor: ObjectId) -> dict[ObjectId, tuple[PendingMessage, ...]]:
    found = dict(_original(self, actor))
    store = self._store
    step = self.head_step(actor)
    if step is None:
        return found
    inbox = mailbox_entries(store, step.inbox)
    for name in store.list_refs("heads/"):
        sender_step = self.head_step(ObjectId.from_hex(name.removeprefix("heads/")))
        if sender_step is None or sender_step.previous is None or sender_step.actor in found:
            continue
        entry = mailbox_entries(store, sender_step.outbox).get(actor)
        before = store.get_object(sender_step.previous)
        unchanged = mailbox_entries(store, before.outbox).get(actor) == entry  # type: ignore[union-attr]
        if entry is not None and unchanged and inbox.get(sender_step.actor) == entry:
            message = store.get_object(entry)  # the bug: an unchanged entry is routed again
            found[sender_step.actor] = (PendingMessage(entry, message),)  # type: ignore[arg-type]
    return dict(sorted(found.items()))


def install() -> None:
    patch(_executor.Executor, "pending_for", rerouting)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
