"""Wrong adapter: the port answers a message that is no request with a failure (PORT-001.5).

A message to the port party whose ``mt`` is not ``port-request`` is refused
``port-invalid`` as a malformed request, where PORT-001.5 reads it without effect and
answers nothing: a party that answers answers can loop with another forever.
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
    frozenset({"PORT-001.5"}),
    "failed",
    "a message with another mt is answered port-invalid instead of read without effect",
)

_real_request = _port.PortService._request


def _request(
    self: _port.PortService,
    door: ServiceDoor,
    job: _port._Pass,
    sender: ObjectId,
    item: PendingMessage,
) -> None:
    if item.mt != "port-request":  # the bug: answered as a malformed request
        failure = _port.Failure("port-invalid", "PORT-005.1")
        return self._fail(job, sender, item.id, item.message.content, failure)
    return _real_request(self, door, job, sender, item)


def install() -> None:
    patch(_port.PortService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
