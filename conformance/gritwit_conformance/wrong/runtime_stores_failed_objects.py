"""Wrong adapter: a transition's objects are stored before its checks (RUN-004.9).

Write-ahead: as soon as a transition returns, the runtime stores the objects it
built, then checks the new core (WIT-007, WIT-016). When the check fails, the step
is not adopted — but its objects stay in the store, and ``rt-object`` finds them.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _bound
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.9"}),
    "failed",
    "a transition's objects are written ahead of its checks: after a failed attempt "
    "rt-object finds the core and blobs it built",
)

_real_wit = _executor.Executor._wit
_real_build = _bound.TimeBound.build
_built: list[Any] = []


def _wit(self: Any, core: Any, gate: Any = None) -> Any:
    wit = _real_wit(self, core, gate)

    def keeping(inp: Any) -> Any:
        out = wit(inp)
        _built[:] = [*out.new_objects, out.core]
        return out

    return keeping


async def build(self: _bound.TimeBound, *args: Any) -> Any:
    _built.clear()
    try:
        return await _real_build(self, *args)
    except Exception:
        for obj in _built:  # the bug: written ahead of the checks
            self._executor._store.put_object(obj)
        raise


def install() -> None:
    patch(_executor.Executor, "_wit", _wit)
    patch(_bound.TimeBound, "build", build)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
