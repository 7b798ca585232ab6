"""Wrong adapter: ``POST /v1/objects`` refuses every bad input ``invalid-object`` (HTTP-009.2).

Whatever the decoder or the object rules found — a non-shortest integer, unsorted keys,
a truncated input — the answer is 400 ``invalid-object``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import GritError, InvalidObject
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-009.2"}),
    "failed",
    "POST /v1/objects answers every refused input invalid-object, not its own class",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.put_object

    def put_object(state: Any, data: bytes) -> Any:
        try:
            return original(state, data)
        except GritError as exc:
            raise InvalidObject("OBJ-001", str(exc)) from None  # the bug: one class

    patch(_engine_ops, "put_object", put_object)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
