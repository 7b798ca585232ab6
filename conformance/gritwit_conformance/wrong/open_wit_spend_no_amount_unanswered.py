"""Wrong adapter (open-loop, written from spec/ alone):
a `spend` without an amount gets no reply (WIT-025.3).

WIT-028.4 reads a message whose content is not what its row requires *without effect*;
WIT-025.3 is the exception for `budget`: a `spend` with no amount (not a blob, empty data,
not a decimal) MUST be answered `refused` with the empty blob. An implementer who applies
the general rule and skips such a spend sends one reply fewer: the sender never hears
back, and the step's outbox differs.
"""

from __future__ import annotations

import dataclasses

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-025.3"}),
    "failed",
    "budget reads a spend without an amount without effect: no refused reply with the empty blob",
    copied_from=(("gritwit.wit._actors:_budget", "bc5fa910c8d7079a"),),
)

_BUDGET = "35b300d1812027e529d5e81b090a80a08d10b849540646cc6dc50f25bf95f03a"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "budget", "state": {"budget": "35"}},  # 5
    {"cmd": "wit-send", "runtime": "w1", "to": _BUDGET, "mt": "spend", "content": {"blob": ""}},
    {"cmd": "wit-send", "runtime": "w1", "to": _BUDGET, "mt": "spend", "content": {"blob": "2d31"}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
]


def _budget(inp):  # type: ignore[no-untyped-def]
    """The reference's `budget`, skipping a spend that holds no amount."""
    out = _actors._Out(inp)
    budget = start = _actors._decimal(out.data(out.entry("budget"))) or 0
    for sender, item in out.messages():
        if item.mt != "spend":
            continue
        amount = _actors._decimal(out.data(item.message.content))
        if amount is None:  # read without effect (WIT-028.4), no refusal sent
            continue
        granted = amount <= budget
        budget -= amount if granted else 0
        out.queue(sender, out.new(_actors._canonical(amount)), "granted" if granted else "refused")
    if budget != start:
        out.set_decimal("budget", budget)
    return out.done()


def install() -> None:
    table = _actors.TEST_ACTORS
    old = table["budget"].transition
    bent = fault("TEST_ACTORS[budget]", old, _budget)
    table["budget"] = dataclasses.replace(table["budget"], transition=bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
