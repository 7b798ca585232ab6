"""Wrong adapter: the step schema forgets the optional ``outbox`` field (OBJ-015).

Steps with an outbox are refused as having an unknown field (``invalid-object``),
on encode and decode; steps without one are handled correctly.
"""

from __future__ import annotations

from gritwit import _codec
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


def install() -> None:
    # The bug: "outbox" is missing from the fields a step may have.
    _codec._ALLOWED["step"] = _codec._ALLOWED["step"] - {"outbox"}


if __name__ == "__main__":
    run(ReferenceAdapter, install)
