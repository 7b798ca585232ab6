"""Wrong adapter: the port trusts the policy's host and checks no address (PORT-004.1).

A rule that names a host is taken as enough: whatever the host resolves to, loopback and
private addresses included, is reached, so a name the operator allowed that resolves (by
design or by an attacker's DNS) to ``127.0.0.1`` opens the operator's own network.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_send
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-004.1"}),
    "failed",
    "no address is checked: a host resolving to loopback is reached",
)


def _any(address: object, rule: object) -> bool:
    return True  # the bug


def install() -> None:
    patch(_port_send, "address_allowed", _any)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
