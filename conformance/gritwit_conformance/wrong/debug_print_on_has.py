"""Broken adapter: a leftover debug print on standard output before ``has`` answers (ADP-001)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_has(self, args: dict[str, Any]) -> dict[str, Any]:
        print(f"DEBUG has {args.get('id')}", flush=True)  # the bug: stdout is the protocol
        return super().cmd_has(args)


if __name__ == "__main__":
    run(Adapter)
