"""Wrong adapter: the ``wit`` blob names no interpreter; the host runs its own (SBX-001.3).

The host writes a program's blob with ``runtime`` and ``sandbox`` only, and runs a
blob that names no interpreter on the one it holds, instead of failing
``unknown-wit``.
"""

from __future__ import annotations

import gritwit.sandbox as sandbox
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor, _wit
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-001.3", "SBX-001.4"}),
    "failed",
    "writes a program's wit blob without the interpreter header and runs such blobs on the "
    "interpreter it holds",
    timeout=STARTUP_TIMEOUT,
)

_real = _wit.program_of


def wit_blob(source: str, interpreter: ObjectId) -> Blob:
    headers = {"runtime": _wit.RUNTIME, "sandbox": _wit.SANDBOX_VERSION}  # the bug
    return Blob(data=source.encode("utf-8"), headers=headers)


def program_of(blob: Blob, held: ObjectId) -> str:
    if "interpreter" not in blob.headers:  # the bug: the held one by default
        blob = Blob(data=blob.data, headers={**blob.headers, "interpreter": held.hex()})
    return _real(blob, held)


def install() -> None:
    patch(sandbox, "wit_blob", wit_blob)
    patch(_actor, "program_of", program_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
