"""Broken adapter: a leftover debug print on standard output before ``has`` answers (ADP-001)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-001.4", "ADP-012"}),
    "errored",
    "a leftover debug print writes a non-JSON line to stdout before answering has",
    reason="response to has is not JSON",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_has(self, args: dict[str, Any]) -> dict[str, Any]:
        print(f"DEBUG has {args.get('id')}", flush=True)  # the bug: stdout is the protocol
        return super().cmd_has(args)


if __name__ == "__main__":
    run(Adapter)
