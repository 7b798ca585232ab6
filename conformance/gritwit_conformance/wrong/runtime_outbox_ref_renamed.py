"""Wrong adapter: the outside's outbox lives under another ref (RUN-003.2).

The runtime keeps the outside's mailbox under ``names/outbox`` instead of
``names/outside-outbox``.  Everything routes and recovers as before, but a store
shared with another runtime, or read by a tool, has no ``names/outside-outbox``:
the messages sent from the outside cannot be found from the heads of the spec.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _index
from gritwit.wit import _executor, _outside
from gritwit_conformance.wrong import patch, run


def install() -> None:
    for module in (_outside, _index, _executor):
        patch(module, "OUTSIDE_REF", "names/outbox")  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
