"""Wrong adapter: ``..`` above a preopen stays at its root (SBX-005.8).

Like ``chroot``, the host resolves a ``..`` at the top of ``/core`` to ``/core``
itself instead of refusing it: the program cannot leave, but the attempt is neither
an error nor a forbidden operation.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.8", "SBX-005.33"}),
    "failed",
    "a .. above a preopen stays at its root (as chroot) instead of ending the run as forbidden",
    timeout=STARTUP_TIMEOUT,
)

_real = _fs.Filesystem.place


def place(self: _fs.Filesystem, fd: int, raw: bytes) -> _fs.Place:
    if raw.startswith(b"/"):
        return _real(self, fd, raw)
    depth = self.directory(fd).trail.depth
    kept: list[bytes] = []
    for part in raw.split(b"/"):
        if part == b"..":
            if kept and kept[-1] not in (b"..", b".", b""):
                kept.pop()
            elif depth > 0:
                kept.append(part)
                depth -= 1
            # the bug: a ".." at the root is dropped
        else:
            kept.append(part)
    return _real(self, fd, b"/".join(kept) or b".")


def install() -> None:
    patch(_fs.Filesystem, "place", place)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
