"""Wrong adapter: a response that echoes a secret is stored with the secret (PORT-009.4).

The port substitutes secrets on the wire but keeps the response as it came: a peer that
echoes the ``authorization`` header puts the secret's value into a message object, the
courier's history and its bundle.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_secrets
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-009.4", "PORT-009.3"}),
    "failed",
    "responses are not redacted: an echoed secret is kept in a message object",
)


def _same(self: object, data: bytes) -> bytes:
    return data  # the bug: nothing replaced


def _same_text(self: object, text: str) -> str:
    return text


def install() -> None:
    patch(_port_secrets.Secrets, "redact", _same)
    patch(_port_secrets.Secrets, "redact_text", _same_text)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
