"""Wrong adapter: a request the port cannot take now is dropped, not refused (PORT-002.1).

The port reads a request past its bound in flight and neither accepts nor refuses it: no
``port-busy`` failure is queued, so its sender waits for an answer that never comes.
PORT-002.1 says the service accepts or refuses every request it reads, never drops one.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-002.1"}),
    "failed",
    "a request past the bound in flight is read and dropped: no port-busy answer",
)

_real_fail = _port.PortService._fail


def _fail(
    self: _port.PortService,
    job: _port._Pass,
    sender: ObjectId,
    rid: ObjectId,
    content: ObjectId,
    failure: _port.Failure,
) -> None:
    if failure.error == "port-busy":
        return None  # the bug: read, and neither accepted nor refused
    return _real_fail(self, job, sender, rid, content, failure)


def install() -> None:
    patch(_port.PortService, "_fail", _fail)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
