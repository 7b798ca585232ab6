"""A history asked for without a limit answers its newest 100 steps (HTTP-007.4).

``GET /v1/actors/{actor}/history``'s ``limit`` defaults to 100: a counter made to take
more steps than that, one ``inc`` and a settle each, is asked for its history with no
``limit`` and must answer exactly its newest 100 and a ``next`` naming the 100th, the
bound at its edge (``test_actors.py`` pages histories with a limit given).
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check_equal, suite_premise
from ._api import body_of, counter, inc, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: HTTP-007.4's default ``limit``.
HISTORY_DEFAULT = 100


@pytest.mark.slow
@pytest.mark.req("HTTP-007.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_history_page_holds_100_steps_when_no_limit_is_given(http: httpx.Client) -> None:
    """``limit`` defaults to 100 (HTTP-007.4): a history of more steps than that, asked
    for without a limit, answers its newest 100 and a ``next``, at the bound exactly."""
    actor = counter(http)
    settle(http)
    steps: list[str] = []
    for amount in range(1, 2 * HISTORY_DEFAULT):  # a step each, unless the runtime joins them
        inc(http, actor, amount)
        settle(http)
        if amount <= HISTORY_DEFAULT:
            continue
        answer = body_of(
            http.get(f"/v1/actors/{actor}/history", params={"limit": "10000"}), 200, "HTTP-007.4"
        )
        steps = [s["step"] for s in answer["steps"]]
        if len(steps) > HISTORY_DEFAULT:
            break
    suite_premise(len(steps) > HISTORY_DEFAULT, f"{len(steps)} steps made: more than 100")
    page = body_of(http.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    check_equal(
        "HTTP-007.4",
        steps[:HISTORY_DEFAULT],
        [s["step"] for s in page["steps"]],
        f"the history of {len(steps)} steps asked for without a limit: its newest 100",
    )
    check_equal(
        "HTTP-007.4",
        steps[HISTORY_DEFAULT - 1],
        page["next"],
        "the next of a page of 100 of a longer history: its last step",
    )
