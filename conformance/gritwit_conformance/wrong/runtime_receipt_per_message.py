"""Wrong adapter: an error receipt per pending message, not per sender (RUN-004.6).

When an actor is marked failed, each sender is sent one receipt for every message it had
pending for the actor: a sender with two questions waiting reads two receipts.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _transition
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.6"}),
    "failed",
    "sends a failed actor's senders one error receipt per pending message, not one each",
)

_real = _transition.Transitions._mark_failed


class _PerMessage(dict[Any, Any]):
    """The pending messages by sender, iterated as one sender per message."""

    def __iter__(self) -> Any:
        for sender, pending in self.items():
            yield from [sender] * len(pending)  # the bug: a sender per message


async def per_message(self: Any, actor: Any, error: Any, attempts: Any, found: Any) -> None:
    await _real(self, actor, error, attempts, _PerMessage(found))


def install() -> None:
    patch(_transition.Transitions, "_mark_failed", per_message)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
