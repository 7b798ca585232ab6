"""Wrong adapter: equal queries against one head answer differently (WIT-017.2).

Queries run on an actor instance kept between queries, whose state carries
over: each answer of a head's ``count`` query is the count plus the number of
times that head was queried before.
"""

from __future__ import annotations

from gritwit import Blob, ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-017.2"}),
    "failed",
    "equal queries against one head answer differently: state carries over between them",
    smoke=True,
)

_original = _executor.Executor.query
_asked: dict[tuple[ObjectId | None, str], int] = {}


def drifting(self: _executor.Executor, actor: ObjectId, name: str) -> Blob:
    blob = _original(self, actor, name)
    key = (self.head(actor), name)
    before = _asked.get(key, 0)
    _asked[key] = before + 1
    if name != "count" or not before:
        return blob
    count = int(blob.data.decode("utf-8"))  # the bug: state kept from earlier queries
    return Blob(data=str(count + before).encode("utf-8"), headers=blob.headers)


def install() -> None:
    patch(_executor.Executor, "query", drifting)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
