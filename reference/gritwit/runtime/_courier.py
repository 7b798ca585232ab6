"""The test actor ``courier`` (PORT-010): sends requests to the port for the suite.

It queues to the port party the request a ``port`` message describes: the headers of its
``request`` blob and its ``content`` entry as content (PORT-010.1).  Everything else, the
port party's answers included, it reads without effect (WIT-028.4), so what the port sent
it is told by its inbox, which the suite reads.
"""

from __future__ import annotations

from typing import Final

from ..wit import BuiltinActor
from ._forwarder import forwarding
from ._parties import HTTP

__all__ = ["COURIER"]


#: ``courier`` (PORT-010).
COURIER: Final = BuiltinActor(
    name="courier",
    description="Sends the port party the request each mt 'port' message describes.",
    transition=forwarding("port", HTTP),
    messages={"port": "Content: a tree with 'request' (a blob: the headers) and 'content'."},
)
