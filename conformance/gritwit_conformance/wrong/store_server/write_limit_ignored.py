"""Wrong adapter: ``store-open``'s ``max_write_bytes`` is ignored (DUR-008.1, ADP-022.4): a
write over the bound it was given is sent and kept."""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_store_open(self, args: Json) -> Json:
        bound = args.get("max_write_bytes")
        if isinstance(bound, int) and not isinstance(bound, bool):  # a well-formed one
            args = {k: v for k, v in args.items() if k != "max_write_bytes"}  # the bug
        return super().cmd_store_open(args)


if __name__ == "__main__":
    run(Adapter)
