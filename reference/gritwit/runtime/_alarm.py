"""The test actor ``alarm`` (TIM-008): sets and cancels timers for the suite.

It queues to the timer party the request a ``timer`` message describes: the headers of
its ``request`` blob and its ``content`` entry as content (TIM-008.1).  Everything else,
the timer party's messages included, it reads without effect (WIT-028.4), so what the
timer service sent it is told by its inbox, which the suite reads.
"""

from __future__ import annotations

from typing import Final

from ..wit import BuiltinActor
from ._courier import COURIER
from ._forwarder import forwarding
from ._parties import TIMER

__all__ = ["ALARM", "SERVICE_TEST_ACTORS"]


#: ``alarm`` (TIM-008).
ALARM: Final = BuiltinActor(
    name="alarm",
    description="Sends the timer party the request each mt 'timer' message describes.",
    transition=forwarding("timer", TIMER),
    messages={"timer": "Content: a tree with 'request' (a blob: the headers) and 'content'."},
)

#: The test actors a runtime claiming ``services`` runs beside the Wit chapter's (TIM-008.1),
#: and ``courier``, which one claiming ``port`` runs too (PORT-010.1).
SERVICE_TEST_ACTORS: Final = {"alarm": ALARM, "courier": COURIER}
