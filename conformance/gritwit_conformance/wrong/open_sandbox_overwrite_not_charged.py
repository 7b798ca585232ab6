"""Wrong adapter (open-loop, written from spec/ alone): a write is charged only for the bytes it
adds to the file, not for every byte written (SBX-007.4).

SBX-007.4 counts the bytes written to files "at each write (also to files later removed
or overwritten)" against the write budget; SBX-007.5 adds the gap a write leaves and
the bytes a resize adds.  An implementer who reads SBX-007.5's "counts the bytes
added" as the rule for writes too charges only a file's growth, so rewriting a file in
place is free: a program may write any number of bytes within a small file, where the
spec's host fails the write past the budget with ``ENOSPC`` → ``output-too-large``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.4"}),
    "failed",
    "a file write is charged only for the bytes it adds to the file: rewriting in "
    "place never reaches the write budget",
)

_PROGRAM = """\
f = open("a", "wb", buffering=0)
for fill in (b"x", b"y", b"z"):
    f.seek(0)
    f.write(fill * 10)
f.close()
print(open("a", "rb").read())
"""

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
#: The write budget is core + sends = 20 bytes; the program writes 30, leaving a 10-byte file.
PROBE = [{"cmd": "sandbox-run", "program": _PROGRAM, "limits": {"core": 10, "sends": 10}}]


def _write_at(self: _fs.Filesystem, handle: _fs.FileFd, offset: int, data: bytes) -> None:
    buffer = handle.file.buffer()
    end = offset + len(data)
    self.charge(max(0, end - len(buffer)))  # the bug: only the growth of the file
    if offset > len(buffer):
        buffer.extend(bytes(offset - len(buffer)))
    buffer[offset:end] = data


def install() -> None:
    patch(_fs.Filesystem, "write_at", _write_at)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
