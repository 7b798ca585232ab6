"""Two services without shares on one store run one actor at once (RUN-020.1, RUN-020.4,
RUN-017.4).

A runtime given no share runs every actor (RUN-020.4), so two services started on one
store without shares both run the same counters, and both swap their heads: one's swap of a
step, or of a group of steps committed together (RUN-017.2), now and then loses to the
other's. A step whose swap lost MUST be built again on the winner's head, and the
messages it consumed stay pending until a step that consumed them is adopted (RUN-017.4,
RUN-002.4); what a runtime read earlier is a hint, never the head (RUN-020.1). Clients
sending ``inc`` to several counters through both services at once make the two race for
the heads; once both settled, each counter must have counted every send exactly once: a
runtime that kept a lost step, dropped the messages of a lost group member, or overwrote
the winner's step would count too few or too many.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .._check import check_equal
from ._api import count_of, create, inc, incs_at_once, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Clients sending at once through each service.
CLIENTS = 3
#: The counters sent to: steps of several actors are committed together as one group
#: (RUN-017.2), whose members' swaps may lose one by one (RUN-017.4).
COUNTERS = 4
#: The rounds each client makes, one send to each counter a round, one after another.
SENDS = 8


@pytest.mark.req("RUN-017.4", "RUN-020.1", "RUN-020.4", "RUN-002.4", "HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_sends_through_two_unshared_services_are_counted_once(services: Services) -> None:
    zero = services.start("store").client
    one = services.start("store").client
    seeds = [{"seed": f"{n:08x}"} for n in range(COUNTERS)]  # distinct geneses, distinct ids
    actors = [create(zero, test="counter", state=seed)["actor"] for seed in seeds]

    incs_at_once([zero, one] * CLIENTS, actors, SENDS)
    for client in (zero, one, zero):
        settle(client)
    check_equal(
        ("RUN-017.4", "RUN-020.4"),
        [2 * CLIENTS * SENDS] * COUNTERS,
        [count_of(one, actor) for actor in actors],
        f"the counts of {COUNTERS} counters, each sent {CLIENTS * SENDS} incs through each of "
        "two services without shares on their store at once, both running them: a step or "
        "group member whose head swap lost is built again on the winner's head, every "
        "message counted once",
    )


#: The counters each client creates, one after another, each sent ``INCS`` incs at once.
CREATED = 6
#: The incs each created counter is sent, through the service that created it.
INCS = 2


@pytest.mark.req("RUN-017.4", "RUN-020.1", "RUN-020.4", "RUN-002.4", "HTTP-005.2")
@pytest.mark.req("HTTP-004.2", "HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_geneses_through_two_unshared_services_are_each_adopted_once(
    services: Services,
) -> None:
    """Both services run every new actor's genesis (RUN-020.4): creations through both at
    once make their genesis steps, committed in groups, race for heads not set yet, a
    swap from unset losing to the other's (RUN-017.4), and with incs to one counter all
    clients share, groups whose steps of it lose beside geneses that win; each counter
    must then be one actor that counted each of its incs once."""
    zero = services.start("store").client
    one = services.start("store").client
    hub = str(create(zero, test="counter", state={"seed": "ffffffff"})["actor"])

    def creates(job: tuple[int, httpx.Client]) -> list[str]:
        k, client = job
        made = []
        for n in range(CREATED):
            seed = {"seed": f"{k:04x}{n:04x}"}  # distinct geneses, distinct ids
            actor = str(create(client, test="counter", state=seed)["actor"])
            for _ in range(INCS):
                inc(client, actor, 1)  # 202 checked by the helper (HTTP-005.2)
            inc(client, hub, 1)
            made.append(actor)
        return made

    jobs = list(enumerate([zero, one] * CLIENTS))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        actors = [actor for made in pool.map(creates, jobs) for actor in made]
    check_equal(
        "HTTP-004.2",
        len(jobs) * CREATED,
        len(set(actors)),
        "the distinct actors created through the two services",
    )
    for client in (zero, one, zero):
        settle(client)
    check_equal(
        ("RUN-017.4", "RUN-020.4"),
        [INCS] * len(actors) + [len(actors)],
        [count_of(zero, actor) for actor in [*actors, hub]],
        f"the counts of {len(actors)} counters created through two services without shares "
        f"on one store at once, each sent {INCS} incs, then of the counter all clients sent "
        "one inc per creation: both run every genesis, a genesis "
        "or step whose head swap lost is built again on the winner's head, each inc "
        "counted once",
    )
