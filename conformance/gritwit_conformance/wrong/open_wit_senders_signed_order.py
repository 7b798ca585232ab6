"""Wrong adapter (open-loop, written from spec/ alone):
test actors order senders by signed bytes (WIT-028.2).

WIT-028.2: a test actor acts on its pending messages "senders in id order", and ids are
ordered as unsigned bytes (ID-005), so the outside (32 zero bytes) always comes first. A
JVM implementation that sorts sender ids with `Arrays.compare(byte[], byte[])` (or Go code
comparing `int8`s) orders them by *signed* bytes: a sender whose id starts with a byte of
0x80 or more sorts before the outside. Visible when a `requester` gets `echo` from the
outside and from an echo actor in one transition: the last one read sets `answer`.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.2"}),
    "failed",
    "test actors act on senders in signed-byte id order: a sender id starting with a "
    "byte >= 0x80 comes before the outside",
)

_ECHO = "dd050ec0acaef6b2ad52771c84f892b132b2012f02a134363c71749d51494a41"  # echo, state n=01
_REQUESTER = "1fb112e4893f81f30819ba146c8439a507a50d2678e9adeb34e12d77b7d81ae6"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "echo", "state": {"n": "01"}},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "requester"},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _REQUESTER,
        "mt": "ask",
        "content": {"tree": {"to": {"blob": _ECHO.encode().hex()}, "question": {"blob": "71"}}},
    },
    # the requester asks (step 1), the echo answers (step 2); the answer waits, unread
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 2},
    # the outside's own echo: now the requester reads both senders in one transition
    {"cmd": "wit-send", "runtime": "w1", "to": _REQUESTER, "mt": "echo", "content": {"blob": "58"}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-query", "runtime": "w1", "actor": _REQUESTER, "name": "answer"},
]


def _signed(sender):  # type: ignore[no-untyped-def]
    """Signed-byte order: flipping the top bit makes unsigned order equal it."""
    return bytes(b ^ 0x80 for b in sender.digest)


def _messages(self):  # type: ignore[no-untyped-def]
    for sender in sorted(self.inp.pending, key=_signed):
        for item in self.inp.pending[sender]:
            if _actors._acts_on(item):
                yield sender, item


def install() -> None:
    patch(_actors._Out, "messages", _messages)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
