"""Wrong adapter: a resident actor's query and head read answer from memory (RUN-020.2).

The runtime keeps a resident actor's head and head step in memory (RUN-012) and, as
if it were its store's only writer, answers ``rt-query`` and ``rt-head`` for that
actor from them without reading ``heads/<actor>`` again. Alone it is right: its own
steps update what it keeps. Once another runtime on the same store moved the head,
the query and the head read answer from a stale step.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json, _id
from gritwit.runtime import _runtime
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.2"}),
    "failed",
    "rt-query and rt-head of a resident actor answer from the head kept in memory without "
    "reading the head ref: stale once another runtime on the store moved the head",
    smoke=True,
)

_real_query = _runtime.Runtime.query
_real_head = _executor.Executor.head


def _kept(runtime: _runtime.Runtime, actor: Any) -> Any:
    """The resident record of ``actor``, or ``None`` when it is not resident."""
    return runtime._residents._resident.get(actor)


def query(self: _runtime.Runtime, actor: Any, name: str) -> Any:
    resident = _kept(self, actor)
    if resident is None or resident.head is None:
        return _real_query(self, actor, name)
    kept = resident.head

    def head(executor: Any, who: Any) -> Any:  # the bug: the head kept in memory
        return kept if who == actor else _real_head(executor, who)

    _executor.Executor.head = head  # type: ignore[method-assign,assignment]
    try:
        return self._executor.query(actor, name)
    finally:
        _executor.Executor.head = _real_head  # type: ignore[method-assign]


class ResidentHeads(ReferenceAdapter):
    def cmd_rt_head(self, args: Json) -> Json:
        resident = _kept(self._rt(args).runtime, _id(args, "actor"))
        if resident is None or resident.head is None:
            return super().cmd_rt_head(args)
        return {"step": resident.head.hex()}  # the bug: not the head ref


def install() -> None:
    patch(_runtime.Runtime, "query", query)


if __name__ == "__main__":
    run(ResidentHeads, install)
