"""Wrong adapter: a ``put`` whose connection was lost after it was sent is sent again (DUR-007.2).

On ``outcome-unknown`` it runs the write once more on a new connection and answers what
that one answered, as a client that retries every failed call would: a write whose first
attempt may have committed is run twice.
"""

from __future__ import annotations

from gritwit._errors import OutcomeUnknown
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: Json) -> Json:
        try:
            return super().cmd_put(args)
        except OutcomeUnknown:
            return super().cmd_put(args)  # the bug: blindly again


if __name__ == "__main__":
    run(Adapter)
