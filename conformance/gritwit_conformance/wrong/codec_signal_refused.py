"""Wrong adapter: a message must have ``previous`` (OBJ-012).

The message schema lists ``previous`` as required, so signals (messages
without ``previous``) are refused with ``invalid-object``, on encode and decode.
"""

from __future__ import annotations

from gritwit import _codec
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


def install() -> None:
    # The bug: "previous" required in messages.
    _codec.FIELDS["message"]["previous"] = True
    _codec._REQUIRED["message"] = {"type", "content", "previous"}


if __name__ == "__main__":
    run(ReferenceAdapter, install)
