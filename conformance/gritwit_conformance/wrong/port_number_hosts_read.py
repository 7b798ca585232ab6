"""Wrong adapter: a host spelled as one number or in octal is read as an address (PORT-003.4).

The port takes ``2130706433``, ``0177.0.0.1`` or ``127.1`` as the URL's host and judges it
by the policy like any other, where the chapter refuses every spelling but a dotted quad
whatever the policy, since resolvers read such spellings differently.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_policy
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-003.4"}),
    "failed",
    "hosts spelled as numbers other than a dotted quad are accepted and judged by the policy",
)


def _numeric(host: str) -> bool:
    return False  # the bug: no host is taken for a number, so none is refused as one


def install() -> None:
    patch(_port_policy, "_numeric_host", _numeric)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
