"""Wrong adapter (open-loop, written from spec/ alone):
`state` values and content `blob`s accept uppercase hex (ADP-004.5).

ADP-004.5 makes every byte-string argument — each value of `state`, the `blob` of a content
description — that is not an even number of *lowercase* hex digits a `bad-request`. An
adapter whose codec and store commands check `bytes` with a strict helper, but whose wit
commands decode their byte strings (`state` values, content `blob`s, `module`) with the
language's stock decoder (Go's `hex.DecodeString`, Rust's `hex::decode`: `A`-`F` too)
accepts `"3A"` there: it builds the object instead of refusing the request.
"""

from __future__ import annotations

import re

from gritwit.adapter import ReferenceAdapter, _wit
from gritwit.adapter._args import BadRequest, Json
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.5"}),
    "failed",
    "the wit commands decode state values, content blobs and modules with a stock hex "
    "decoder that accepts uppercase digits instead of answering bad-request",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "counter", "state": {"count": "3A"}},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": "00" * 32,
        "mt": "inc",
        "content": {"blob": "FF"},
    },
]

_ANY_CASE = re.compile(r"[0-9a-fA-F]*")


def _stock_hex(args: Json, key: str) -> bytes:
    """A stock hex decoder: even length, either case."""
    value = args.get(key)
    if not isinstance(value, str) or len(value) % 2 or not _ANY_CASE.fullmatch(value):
        raise BadRequest(f"{key} must be a hex string")
    return bytes.fromhex(value)


def install() -> None:
    patch(_wit, "_hex", _stock_hex)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
