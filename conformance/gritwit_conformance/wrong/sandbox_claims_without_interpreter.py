"""Wrong adapter: claims the profile ``sandbox`` without holding the interpreter (ADP-019.1).

A host whose interpreter file is missing still lists ``sandbox`` in ``hello`` (the
claim was written once, not derived from what it holds): ``sandbox-info`` answers
``unknown-wit``, where a host without the interpreter MUST NOT claim the profile.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import UnknownWit
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"ADP-019.1"}),
    "failed",
    "claims the profile sandbox although sandbox-info answers unknown-wit",
)


class ClaimsAnyway(ReferenceAdapter):
    def cmd_sandbox_info(self, args: dict[str, Any]) -> dict[str, Any]:
        raise UnknownWit("SBX-002.1", "the interpreter is not installed")  # the bug: claimed


if __name__ == "__main__":
    run(ClaimsAnyway)
