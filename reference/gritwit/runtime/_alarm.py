"""The test actor ``alarm`` (TIM-008): sets and cancels timers for the suite.

It queues to the timer party the request a ``timer`` message describes: the headers of
its ``request`` blob and its ``content`` entry as content (TIM-008.1).  Everything else,
the timer party's messages included, it reads without effect (WIT-028.4), so what the
timer service sent it is told by its inbox, which the suite reads.
"""

from __future__ import annotations

from typing import Final

from ..wit import BuiltinActor, TransitionInput, TransitionOutput
from ..wit._actors import _Out
from ..wit._model import get_blob, queued_send
from ._courier import COURIER
from ._parties import TIMER

__all__ = ["ALARM", "SERVICE_TEST_ACTORS"]


def _alarm(inp: TransitionInput) -> TransitionOutput:
    """``alarm`` (TIM-008.1): each ``timer`` message becomes one request to the timer party."""
    out = _Out(inp)
    for _, item in out.messages():
        if item.mt != "timer":
            continue
        tree = out.tree(item.message.content)
        request = None if tree is None else tree.entries.get("request")
        content = None if tree is None else tree.entries.get("content")
        blob = None if request is None else get_blob(inp.objects, request)
        if blob is None or content is None:
            continue  # read without effect (WIT-028.4)
        out.sends.append(queued_send(TIMER, content, blob.headers))
    return out.done()


#: ``alarm`` (TIM-008).
ALARM: Final = BuiltinActor(
    name="alarm",
    description="Sends the timer party the request each mt 'timer' message describes.",
    transition=_alarm,
    messages={"timer": "Content: a tree with 'request' (a blob: the headers) and 'content'."},
)

#: The test actors a runtime claiming ``services`` runs beside the Wit chapter's (TIM-008.1),
#: and ``courier``, which one claiming ``port`` runs too (PORT-010.1).
SERVICE_TEST_ACTORS: Final = {"alarm": ALARM, "courier": COURIER}
