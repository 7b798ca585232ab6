"""Wrong adapter: the port sends every request without its body (PORT-001.2).

PORT-001.2 says the ``body`` entry of a request's content is the request's body. This
port reads the entry (its length is still bounded, PORT-005.3) but sends nothing of it:
a ``POST`` reaches the world empty.
"""

from __future__ import annotations

import dataclasses

from gritwit._objects import Message
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit.wit import ObjectReader
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-001.2"}),
    "failed",
    "the request's body entry is read but not sent: every request goes out empty",
)

_real_prepare = _port.PortService.prepare


def _prepare(
    self: _port.PortService,
    reader: ObjectReader,
    key: _port.Key,
    message: Message,
    identities: set[str] | None,
) -> _port.Prepared:
    prepared = _real_prepare(self, reader, key, message, identities)
    return dataclasses.replace(prepared, body=b"")  # the bug


def install() -> None:
    patch(_port.PortService, "prepare", _prepare)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
