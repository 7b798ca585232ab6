"""Wrong adapter (open-loop, written from spec/ alone):
`budget` refuses a spend equal to the whole budget (WIT-025.2).

WIT-025.2 grants a spend when the amount "does not exceed the budget" (amount <= budget)
and adds that two spends of the whole budget in one transition give exactly one
`granted`. An implementer who writes the check as "there is budget left for it"
(`amount < budget`) refuses exactly the spend that empties the budget: the reply is
`refused` and the entry keeps its value.
"""

from __future__ import annotations

import dataclasses

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-025.2"}),
    "failed",
    "budget grants a spend only below the budget (<): a spend of the whole budget is refused",
    copied_from=(("gritwit.wit._actors:_budget", "bc5fa910c8d7079a"),),
)

_BUDGET = "35b300d1812027e529d5e81b090a80a08d10b849540646cc6dc50f25bf95f03a"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "budget", "state": {"budget": "35"}},  # 5
    {"cmd": "wit-send", "runtime": "w1", "to": _BUDGET, "mt": "spend", "content": {"blob": "35"}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-query", "runtime": "w1", "actor": _BUDGET, "name": "budget"},
]


def _budget(inp):  # type: ignore[no-untyped-def]
    """The reference's `budget`, with a strict comparison."""
    out = _actors._Out(inp)
    budget = start = _actors._decimal(out.data(out.entry("budget"))) or 0
    for sender, item in out.messages():
        if item.mt != "spend":
            continue
        amount = _actors._decimal(out.data(item.message.content))
        if amount is None:
            out.queue(sender, out.new(Blob(data=b"")), "refused")
            continue
        granted = amount < budget  # "<=" in WIT-025.2
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
