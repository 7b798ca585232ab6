"""Wrong adapter: a ``has`` that cannot reach the store's server answers ``false`` (DUR-006.1).

A lookup wrapper that takes every failure of its query as "not there": when the server
refuses connections or the pooled one was closed, ``has`` of an object the store holds
answers ``present: false`` instead of failing ``store-unavailable``. A caller that puts
what it finds absent writes again; one that trusts it takes a stored object for lost.
"""

from __future__ import annotations

from gritwit._errors import StoreUnavailable
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_has(self, args: Json) -> Json:
        try:
            return ReferenceAdapter.cmd_has(self, args)
        except StoreUnavailable:
            return {"present": False}  # the bug: unreachable taken as absent


if __name__ == "__main__":
    run(Adapter)
