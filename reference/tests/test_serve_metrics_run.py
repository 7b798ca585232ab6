"""``GET /metrics`` during a run of 1,000 messages, and after it (HTTP-014.1, HTTP-014.2).

Ten counters are sent 1,000 ``inc`` messages over HTTP, half one a request from four
clients, half in batches of 50 (HTTP-005.7), while the test scrapes ``/metrics`` as
often as it can.  While it runs every counter only grows.  Once the service settled
(HTTP-011.1) the numbers agree with the run's own record, the store: the transitions
counted are the steps in the ten histories (a transition may read several messages, so
fewer than the 1,010 messages sent), the counts the counters answer add up to 1,000,
nothing is pending, no attempt failed, every counter is resident, and the commits timed
are no more than the requests that sent.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import count, created, send, serving, settle

from gritwit_conformance.suite.http.test_metrics import Scrape, parse

pytestmark = pytest.mark.slow

MESSAGES = 1_000
COUNTERS = 10
BATCH = 50
COUNTERS_READ = ("gritwit_transitions_total", "gritwit_commit_seconds_count")


def _scrape(client: httpx.Client) -> Scrape:
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def _steps(client: httpx.Client, actor: str) -> int:
    answer = client.get(f"/v1/actors/{actor}/history", params={"limit": 10_000}).json()
    assert answer["next"] is None
    return len(answer["steps"])


@pytest.mark.req("HTTP-014.1", "HTTP-014.2", "HTTP-005.7")
def test_the_metrics_of_a_run_of_1000_messages_agree_with_the_store(
    tmp_path: Path, record_property: Any
) -> None:
    with serving(tmp_path / "store") as served:
        client = served.client
        actors = [
            created(client, test="counter", state={"n": str(n).encode().hex()})
            for n in range(COUNTERS)
        ]
        singles = [actors[n % COUNTERS] for n in range(MESSAGES // 2)]
        batches = [
            [actors[(b * BATCH + n) % COUNTERS] for n in range(BATCH)]
            for b in range(MESSAGES // 2 // BATCH)
        ]
        done = threading.Event()

        def one(actor: str) -> None:
            answer = send(client, actor, data=b"1")
            assert answer.status_code == 202, answer.text

        def batch(recipients: list[str]) -> None:
            body = {
                "messages": [
                    {"to": a, "mt": "inc", "content": {"blob": b"1".hex()}} for a in recipients
                ]
            }
            answer = client.post("/v1/messages", json=body)
            assert answer.status_code == 202, answer.text

        def sending() -> None:
            try:
                with ThreadPoolExecutor(max_workers=4) as pool:
                    work = [pool.submit(one, a) for a in singles]
                    work += [pool.submit(batch, b) for b in batches]
                    for future in work:
                        future.result()
            finally:
                done.set()

        sender = threading.Thread(target=sending)
        sender.start()
        scrapes = [_scrape(client)]
        while not done.is_set():
            scrapes.append(_scrape(client))
        sender.join()
        settle(client, timeout=120)
        final = _scrape(client)
        scrapes.append(final)

        for name in COUNTERS_READ:  # while it ran, and after: counters only grow
            values = [s.value(name) or 0 for s in scrapes]
            assert values == sorted(values), (name, values)
        steps = sum(_steps(client, actor) for actor in actors)
        counts = [count(client, actor) for actor in actors]
        transitions = final.value("gritwit_transitions_total")
        assert sum(counts) == MESSAGES and counts == [MESSAGES // COUNTERS] * COUNTERS
        assert transitions == steps, (transitions, steps)
        assert COUNTERS * 2 <= steps <= COUNTERS + MESSAGES  # each genesis, then ≥ 1 inc each
        assert final.labelled("gritwit_failures_total", "class") == {}
        assert final.value("gritwit_pending_messages") == 0
        assert final.value("gritwit_resident_actors") == COUNTERS
        requests = COUNTERS + len(singles) + len(batches)
        commits = final.value("gritwit_commit_seconds_count") or 0
        assert 1 <= commits <= requests, (commits, requests)
        assert final.value("gritwit_commit_seconds_bucket", le="+Inf") == commits
        record_property("scrapes", len(scrapes))
        record_property("transitions", transitions)
        record_property("commits", commits)
        print(
            f"\n{len(scrapes)} scrapes; {transitions:.0f} transitions for {MESSAGES} incs; "
            f"{commits:.0f} commits for {requests} requests"
        )
