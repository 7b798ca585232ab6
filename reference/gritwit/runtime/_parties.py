"""Service parties: parties whose steps a runtime service writes (TIM-001).

A service party's id is the id of a fixed core (TIM-001.1), so every runtime and every
store agree on it without a ref.  The routing index routes its steps' messages as any
actor's; the runs never take it as a candidate (TIM-001.3).  The timer party is the
first; a later service (a port to the world, say) is another name here.
"""

from __future__ import annotations

from typing import Final

from .._codec import object_id
from .._ids import ObjectId
from .._objects import Blob, Tree, make_headers

__all__ = ["HTTP", "SERVICE_PARTIES", "TIMER", "party_core", "party_id", "party_wit"]


def party_wit(name: str) -> Blob:
    """The ``wit`` blob of the service party ``name`` (TIM-001.1)."""
    return Blob(headers=make_headers({"runtime": "service"}), data=name.encode("utf-8"))


def party_core(name: str) -> Tree:
    """The core whose id is the party's id: its one entry ``wit`` (TIM-001.1)."""
    return Tree(entries={"wit": object_id(party_wit(name))})


def party_id(name: str) -> ObjectId:
    """The id of the service party ``name`` (TIM-001.1, as WIT-002 for an actor)."""
    return object_id(party_core(name))


#: The timer party (TIM-001.1).
TIMER: Final = party_id("timer")

#: The port party (PORT-001.1).
HTTP: Final = party_id("http")

#: Every service party: never a candidate of a run (TIM-001.3).
SERVICE_PARTIES: Final = frozenset({TIMER, HTTP})
