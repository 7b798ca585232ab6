"""Wrong adapter (open-loop, written from spec/ alone): fd_readdir lists names in UTF-16
code-unit order, not UTF-8 byte order (SBX-005.13).

SBX-005.13 (and SBX-005.7) list a directory "in ascending order of their names' UTF-8
bytes", with cookie i + 1 after position i.  A host written where strings are UTF-16
(JavaScript, Java, C#) sorts with the language's string comparison, which orders by
UTF-16 code units: the same as UTF-8 for names below U+E000 or all above U+FFFF, but a
name starting in U+E000 … U+FFFF sorts *after* one starting above U+FFFF (a surrogate
pair, D800 …).  ``os.listdir`` shows the order, and so do the cookies.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit.sandbox.wasi._fs import Directory
from gritwit.sandbox.wasi._paths import DIRECTORY, REGULAR_FILE
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.13"}),
    "failed",
    "fd_readdir lists names in UTF-16 code-unit order: a name in U+E000…U+FFFF comes "
    "after one above U+FFFF",
)

_PROGRAM = """\
import os
for name in ["b", "\\uff21", "\\U0001f600", "\\u00e9", "A"]:
    with open(name, "w") as f:
        f.write("x")
print([hex(ord(n[0])) for n in os.listdir(".")])
"""

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [{"cmd": "sandbox-run", "program": _PROGRAM}]


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-be")


def fd_readdir(state: Any, fd: Any, buf: Any, length: Any, cookie: Any, out: Any) -> Any:
    directory = state.files.directory(fd)
    entries = directory.node.entries
    names = sorted(entries, key=_utf16)  # the bug: UTF-16 code units, not UTF-8 bytes
    listing = bytearray()
    for index in range(cookie, len(names)):
        if len(listing) >= length:
            break
        name = names[index]
        raw = name.encode("utf-8")
        kind = DIRECTORY if isinstance(entries[name], Directory) else REGULAR_FILE
        ino = directory.trail.number(name)
        listing += _calls._DIRENT.pack(index + 1, ino, len(raw), kind) + raw
    state.write(buf, bytes(listing[:length]))
    state.u32(out, min(len(listing), length))
    return 0


def install() -> None:
    params, results, old = _calls.FUNCTIONS["fd_readdir"]
    bent = fault("_calls.FUNCTIONS[fd_readdir]", old, fd_readdir)
    _calls.FUNCTIONS["fd_readdir"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
