"""Wrong adapter (open-loop, written from spec/ alone):
only the first pending genesis is checked against the actor id (WIT-012.3).

WIT-012.3 fails the first transition `invalid-genesis` only when *none* of the pending
genesis messages carries the actor's id; WIT-012.6 adds that "pending" means anywhere in a
sender's list. An implementer who reads WIT-012.1 as "the actor's genesis message" takes
the oldest pending genesis and checks its content alone: a misaddressed genesis queued
before the right one then makes the actor fail instead of starting.
"""

from __future__ import annotations

from gritwit._errors import InvalidGenesis
from gritwit.adapter import ReferenceAdapter
from gritwit.wit._executor import Executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-012.3"}),
    "failed",
    "only the oldest pending genesis is checked against the actor id: a misaddressed "
    "genesis queued before the right one fails the actor invalid-genesis",
)

_COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"  # a plain counter
_ECHO_CORE = {"tree": {"wit": {"blob": "6563686f", "headers": {"runtime": "test-actor"}}}}

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    # a genesis for the counter's id whose content is another core (echo's), queued first
    {"cmd": "wit-send", "runtime": "w1", "to": _COUNTER, "mt": "genesis", "content": _ECHO_CORE},
    # then the right genesis: the counter must start (one step), not fail invalid-genesis
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "counter"},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-head", "runtime": "w1", "actor": _COUNTER},
]

_original = Executor._genesis_core


def _genesis_core(self, actor, found):  # type: ignore[no-untyped-def]
    """The first genesis message decides: its content must be the actor's id."""
    geneses = [item for items in found.values() for item in items if item.mt == "genesis"]
    if geneses and geneses[0].message.content != actor:
        raise InvalidGenesis("WIT-012.3", f"the genesis for {actor} carries another core")
    return _original(self, actor, found)


def install() -> None:
    patch(Executor, "_genesis_core", _genesis_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
