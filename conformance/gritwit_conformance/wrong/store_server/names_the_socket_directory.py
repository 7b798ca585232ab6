"""Wrong adapter: ``hello``'s ``store_server`` names the Unix socket's directory, not the
socket (ADP-022.1), as libpq's ``host`` parameter does: the proxy the harness starts
forwards to nothing, and a store opened ``via`` it never reaches its server.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def _store_features(self) -> Json:
        claimed = super()._store_features()
        server = claimed.get("store_server")
        if isinstance(server, str) and server.startswith("/"):
            claimed["store_server"] = server.rsplit("/", 1)[0]  # the bug
        return claimed


if __name__ == "__main__":
    run(Adapter)
