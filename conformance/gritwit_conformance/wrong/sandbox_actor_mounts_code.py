"""Wrong adapter: an actor's whole core is mounted, code included (SBX-011.1, SBX-010.3).

The host mounts the core as it is: the program sees ``wit`` as a file in ``/core``,
and ``core`` in its input is the actor's core, not the mounted state. Since an
untouched file keeps its blob, the code survives every run, so ordinary programs
step as before.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_actor, "CODE_ENTRIES", frozenset())  # the bug: nothing is kept out


if __name__ == "__main__":
    run(ReferenceAdapter, install)
