"""Wrong adapter (open-loop, written from spec/ alone):
wit commands decode their ids before the runtime handle (ADP-004.6).

ADP-004.6 checks arguments one at a time in the order of the command's table, so
`runtime` (an unknown handle → `bad-request`) comes before `to`, `actor` or `id` (not a
text-form id → `invalid-id`). An adapter that unmarshals the request into a typed struct
(ids parsed as it decodes) and only then looks the handle up in its map reports
`invalid-id` for a request that names both an unknown runtime and a malformed id.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import _id
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.6"}),
    "failed",
    "wit-head/-object/-query/-send parse their id arguments before the runtime handle: "
    "an unknown handle with a malformed id answers invalid-id, not bad-request",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    # unknown runtime handle and a malformed id: bad-request (the runtime is listed first)
    {"cmd": "wit-head", "runtime": "nope", "actor": "zz"},
    {"cmd": "wit-object", "runtime": "nope", "id": "zz"},
    {"cmd": "wit-query", "runtime": "nope", "actor": "zz", "name": "wut"},
    {"cmd": "wit-send", "runtime": "nope", "to": "zz", "content": {"blob": ""}},
]


class IdsBeforeHandle(ReferenceAdapter):
    """Parses every id argument of a wit command first, then resolves the runtime handle."""

    def cmd_wit_head(self, args):  # type: ignore[no-untyped-def]
        _id(args, "actor")
        return super().cmd_wit_head(args)

    def cmd_wit_object(self, args):  # type: ignore[no-untyped-def]
        _id(args, "id")
        return super().cmd_wit_object(args)

    def cmd_wit_query(self, args):  # type: ignore[no-untyped-def]
        _id(args, "actor")
        return super().cmd_wit_query(args)

    def cmd_wit_send(self, args):  # type: ignore[no-untyped-def]
        _id(args, "to")
        return super().cmd_wit_send(args)


if __name__ == "__main__":
    run(IdsBeforeHandle)
