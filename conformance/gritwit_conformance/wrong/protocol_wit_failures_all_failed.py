"""Wrong adapter: ``wit-run`` reports every failed transition as ``failed`` (ADP-014).

The profile asks for the Wit chapter's class (``unknown-wit``, ``invalid-transition``
…) when a transition broke one of its rules; this adapter never looks.
"""

from __future__ import annotations

from typing import Any

import gritwit.adapter._wit as wit
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-014"}),
    "failed",
    "wit-run reports every failed transition as failed, never the Wit chapter's class",
)


def every_failure_failed(failure: Any) -> str:
    return "failed"  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(wit, "failure_class", every_failure_failed))
