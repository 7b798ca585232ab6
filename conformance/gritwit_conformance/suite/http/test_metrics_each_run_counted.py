"""Every step a service adopts is counted, the first of a run that follows another too
(HTTP-014.1, HTTP-014.2).

A run adopts at most so many steps (RUN-018.1: the reference's service, 256 a run) and
a service runs again at once while work is left; a run that commits may read the
journal of swaps along with its write (RUN-020.7), and the next run then starts from
what that read found, without a read of its own, so that its first commit is the one
that catches it up (on PostgreSQL the reference guards that write by the count of
erasures the read brought, RUN-011.3). Here :data:`COUNTERS` counters, settled, are
sent an ``inc`` each in one batch (HTTP-005.7: one send), more than such a run
adopts: the run that follows commits the step of the last counter alone, first thing.
Once settled, with the service the only writer of the counters' heads,
``gritwit_transitions_total`` must equal the steps of their histories: a service that
took that commit, which was made, for a failed one would leave its step uncounted.
"""

from __future__ import annotations

import httpx
import pytest

from ._api import body_of, counter, settle
from ._service import http as http
from ._service import services as services
from .test_metrics import _history_length, check_transitions_counted, scrape

pytestmark = pytest.mark.profile("http")

#: The counters sent an ``inc`` each at once: one more than the reference's run adopts.
COUNTERS = 257


@pytest.mark.req("HTTP-014.1", "HTTP-014.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.7", "HTTP-007.4", "HTTP-011.1")
def test_the_step_a_run_commits_first_after_another_run_is_counted(http: httpx.Client) -> None:
    counters: list[str] = []
    for n in range(COUNTERS):  # each settled: no run of theirs overlaps the batch's
        counters.append(counter(http, str(n)))
        settle(http)
    batch = [{"to": actor, "mt": "inc", "content": {"blob": b"1".hex()}} for actor in counters]
    body_of(http.post("/v1/messages", json={"messages": batch}), 202, "HTTP-005.7")
    settle(http)
    steps = sum(_history_length(http, actor) for actor in counters)
    found = scrape(http)
    check_transitions_counted(
        found,
        steps,
        f"the service the only writer: the {steps} "
        f"steps of the histories of {COUNTERS} counters, each created and then sent one inc "
        f"in a batch, more than the reference adopts in a run (so that the run after it "
        f"commits the last counter's step alone, first thing); fewer is a step the service "
        f"made but did not count, a commit that was made taken for a failed one",
    )
