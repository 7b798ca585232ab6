"""Wrong adapter: the counters of ``GET /metrics`` lack ``_total`` (HTTP-014.1).

The counters are served as ``gritwit_transitions``, ``gritwit_failures`` and
``gritwit_fuel_consumed``: the names an older client library wrote, not the names the
clause fixes.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-014.1"}),
    "failed",
    "GET /metrics names its counters without _total (gritwit_transitions, …)",
)


def _without_total(original: Handler) -> Handler:
    async def metrics(request: Any) -> Any:
        response = await original(request)
        if response.status_code != 200:
            return response
        text = response.body.decode("utf-8").replace("_total", "")  # the bug
        return rebuilt(response, body=text.encode("utf-8"))

    return metrics


def install() -> None:
    bend_endpoint("GET", "/metrics", _without_total)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
