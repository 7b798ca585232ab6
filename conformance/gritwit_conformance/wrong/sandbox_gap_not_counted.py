"""Wrong adapter: a write past a file's end counts only its own bytes (SBX-007.5).

The zeros a write leaves between the file's end and its offset are not charged to
the write budget: seeking far and writing one byte grows a file without limit.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.5"}),
    "failed",
    "a write past a file's end charges only its own bytes, not the gap before them",
    timeout=STARTUP_TIMEOUT,
)


def write_at(self: _fs.Filesystem, handle: _fs.FileFd, offset: int, data: bytes) -> None:
    buffer = handle.file.buffer()
    self.charge(len(data))  # the bug: not the gap
    if offset > len(buffer):
        buffer.extend(bytes(offset - len(buffer)))
    buffer[offset : offset + len(data)] = data


def install() -> None:
    patch(_fs.Filesystem, "write_at", write_at)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
