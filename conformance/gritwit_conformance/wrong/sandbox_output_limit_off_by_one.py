"""Wrong adapter: output exactly at the limit fails (SBX-007.2).

The host's bounded stream refuses a write that reaches the limit (``>=`` for ``>``):
a program writing exactly the output limit fails ``output-too-large``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import patch, run


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
