"""A service SIGKILLed under concurrent keyed clients: nothing acknowledged lost, nothing twice.

HTTP-001.4: killed at any moment, a service loses no acknowledged send and delivers
none twice; HTTP-005.2: a send is answered 202 only once its commit answered;
HTTP-005.3 and HTTP-005.4: a client whose request got no answer sends it again with its
key, to the service started again on the same store, and the message is delivered once.

Eight clients (:mod:`._kills`), each in a thread with a connection of its own, send keyed
``inc`` messages of 1 to a counter each, one after another. In each round the client
whose answer brings the round's acknowledged answers to the target SIGKILLs the adapter
and its service at once, from its own thread: the other clients' requests in flight are
cut off, and the answers just received are the newest the service gave. The service is
started again on the same directory (ADP-021.1) and each client first sends its
unanswered request again, with its key. After the last kill a round without one answers
every key, the service runs every message, and each client's sends are checked against
the store: every acknowledged message present (``GET /v1/objects``), the counter
counting each key once.

Why a kill right after answers, and not at a random moment: a service that answers a
send before its commit ended (a group commit that acknowledges early) has, at the
moment its answers arrive, a commit still running or yet to start for those very
sends, so a kill sent by the client as it reads the answer finds them uncommitted
unless that commit ended in the fraction of a millisecond between the answer's write
and the signal. Killing at a random moment finds such a window only by chance (the
service is mostly idle between requests); the answer itself marks the window.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from ._api import count_of, counter, settle
from ._kills import KeyedClient, KillRound, Tally
from ._service import REQUEST_SECONDS, Service, Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Concurrent clients, each with its counter and its keys.
CLIENTS = 8
#: Seconds a round may take before the suite kills anyway (scaled): a service that
#: answers nothing is killed and judged on what it did.
ROUND_SECONDS = 30.0


def _gone(url: str) -> None:
    """Wait until the killed service's port no longer answers (its process is gone)."""
    deadline = time.monotonic() + scaled(10)
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1, trust_env=False)
        except httpx.TransportError:
            return
        time.sleep(0.05)


def _round(clients: list[KeyedClient], url: str, round_: KillRound | None, most: int) -> None:
    """Run every client in a thread of its own until each is done or cut off."""
    threads = [
        threading.Thread(target=c.run, args=(url, round_), kwargs={"most": most}, daemon=True)
        for c in clients
    ]
    for thread in threads:
        thread.start()
    if round_ is not None:
        round_.killed.wait(scaled(ROUND_SECONDS))
        round_.kill_now()  # a round that never reached its target: killed all the same
    for thread in threads:
        thread.join(scaled(REQUEST_SECONDS) + 5)
    hung = [t.name for t in threads if t.is_alive()]
    assert not hung, f"HTTP-001.4: {len(hung)} clients still wait for an answer: a request hangs"


def kill_under_keyed_clients(
    services: Services, impl: Implementation, *, kills: int, per_client: int
) -> str:
    """``kills`` rounds of :data:`CLIENTS` clients, each round ended by a SIGKILL once
    ``per_client`` answers per client came in; then a round that answers every key.
    Fails naming the clauses broken, with the counts; returns a summary."""
    service: Service = services.start()
    clients = [
        KeyedClient(n, counter(service.client, f"keyed-client-{n}"), scaled(REQUEST_SECONDS))
        for n in range(CLIENTS)
    ]
    settle(service.client)
    started = time.monotonic()
    cut = 0
    for _ in range(kills):
        service.stopped = True  # killed below with its adapter: nothing to stop
        service.client.close()
        round_ = KillRound(CLIENTS * per_client, impl.kill)
        _round(clients, service.url, round_, most=10**6)
        cut += sum(len(c.unanswered) for c in clients)
        _gone(service.url)
        service = services.start(service.path.name)
    _round(clients, service.url, None, most=1)  # every unanswered key sent again
    settle(service.client)
    tallies = [c.tally(service.client, count_of(service.client, c.actor)) for c in clients]
    return _verdict(clients, tallies, kills=kills, cut=cut, seconds=time.monotonic() - started)


def _verdict(
    clients: list[KeyedClient], tallies: list[Tally], *, kills: int, cut: int, seconds: float
) -> str:
    keys = sum(t.keys for t in tallies)
    lost = sum(t.lost for t in tallies)
    twice = sum(t.twice for t in tallies)
    replayed = sum(t.replayed for t in tallies)
    summary = (
        f"{CLIENTS} keyed clients, {kills} SIGKILLs, {keys} keys acknowledged, {cut} requests "
        f"cut off and sent again ({replayed} answered 200 replayed), {seconds:.1f} s"
    )
    anomalies = [a for c in clients for a in c.anomalies]
    unanswered = [k for c in clients for k in c.unanswered]
    assert not unanswered, (
        f"HTTP-005.4: {len(unanswered)} keyed sends got no answer from the service started "
        f"again, with nothing killing it: {unanswered[:5]} ({summary})"
    )
    absent = [m for t in tallies for m in t.absent]
    per_client = ", ".join(f"{t.keys} sent/{t.count} counted" for t in tallies)
    assert lost == 0, (
        f"HTTP-001.4, HTTP-005.2: {lost} acknowledged sends were lost ({len(absent)} of their "
        f"messages absent from the store after the kills, e.g. {absent[:3]}): each was "
        f"answered before its commit ended, and a kill right after its answer took it; "
        f"every acknowledged send must survive a SIGKILL ({summary}; per client: {per_client})"
    )
    assert twice == 0, (
        f"HTTP-001.4, HTTP-005.3, HTTP-005.4: {twice} sends were delivered twice: a request "
        "cut off by a kill, sent again with its key to the service started again, was sent "
        f"anew although its first send was committed ({summary}; per client: {per_client})"
    )
    assert not anomalies, f"{anomalies[0]} ({len(anomalies)} such answers; {summary})"
    return summary


@pytest.mark.slow
@pytest.mark.req("HTTP-001.4", "HTTP-005.2", "HTTP-005.3", "HTTP-005.4", "ADP-021.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-009.1", "HTTP-011.1")
def test_kills_under_eight_keyed_clients_lose_nothing(
    services: Services, impl: Implementation
) -> None:
    """Two kills, each right after two answers per client came in (see the module)."""
    if not impl.can_kill:
        pytest.skip("the in-process reference is not a process the suite can kill")
    print(kill_under_keyed_clients(services, impl, kills=2, per_client=2))


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.req("HTTP-001.4", "HTTP-005.2", "HTTP-005.3", "HTTP-005.4", "ADP-021.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-009.1", "HTTP-011.1")
def test_five_kills_under_eight_keyed_clients_lose_nothing(
    services: Services, impl: Implementation
) -> None:
    """Five kills, each right after four answers per client came in (see the module)."""
    if not impl.can_kill:
        pytest.skip("the in-process reference is not a process the suite can kill")
    print(kill_under_keyed_clients(services, impl, kills=5, per_client=4))
