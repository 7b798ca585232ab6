"""Wrong adapter: a ``put`` lost after it was sent is answered ``store-unavailable`` (DUR-006.2).

Every lost connection is taken for a server that could not be reached, so a write that
may have committed is reported as one that wrote nothing.
"""

from __future__ import annotations

from gritwit._errors import OutcomeUnknown, StoreUnavailable
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: Json) -> Json:
        try:
            return super().cmd_put(args)
        except OutcomeUnknown as exc:  # the bug: a definite failure
            raise StoreUnavailable("DUR-006.1", f"store unavailable: {exc}") from exc


if __name__ == "__main__":
    run(Adapter)
