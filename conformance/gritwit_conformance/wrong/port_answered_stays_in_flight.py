"""Wrong adapter: an answered request is not removed from the requests in flight (PORT-006.3).

The step that queues a request's answer leaves the request in the port party's table of
requests in flight: this service remembers it answered it, but a service started on the
store again (a restart) finds it in flight and sends it once more, and answers it twice.
"""

from __future__ import annotations

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


def install() -> None:
    patch(_port.PortService, "_answer", _answer)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
