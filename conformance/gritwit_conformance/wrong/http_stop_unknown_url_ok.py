"""Wrong adapter: ``http-stop`` of a URL it never served answers ``{}`` (ADP-021.2).

Stopping is made idempotent the wrong way: any URL, one no ``http-serve`` answered or
one already stopped, is "stopped" without complaint, so a harness that typed the URL
wrong never learns its service still runs.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"ADP-021.2"}),
    "failed",
    "http-stop of a url it does not serve answers {} instead of bad-request",
)


class StopAnything(ReferenceAdapter):
    def cmd_http_stop(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("url") not in self._services:
            return {}  # the bug
        return super().cmd_http_stop(args)


if __name__ == "__main__":
    run(StopAnything)
