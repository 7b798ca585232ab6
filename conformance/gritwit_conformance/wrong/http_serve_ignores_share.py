"""Wrong adapter: ``http-serve`` claims shares but drops the argument ``share`` (ADP-021.1).

The adapter claims the feature ``shares`` (its runtimes take one) but starts every
service without the share it was given: the service runs every actor and names no
share in ``GET /v1``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"ADP-021.1"}),
    "failed",
    "http-serve drops the share it is given, though the adapter claims the feature shares",
)


class ShareDropped(ReferenceAdapter):
    def cmd_http_serve(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_http_serve({k: v for k, v in args.items() if k != "share"})


if __name__ == "__main__":
    run(ShareDropped)
