"""Wrong adapter: the ``wit`` blob of a program carries no ``sandbox`` header (SBX-001.1).

The host writes ``runtime`` and ``interpreter`` only, and reads any ``python-wasi``
blob whatever its ``sandbox`` header says, or without one: a blob written against
another version of the chapter runs as if it were this one.
"""

from __future__ import annotations

import gritwit.sandbox as sandbox
from gritwit._errors import UnknownWit
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor, _wit
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-001.1", "SBX-001.4"}),
    "failed",
    "writes a program's wit blob without the sandbox header and runs python-wasi blobs "
    "whatever their sandbox header says",
    timeout=STARTUP_TIMEOUT,
)


def wit_blob(source: str, interpreter: ObjectId) -> Blob:
    headers = {"runtime": _wit.RUNTIME, "interpreter": interpreter.hex()}  # the bug
    return Blob(data=source.encode("utf-8"), headers=headers)


def program_of(blob: Blob, held: ObjectId) -> str:
    text = blob.headers.get("interpreter")
    if text is None or text != held.hex():
        raise UnknownWit("SBX-002.1", "not the interpreter held")
    return blob.data.decode("utf-8")  # the bug: no look at "sandbox"


def install() -> None:
    patch(sandbox, "wit_blob", wit_blob)
    patch(_actor, "program_of", program_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
