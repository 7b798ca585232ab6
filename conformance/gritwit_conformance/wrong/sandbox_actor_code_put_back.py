"""Wrong adapter: a run that writes ``wit`` has it silently put back (SBX-011.2).

The host lays the last core's code entries over whatever the program left, without
failing the transition: a program that tries to rewrite its code steps as if it had
not.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-011.2"}),
    "failed",
    "a run that leaves wit or wit_update has the code put back silently instead of failing",
    timeout=STARTUP_TIMEOUT,
)


class _Code(frozenset):  # type: ignore[type-arg]
    """The code entries, whose overlap with what a run left is never reported."""

    def __and__(self, other: Any) -> frozenset[str]:
        return frozenset()  # the bug

    __rand__ = __and__


def install() -> None:
    patch(_actor, "CODE_ENTRIES", _Code(_actor.CODE_ENTRIES))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
