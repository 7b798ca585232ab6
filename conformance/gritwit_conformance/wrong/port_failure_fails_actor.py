"""Wrong adapter: a failed request marks its actor failed (PORT-002.3).

The port treats a refusal, a time-out or a failed connection as the actor's failure, as
a host call that raised would: the actor stops running, and never reads the failure nor
anything sent to it after.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gritwit._errors import RefConflict
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit.store._refs import failed_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-002.3"}),
    "failed",
    "a failed request marks its sender failed: it runs no more",
)

_real_fail = _port.PortService._fail


def _fail(
    self: _port.PortService, job: Any, sender: Any, rid: Any, content: Any, failure: Any
) -> None:
    _real_fail(self, job, sender, rid, content, failure)
    door = self._door()
    record = Blob(data=b'{"error":"port"}', headers={"content-type": "application/json"})
    with contextlib.suppress(RefConflict):  # the bug: marked failed, as the runtime marks it
        door.store.cas_ref(failed_ref(sender), None, door.store.put_object(record))
    door.index.failed.add(sender)


def install() -> None:
    patch(_port.PortService, "_fail", _fail)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
