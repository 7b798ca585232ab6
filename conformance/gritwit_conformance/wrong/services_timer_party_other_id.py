"""Wrong adapter: the timer party's wit blob holds ``timer`` and a newline (TIM-001.1).

TIM-001.1 fixes the party's id: the id of the tree whose one entry ``wit`` is a blob with
the header ``runtime: "service"`` and the data ``timer``. This runtime writes the name as
a line of text, newline included: its timer party is another id, consistent within the
runtime (its ``alarm`` sends to it, its service writes it), so no other runtime or store
agrees with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import Blob, Tree, make_headers
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _forwarder, _index, _parties, _party_step, _schedule, _timers
from gritwit.wit import Send
from gritwit.wit._model import queued_send
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-001.1"}),
    "failed",
    "the timer party's wit blob holds the name and a newline: the party is another id",
)


def _party_wit(name: str) -> Blob:
    if name != "timer":  # the port party, built by the same code, keeps its id
        return _parties.party_wit(name)
    # the bug: the name as a line, newline and all
    return Blob(headers=make_headers({"runtime": "service"}), data=f"{name}\n".encode())


def _party_core(name: str) -> Tree:
    return Tree(entries={"wit": object_id(_party_wit(name))})


_REAL_TIMER = _parties.TIMER
_TIMER = object_id(_party_core("timer"))


def _queued_send(recipient: ObjectId, content: ObjectId, headers: Mapping[str, str]) -> Send:
    """The alarm's request, sent to the party of the other id."""
    return queued_send(_TIMER if recipient == _REAL_TIMER else recipient, content, headers)


def install() -> None:
    timer = _TIMER
    patch(_party_step, "party_wit", _party_wit)
    patch(_party_step, "party_core", _party_core)
    patch(_forwarder, "queued_send", _queued_send)
    for module in (_parties, _timers):
        patch(module, "TIMER", timer)
    patch(_schedule, "SERVICE_PARTIES", frozenset({timer}))
    patch(_index, "_NOT_RUN", frozenset({_index.OUTSIDE, timer}))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
