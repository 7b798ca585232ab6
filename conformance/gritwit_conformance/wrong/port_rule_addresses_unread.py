"""Wrong adapter: a rule's ``addresses`` member is not read (PORT-003.1).

The policy reads a rule's scheme, host, port, path and actors but drops the networks its
``addresses`` lists: a rule the operator wrote for a service on loopback or a private
network reaches nothing, since every such address is then refused (PORT-004.1).
"""

from __future__ import annotations

import dataclasses

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_policy
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-003.1"}),
    "failed",
    "a rule's addresses are not read: a rule listing loopback reaches nothing",
)

_real_rule = _port_policy._rule


def _rule(raw: object) -> _port_policy.Rule:
    return dataclasses.replace(_real_rule(raw), addresses=())  # the bug


def install() -> None:
    patch(_port_policy, "_rule", _rule)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
