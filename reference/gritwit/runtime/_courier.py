"""The test actor ``courier`` (PORT-010): sends requests to the port for the suite.

It queues to the port party the request a ``port`` message describes: the headers of its
``request`` blob and its ``content`` entry as content (PORT-010.1).  Everything else, the
port party's answers included, it reads without effect (WIT-028.4), so what the port sent
it is told by its inbox, which the suite reads.
"""

from __future__ import annotations

from typing import Final

from ..wit import BuiltinActor, TransitionInput, TransitionOutput
from ..wit._actors import _Out
from ..wit._model import get_blob, queued_send
from ._parties import HTTP

__all__ = ["COURIER"]


def _courier(inp: TransitionInput) -> TransitionOutput:
    """``courier`` (PORT-010.1): each ``port`` message becomes one request to the port."""
    out = _Out(inp)
    for _, item in out.messages():
        if item.mt != "port":
            continue
        tree = out.tree(item.message.content)
        request = None if tree is None else tree.entries.get("request")
        content = None if tree is None else tree.entries.get("content")
        blob = None if request is None else get_blob(inp.objects, request)
        if blob is None or content is None:
            continue  # read without effect (WIT-028.4)
        out.sends.append(queued_send(HTTP, content, blob.headers))
    return out.done()


#: ``courier`` (PORT-010).
COURIER: Final = BuiltinActor(
    name="courier",
    description="Sends the port party the request each mt 'port' message describes.",
    transition=_courier,
    messages={"port": "Content: a tree with 'request' (a blob: the headers) and 'content'."},
)
