"""Forwarding test actors: each message of one type becomes one request to a service party.

``alarm`` (TIM-008.1) and ``courier`` (PORT-010.1) are the same transition for two parties:
a message of their type is a tree whose ``request`` entry is a blob (its headers: the
request's) and whose ``content`` entry is the request's content; they queue that request to
their party.  Everything else, the party's own messages included, they read without effect
(WIT-028.4), so what the party sent them is told by their inbox, which the suite reads.
"""

from __future__ import annotations

from collections.abc import Callable

from .._ids import ObjectId
from ..wit import TransitionInput, TransitionOutput
from ..wit._actors import _Out
from ..wit._model import get_blob, queued_send

__all__ = ["forwarding"]


def forwarding(mt: str, party: ObjectId) -> Callable[[TransitionInput], TransitionOutput]:
    """The transition that queues to ``party`` the request each ``mt`` message describes.

    The request is the headers of the message's ``request`` blob with its ``content`` entry
    as content (TIM-008.1, PORT-010.1); any other message is read without effect (WIT-028.4).
    """

    def transition(inp: TransitionInput) -> TransitionOutput:
        out = _Out(inp)
        for _, item in out.messages():
            if item.mt != mt:
                continue
            tree = out.tree(item.message.content)
            request = None if tree is None else tree.entries.get("request")
            content = None if tree is None else tree.entries.get("content")
            blob = None if request is None else get_blob(inp.objects, request)
            if blob is None or content is None:
                continue  # read without effect (WIT-028.4)
            out.sends.append(queued_send(party, content, blob.headers))
        return out.done()

    return transition
