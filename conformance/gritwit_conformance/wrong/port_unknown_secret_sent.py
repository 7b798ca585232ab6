"""Wrong adapter: a reference to no secret is sent as written (PORT-009.2).

The port substitutes the secrets it holds and leaves any other ``${secret:NAME}`` in the
header as it stands: the request goes out with the reference's text instead of being
refused ``port-invalid``.
"""

from __future__ import annotations

import re

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_secrets
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-009.2"}),
    "failed",
    "a reference to a secret the port does not hold is sent as written",
)


def _unknown(self: _port_secrets.Secrets, value: str) -> list[str]:
    return []  # the bug: no reference is judged before sending


def _substitute(self: _port_secrets.Secrets, value: str) -> str:
    def one(match: re.Match[str]) -> str:
        return dict(self).get(match.group(1), match.group(0))

    return _port_secrets.REFERENCE.sub(one, value)


def install() -> None:
    patch(_port_secrets.Secrets, "unknown", _unknown)
    patch(_port_secrets.Secrets, "substitute", _substitute)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
