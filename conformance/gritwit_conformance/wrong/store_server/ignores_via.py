"""Wrong adapter: ``store-open``'s ``via`` is ignored, the store goes straight to its server
(ADP-022.2), so the faults the proxy makes never reach it and a server that is down looks up.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_store_open(self, args: Json) -> Json:
        return super().cmd_store_open({k: v for k, v in args.items() if k != "via"})  # the bug


if __name__ == "__main__":
    run(Adapter)
