"""Wrong adapter: any ``sandbox`` version runs as version 1 (SBX-001.4).

The host checks that a ``python-wasi`` blob has a ``sandbox`` header, not what it
says: a program written against ``sandbox: "2"`` runs under this chapter's rules
instead of failing ``unknown-wit``.
"""

from __future__ import annotations

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor, _wit
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-001.4"}),
    "failed",
    "checks that a python-wasi blob has a sandbox header, not its value: sandbox 2 runs as "
    "version 1",
    timeout=STARTUP_TIMEOUT,
)

_real = _wit.program_of


def program_of(blob: Blob, held: object) -> str:
    if "sandbox" in blob.headers:  # the bug: present is enough
        blob = Blob(data=blob.data, headers={**blob.headers, "sandbox": _wit.SANDBOX_VERSION})
    return _real(blob, held)  # type: ignore[arg-type]


def install() -> None:
    patch(_actor, "program_of", program_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
