"""Broken adapter: ``ref-list`` never answers (ADP-012).

It blocks reading standard input — a deadlock: the harness sends nothing
until it has an answer.  (Once the harness is gone, end of input ends it.)
"""

from __future__ import annotations

import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-012"}),
    "timed-out",
    "ref-list never answers (it waits for input that never comes)",
    reason="no response to ref-list within",
    smoke=True,
    # every ref-list waits this long: short, but long enough for the handshake (an
    # interpreter's start-up) on a loaded machine, which 1 s was not (CI run ci9)
    timeout=3.0,
)


class Adapter(ReferenceAdapter):
    def cmd_ref_list(self, args: dict[str, Any]) -> dict[str, Any]:
        sys.stdin.read()  # the bug: waits for input that never comes
        raise SystemExit(0)


if __name__ == "__main__":
    run(Adapter)
