"""Wrong adapter: a query name holding a lone surrogate crashes into ``internal`` (ADP-004.11).

The reference's own bug once: ``wit-query`` took its ``name`` as any JSON
string and the transition's query failed to encode it, answering ``internal`` where a
malformed argument is ``bad-request``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest, Json, _id, _str
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"ADP-004.11"}),
    "failed",
    "a wit-query name holding a lone surrogate is answered internal, not bad-request",
)


class Adapter(ReferenceAdapter):
    def cmd_wit_query(self, args: Json) -> Json:
        _, executor = self._runtime(args)
        actor, name = _id(args, "actor"), _str(args, "name")  # the bug: no text check
        if executor.head(actor) is None:
            raise BadRequest(f"actor {actor} has no step to query")
        return {"data": executor.query(actor, name).data.hex()}


if __name__ == "__main__":
    run(Adapter)
