"""Wrong adapter: the write bound is taken as exclusive (DUR-008.2): a write of exactly
``max_write_bytes`` is refused ``write-too-large``, as from a ``>=`` where ``>`` belongs."""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_store_open(self, args: Json) -> Json:
        bound = args.get("max_write_bytes")
        if isinstance(bound, int) and bound > 1:
            args = {**args, "max_write_bytes": bound - 1}  # the bug
        return super().cmd_store_open(args)


if __name__ == "__main__":
    run(Adapter)
