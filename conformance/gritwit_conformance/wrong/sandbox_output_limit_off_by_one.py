"""Wrong adapter: output exactly at the limit fails (SBX-007.2).

The host's bounded stream refuses a write that reaches the limit (``>=`` for ``>``):
a program writing exactly the output limit fails ``output-too-large``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.2"}),
    "failed",
    "output exactly at the limit fails output-too-large (>= for >)",
    timeout=STARTUP_TIMEOUT,
    copied_from=(("gritwit.sandbox._run:_Bounded.__call__", "a381866d26aadc2e"),),
)


def call(self: _run._Bounded, chunk: bytes) -> int:
    if len(self.data) + len(chunk) >= self.limit:  # the bug
        self.overflow = True
        self.data += chunk[: max(0, self.limit - len(self.data))]
    else:
        self.data += chunk
    return len(chunk)


def install() -> None:
    patch(_run._Bounded, "__call__", call)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
