"""Broken adapter: ``hash`` answers the digest in uppercase hex (ADP-004.1).

As ``Convert.ToHexString`` and ``%X`` write it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_hash(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"digest": super().cmd_hash(args)["digest"].upper()}  # the bug


if __name__ == "__main__":
    run(Adapter)
