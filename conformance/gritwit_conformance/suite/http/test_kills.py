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
service is mostly idle between requests); the answer itself marks the window. Five
kills are five such looks; between them every second answer is looked at the same way
without a kill (:class:`~._kills.Freezer`: the client that reads it stops the
implementation with ``SIGSTOP`` and another process of the implementation looks the
message up in the store), some fifty looks a run. Where the implementation does not
claim the store profile, the kills alone look.

What no look can see is a commit that ends in the moment between an answer's write and
the client's signal (well under a millisecond): a service that answers only that much
before its commit has, for a SIGKILL, already committed (the write reached the
operating system, which a killed process does not take back). The reference's declared
wrong server of this kind, which hands each group's commit to the next turn of its
loop, is found absent in about half of the looks (``serve_sends_answered_before_commit``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check, fail, ok_answer
from ._api import count_of, counter, settle
from ._kills import Freezer, KeyedClient, KillRound, Tally
from ._service import REQUEST_SECONDS, Service, Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Concurrent clients, each with its counter and its keys.
CLIENTS = 8
#: SIGKILLs, each ending a round.
KILLS = 5
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
    if round_ is not None and round_.target is not None:
        round_.killed.wait(scaled(ROUND_SECONDS))
        round_.kill_now()  # a round that never reached its target: killed all the same
    for thread in threads:
        thread.join(scaled(REQUEST_SECONDS) + 5)
    hung = [t.name for t in threads if t.is_alive()]
    check(
        "HTTP-001.4",
        not hung,
        expected="every client answered",
        came=f"{len(hung)} clients still wait for an answer: a request hangs",
    )


@contextlib.contextmanager
def _reader(impl: Implementation, path: Path) -> Iterator[Callable[[str], bool] | None]:
    """Another process of the implementation with the store at ``path`` open (ADP-010.6):
    whether it holds a message; ``None`` for an implementation without the store
    profile."""
    reader = impl._fresh()
    try:
        if "store" not in reader.info().get("profiles", ()):
            yield None
            return
        opened = reader.call("store-open", kind="durable", path=str(path))
        handle = ok_answer(opened, "ADP-010.6", "store-open of a service's directory")["store"]

        def has(message: str) -> bool:
            answer = reader.call("has", store=handle, id=message)
            present = ok_answer(answer, "STO-005.1", "has of an acknowledged message")["present"]
            return bool(present)

        yield has
    finally:
        reader.close()


def kill_under_keyed_clients(
    services: Services, impl: Implementation, *, kills: int, per_client: int, every: int
) -> str:
    """``kills`` rounds of :data:`CLIENTS` clients, each round ended by a SIGKILL once
    ``per_client`` answers per client came in, every ``every``-th answer checked as it
    arrives (:class:`Freezer`); then a round that answers every key. Fails naming the
    clauses broken, with the counts; returns a summary."""
    service: Service = services.start()
    clients = [
        KeyedClient(n, counter(service.client, f"keyed-client-{n}"), scaled(REQUEST_SECONDS))
        for n in range(CLIENTS)
    ]
    settle(service.client)
    started = time.monotonic()
    cut = 0
    freezers: list[Freezer] = []
    with _reader(impl, service.path) as has:

        def freezer() -> Freezer | None:
            group = getattr(impl, "pid", None)
            if has is None or group is None:
                return None
            freezers.append(Freezer(group, has))
            return freezers[-1]

        for _ in range(kills):
            service.stopped = True  # killed below with its adapter: nothing to stop
            service.client.close()
            round_ = KillRound(CLIENTS * per_client, impl.kill, freezer(), every)
            _round(clients, service.url, round_, most=10**6)
            cut += sum(len(c.unanswered) for c in clients)
            _gone(service.url)
            service = services.start(service.path.name)
        last = KillRound(None, impl.kill, freezer(), every)
        _round(clients, service.url, last, most=per_client)  # unanswered keys sent again
    settle(service.client)
    tallies = [c.tally(service.client, count_of(service.client, c.actor)) for c in clients]
    lost = {m for t in tallies for m in t.absent}
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        anew = sum(pool.map(lambda c: c.again(service.url, lost), clients))
    return _verdict(
        clients,
        tallies,
        freezers,
        anew=anew,
        kills=kills,
        cut=cut,
        seconds=time.monotonic() - started,
    )


def _verdict(
    clients: list[KeyedClient],
    tallies: list[Tally],
    freezers: list[Freezer],
    *,
    anew: int,
    kills: int,
    cut: int,
    seconds: float,
) -> str:
    keys = sum(t.keys for t in tallies)
    checked = sum(f.checked for f in freezers)
    early = [m for f in freezers for m in f.absent]
    lost = sum(t.lost for t in tallies)
    twice = sum(t.twice for t in tallies)
    replayed = sum(t.replayed for t in tallies)
    summary = (
        f"{CLIENTS} keyed clients, {kills} SIGKILLs, {keys} keys acknowledged, {cut} requests "
        f"cut off and sent again ({replayed} answered 200 replayed), {checked} answers checked "
        f"in the store as they arrived, {seconds:.1f} s"
    )
    anomalies = [a for c in clients for a in c.anomalies]
    unanswered = [k for c in clients for k in c.unanswered]
    check(
        "HTTP-005.4",
        not unanswered,
        expected="every keyed send answered by the service started again, with nothing killing it",
        came=f"{len(unanswered)} unanswered: {unanswered[:5]} ({summary})",
    )
    check(
        ("HTTP-005.2", "HTTP-001.4"),
        not early,
        expected="every acknowledged send in the store when its answer arrived (the service "
        "stopped at once, SIGSTOP, and the store read by another process)",
        came=f"{len(early)} of {checked} not there, e.g. {early[:3]}: each was answered 202 "
        f"before its commit ended, so a kill at that moment loses it ({summary})",
    )
    absent = [m for t in tallies for m in t.absent]
    per_client = ", ".join(f"{t.keys} sent/{t.count} counted" for t in tallies)
    check(
        ("HTTP-001.4", "HTTP-005.2"),
        lost == 0,
        expected="every acknowledged send to survive a SIGKILL",
        came=f"{lost} acknowledged sends lost ({len(absent)} of their messages absent from the "
        f"store after the kills, e.g. {absent[:3]}): each was answered before its commit "
        f"ended, and a kill right after its answer took it ({summary}; per client: "
        f"{per_client})",
    )
    check(
        ("HTTP-001.4", "HTTP-005.3", "HTTP-005.4"),
        twice == 0,
        expected="no send delivered twice: a request cut off by a kill, sent again with its "
        "key to the service started again, is not sent anew once its first send committed",
        came=f"{twice} sends delivered twice ({summary}; per client: {per_client})",
    )
    check(
        ("HTTP-005.3", "HTTP-001.4"),
        anew == 0,
        expected="every acknowledged key, sent again once the service had run everything, "
        "answered 200 replaying its message (a key among the latest 1,000 messages to its "
        "recipient), so that a client's retry is delivered once",
        came=f"{anew} of the {keys} sent anew (202) ({summary})",
    )
    if anomalies:
        said, _, rest = anomalies[0].partition(": ")
        fail(
            tuple(said.split(", ")),
            expected="every keyed send answered as the clause says",
            came=f"{rest} ({len(anomalies)} such answers; {summary})",
        )
    return summary


@pytest.mark.slow
@pytest.mark.req("HTTP-001.4", "HTTP-005.2", "HTTP-005.3", "HTTP-005.4", "ADP-021.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-009.1", "HTTP-011.1")
@pytest.mark.req("ADP-010.6", "STO-005.1")
def test_five_kills_under_eight_keyed_clients_lose_nothing_and_send_nothing_twice(
    services: Services, impl: Implementation
) -> None:
    """Five kills, each right after two answers per client came in, every second answer
    checked in the store as it arrived (see the module)."""
    if not impl.can_kill:
        pytest.skip("the in-process reference is not a process the suite can kill")
    print(kill_under_keyed_clients(services, impl, kills=KILLS, per_client=2, every=2))
