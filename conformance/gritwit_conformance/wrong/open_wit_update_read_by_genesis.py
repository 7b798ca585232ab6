"""Wrong adapter (open-loop, written from spec/ alone):
the genesis transition reads updates queued for the new actor (WIT-013.3).

WIT-013.3 makes an update pending for an actor that does not exist yet wait until after
its first transition (which sees each sender's messages only up to its first update,
WIT-012.6); the update then runs alone and merges into the core (WIT-013.2, WIT-013.4).
An implementer who reads WIT-028.3 ("a test actor reads a genesis or update message
without any other effect") as covering this case hands the first transition everything
pending: the update is read, as a no-op, by the genesis step and its entries are lost.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-013.3", "WIT-012.6"}),
    "failed",
    "the genesis transition sees every pending message, updates included: an update "
    "queued before the actor exists is read as a no-op and its entries are lost",
)

_COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"  # a plain counter

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "counter"},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _COUNTER,
        "mt": "update",
        "content": {"tree": {"note": {"blob": "6869"}}},
    },
    {"cmd": "wit-send", "runtime": "w1", "to": _COUNTER, "mt": "inc", "content": {"blob": ""}},
    # reference: three steps (genesis; the update alone; the inc), the core keeps `note`
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-head", "runtime": "w1", "actor": _COUNTER},
]

_original = _executor._prefixes
_UPDATE_ONLY = frozenset({"update"})


def _prefixes(found, stop):  # type: ignore[no-untyped-def]
    """The first transition (cut at updates) sees every pending message instead."""
    if stop == _UPDATE_ONLY:
        return {sender: items for sender, items in found.items() if items}
    return _original(found, stop)


def install() -> None:
    patch(_executor, "_prefixes", _prefixes)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
