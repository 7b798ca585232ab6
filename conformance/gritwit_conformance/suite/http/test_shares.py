"""A service given a share (HTTP-001.2, HTTP-001.6, HTTP-007.1; RUN-021).

``http-serve`` with ``share: [k, n]`` (the feature ``shares``, ADP-021.1) runs only the
actors of share ``k/n`` — those whose id's first 8 bytes leave ``k`` modulo ``n`` — and
still takes sends, creations and reads for every actor (HTTP-001.2). Two services on one
directory with the two shares of 2 together run everything.
"""

from __future__ import annotations

import pytest

from .._check import check_equal
from .._shares import share_of
from ._api import body_of, count_of, create, expect_error, head_of, inc, settle, state_in_share
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("shares")]


def seeded(k: int, n: int) -> dict[str, str]:
    """The state of the first ``counter`` (by its ``seed``) in share ``k/n``."""
    return state_in_share("counter", k, n)


@pytest.mark.req("HTTP-001.6", "ADP-021.1")
@pytest.mark.req("HTTP-002.1")
def test_v1_names_the_share(services: Services) -> None:
    client = services.start(share=[1, 3]).client
    answer = body_of(client.get("/v1"), 200, "HTTP-001.6")
    check_equal(
        "HTTP-001.6", [1, 3], answer.get("share"), "the share GET /v1 of a 1/3 service names"
    )


@pytest.mark.req("HTTP-001.2", "ADP-021.1")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
)
@pytest.mark.req("HTTP-006.3")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_share_runs_only_its_actors(services: Services) -> None:
    client = services.start(share=[0, 2]).client
    mine = create(client, test="counter", state=seeded(0, 2))["actor"]
    other = create(client, test="counter", state=seeded(1, 2))["actor"]
    for actor in (mine, other):
        inc(client, actor, 4)
    settle(client)
    check_equal(
        "HTTP-001.2",
        4,
        count_of(client, mine),
        "the count of an actor of the service's share 0/2 after 4 incs: the service ran it",
    )
    check_equal(
        "HTTP-001.2",
        None,
        head_of(client, other),
        "the head of an actor of share 1/2 on a service of share 0/2: it ran nothing of it",
    )
    expect_error(client.get(f"/v1/actors/{other}/queries/count"), 404, "not-found", "HTTP-006.3")


@pytest.mark.req("HTTP-001.2", "HTTP-007.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_two_shares_on_one_store_run_everything(services: Services) -> None:
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    actors = [create(zero, test="counter", state=seeded(k, 2))["actor"] for k in (0, 1)]
    for actor in actors:
        inc(one, actor, 9)
    for client in (zero, one):
        settle(client)
    for actor in actors:
        check_equal(
            "HTTP-001.2",
            9,
            count_of(zero, actor),
            f"the count of the actor {actor} of share {share_of(actor, 2)}/2 after 9 incs: the "
            "service of its share ran it",
        )
    listed = {
        e["actor"]: e["share"] for e in body_of(one.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    }
    check_equal(
        "HTTP-007.1",
        {a: share_of(a, 2) for a in actors},
        listed,
        "the shares of the actors GET /v1/actors of a 1/2 service lists",
    )
