"""Wrong adapter: a rule is matched on its host and not its port (PORT-003.2).

The policy compares scheme, host, path and actor, and leaves out the port: a rule that
allows one service of a host allows every other one on it, an administrator's port
included.
"""

from __future__ import annotations

from collections.abc import Iterable

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_policy
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-003.2"}),
    "failed",
    "the policy checks the host and not the port: any port of an allowed host is reached",
)


def _allows(
    self: _port_policy.Rule, target: _port_policy.Target, identities: Iterable[str]
) -> bool:
    return (
        target.scheme == self.scheme
        and target.host == self.host  # the bug: no port compared
        and target.path.startswith(self.path)
        and not self.actors.isdisjoint(identities)
    )


def install() -> None:
    patch(_port_policy.Rule, "allows", _allows)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
