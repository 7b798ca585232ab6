"""Wrong adapter: a store server that cannot be reached is answered ``internal`` (DUR-006.1).

Every ``store-unavailable`` leaves as ``internal``, as from an implementation that lets
its database driver's connection error reach its catch-all: a fault of the medium
reported as its own bug (ADP-007).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    @staticmethod
    def error(seq: object, cls: str, message: str, *, requirement: str | None = None) -> Json:
        if cls == "store-unavailable":  # the bug
            cls, requirement = "internal", None
        return ReferenceAdapter.error(seq, cls, message, requirement=requirement)


if __name__ == "__main__":
    run(Adapter)
