"""Wrong adapter: a declared send's content blob carries the send's headers (SBX-012.2).

The host builds each sent message's content as a blob with the declared ``data`` and
the declared ``headers``, instead of a blob without headers: every message a Python
actor sends has another content id.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit._codec import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-012.2"}),
    "failed",
    "a declared send's content blob carries the send's headers",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.SandboxWit.__call__


def call(self: _actor.SandboxWit, inp: Any) -> Any:
    out = _real(self, inp)
    made = {object_id(obj): obj for obj in out.new_objects if isinstance(obj, Blob)}
    sends, extra = [], []
    for send in out.sends:
        data = made[send.content].data if send.content in made else b""
        blob = Blob(data=data, headers=dict(send.headers) or None)  # the bug
        extra.append(blob)
        sends.append(dataclasses.replace(send, content=object_id(blob)))
    return dataclasses.replace(out, sends=tuple(sends), new_objects=(*out.new_objects, *extra))


def install() -> None:
    patch(_actor.SandboxWit, "__call__", call)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
