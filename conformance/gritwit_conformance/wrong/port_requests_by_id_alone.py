"""Wrong adapter: the port knows a request by its id alone, not its sender's too (PORT-001.3).

Two actors' requests may have one id (their first equal messages, as TIM-002.2 says of
timers). This port takes a request whose id is that of any request in flight for a
duplicate and refuses it ``port-invalid``, as if the same sender had sent it twice: the
second actor's request is never sent.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit.runtime._door import ServiceDoor
from gritwit.wit import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-001.3"}),
    "failed",
    "requests in flight are known by their id alone: another actor's equal request is refused",
)

_real_request = _port.PortService._request


def _request(
    self: _port.PortService,
    door: ServiceDoor,
    job: _port._Pass,
    sender: ObjectId,
    item: PendingMessage,
) -> None:
    if item.mt == "port-request" and any(rid == item.id for _, rid in job.table):
        # the bug: the id alone taken for the request's key
        failure = _port.Failure("port-invalid", "PORT-005.1")
        return self._fail(job, sender, item.id, item.message.content, failure)
    return _real_request(self, door, job, sender, item)


def install() -> None:
    patch(_port.PortService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
