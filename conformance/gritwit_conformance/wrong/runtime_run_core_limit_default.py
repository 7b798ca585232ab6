"""Wrong adapter: a ``python-wasi`` actor's runs take the default core limit, not the
runtime's (SBX-007.7).

``rt-open``'s ``max_core_bytes`` reaches the checks where a core enters (SBX-006.17) and
the import's (SBX-006.18), but each run is made under the sandbox's default limits:
it mounts, reads back and counts its writes against 64 MiB (SBX-006.16, SBX-007.3,
SBX-007.4).  Under a limit of 1 001 bytes a run that leaves 1 002 bytes is adopted, and
so is one that writes a byte past 1 001 + 1 MiB, where each must fail
``output-too-large``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import SandboxLimits, _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-007.7"}),
    "failed",
    "a python-wasi actor's runs take the default core limit; the entry checks the runtime's",
    timeout=STARTUP_TIMEOUT,
)

_wit_for = _actor.SandboxWits.wit_for


def wit_for(self: _actor.SandboxWits, reader: Any, blob_id: Any) -> _actor.SandboxWit:
    wit = _wit_for(self, reader, blob_id)
    return dataclasses.replace(wit, limits=SandboxLimits())  # the bug: the default limits


def install() -> None:
    patch(_actor.SandboxWits, "wit_for", wit_for)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
