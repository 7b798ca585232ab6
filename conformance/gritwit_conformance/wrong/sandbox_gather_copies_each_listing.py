"""Wrong adapter: a write copies every ``iovec`` buffer before a limit (SBX-005.15, SBX-005.16).

The host joins all the buffers of an ``iovec`` array and only then cuts the write to what
the output limit or the write budget still takes: one 1 MiB buffer listed 1024 times costs
the host a GiB of copies before the run fails ``output-too-large``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _cost, _state
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.15", "SBX-005.16"}),
    "failed",
    "a write joins every buffer of its iovec array before it cuts the write to what the "
    "output limit or write budget still takes: one 1 MiB buffer listed 1024 times costs "
    "the host a GiB",
    timeout=STARTUP_TIMEOUT,
)


def gather(
    self: _state.WasiState, ptr: int, count: int, take: int, paid: int | None = None
) -> bytes:
    self.charge(_cost.BYTE_FUEL * (take if paid is None else paid), "the bytes of a write")
    joined = b"".join(self.read(buf, length) for buf, length in self._entries(ptr, count))
    return joined[:take]  # the bug: every listing copied, then cut


def install() -> None:
    patch(_state.WasiState, "gather", gather)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
