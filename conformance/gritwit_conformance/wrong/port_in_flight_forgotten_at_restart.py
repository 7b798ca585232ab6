"""Wrong adapter: a request in flight at a restart is never sent again (PORT-006.2).

The port sends only the requests it accepted itself: one that an earlier run of the
service accepted, whose answer a kill took, stays in flight in the store for ever, and
its sender is never answered. PORT-006.2 sends it again, with the same key.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit.wit import ObjectReader
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-006.2"}),
    "failed",
    "requests in flight when the service starts are never sent: a kill loses them",
)

_real_run_pass = _port.PortService.run_pass
_real_dispatch = _port.PortService._dispatch
#: Per service: the requests in flight in the store when it first passed.
_found_at_start: dict[int, set[_port.Key]] = {}


def _run_pass(self: _port.PortService) -> ObjectId | None:
    if id(self) not in _found_at_start:
        _found_at_start[id(self)] = set(_port.requests_in_flight(self._door().store))
    return _real_run_pass(self)


def _dispatch(
    self: _port.PortService,
    reader: ObjectReader,
    table: Mapping[_port.Key, ObjectId],
    mine: set[ObjectId],
) -> None:
    lost = _found_at_start.get(id(self), set())
    # the bug: what an earlier run accepted is left in flight, unsent
    _real_dispatch(self, reader, {k: v for k, v in table.items() if k not in lost}, mine)


def install() -> None:
    patch(_port.PortService, "run_pass", _run_pass)
    patch(_port.PortService, "_dispatch", _dispatch)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
