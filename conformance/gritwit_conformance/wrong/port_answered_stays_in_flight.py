"""Wrong adapter: an answered request is not removed from the requests in flight (PORT-006.3).

The step that queues a request's answer leaves the request in the port party's table of
requests in flight: this service remembers it answered it, but a service started on the
store again (a restart) finds it in flight and sends it once more, and answers it twice.
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
    frozenset({"PORT-006.3"}),
    "failed",
    "an answered request stays in flight in the store: a restart sends it again",
)

_real_answer = _port.PortService._answer
_real_dispatch = _port.PortService._dispatch
#: Per service: the requests it answered, which it does not send again itself.
_answered: dict[int, set[_port.Key]] = {}


def _answer(
    self: _port.PortService,
    reader: ObjectReader,
    job: _port._Pass,
    key: _port.Key,
    outcome: _port.Outcome,
) -> None:
    message = job.table[key]
    _real_answer(self, reader, job, key, outcome)
    job.table[key] = job.changes[key] = message  # the bug: answered, and kept in flight
    _answered.setdefault(id(self), set()).add(key)


def _dispatch(
    self: _port.PortService,
    reader: ObjectReader,
    table: Mapping[_port.Key, ObjectId],
    mine: set[ObjectId],
) -> None:
    done = _answered.get(id(self), set())
    _real_dispatch(self, reader, {k: v for k, v in table.items() if k not in done}, mine)


def install() -> None:
    patch(_port.PortService, "_answer", _answer)
    patch(_port.PortService, "_dispatch", _dispatch)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
