"""Wrong adapter: a settle is answered from the last run's outcome (HTTP-011.1).

Once a run of the service answered quiescent, a settle is answered ``quiescent: true``
at once, without a run that started after it: sends acknowledged since are still
unread when the client is told everything settled.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-011.1"}),
    "failed",
    "settle answers quiescent at once when the last run was: no run that started after it",
)


def install() -> None:
    from gritwit.serve import _engine
    from gritwit.serve._engine_commands import Settle

    settled, submit = _engine.Engine._settled, _engine.Engine.submit

    def _settled(self: Any, number: int) -> None:
        self.__dict__["_quiet"] = True  # and never forgotten: the bug
        settled(self, number)

    def submit_(self: Any, command: Any) -> concurrent.futures.Future[Any]:
        if isinstance(command, Settle) and self.__dict__.get("_quiet"):
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            future.set_result(True)
            return future
        return submit(self, command)

    patch(_engine.Engine, "_settled", _settled)
    patch(_engine.Engine, "submit", submit_)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
