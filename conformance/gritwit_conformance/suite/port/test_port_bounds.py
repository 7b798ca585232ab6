"""Bounds and malformed requests are refused by typed answers; other messages to the port
are read without one; forks and bundles move no request (PORT-001.5, PORT-005, PORT-007).

Requests are put in the courier's queue before one ``rt-run``, so one port pass reads them
together in the courier's order (PORT-002.1): what a bound refuses is decided by that order
and the harness's clock (ADP-023.1), never by timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._ported import PORT, Ported, allowed_courier, outcomes_by_id, rule
from ._world import World

pytestmark = pytest.mark.profile("port")


@pytest.mark.req("PORT-005.2", "PORT-002.1", "PORT-002.2")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_requests_past_the_bound_in_flight_are_refused_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port, max_in_flight=2)
        for i in range(3):
            rt.request(courier, f"{world.base}/slow?ms=200&n={i}", run=False)
        rt.run("ADP-024.2")
        asked = rt.requests(courier)
        got = outcomes_by_id(rt, courier)
        check_equal(
            "PORT-005.2",
            [("response", "200"), ("response", "200"), ("port-busy", "PORT-005.2")],
            [got.get(r) for r in asked],
            "the answers to three requests read together",
        )
        check_equal("PORT-005.2", 2, len(world.hits("/slow")), "requests the world got")


@pytest.mark.req("PORT-005.4", "ADP-024.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_requests_past_the_rate_are_refused_until_the_next_minute(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port, max_per_minute=2)
        rt.clock(set=6_000_000)  # the start of a minute of the clock
        asked = [rt.request(courier, f"{world.base}/r{i}") for i in range(3)]
        rt.clock(advance=60_000)
        asked.append(rt.request(courier, f"{world.base}/r3"))
        got = outcomes_by_id(rt, courier)
        want = [("response", "200")] * 2 + [("port-rate", "PORT-005.4"), ("response", "200")]
        check_equal("PORT-005.4", want, [got.get(r) for r in asked], "the answers, a minute apart")


@pytest.mark.req("PORT-005.1", "PORT-008.2", "PORT-005")
@pytest.mark.parametrize(
    ("what", "url", "extra", "headers"),
    [
        ("no method", "{base}/x", {"port-method": "BREW"}, None),
        ("a relative URL", "/x", {}, None),
        ("a scheme of ftp", "ftp://127.0.0.1/x", {}, None),
        ("user information", "http://me@127.0.0.1:{port}/x", {}, None),
        ("a fragment", "{base}/x#frag", {}, None),
        ("a time limit of 0", "{base}/x", {"port-time-limit": "0"}, None),
        ("a time limit with a leading zero", "{base}/x", {"port-time-limit": "0100"}, None),
        ("a key of its own", "{base}/x", {}, {"idempotency-key": "mine"}),
        ("a host header", "{base}/x", {}, {"host": "example.com"}),
    ],
)
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_malformed_request_is_refused_invalid(
    impl: Implementation,
    tmp_path: Path,
    what: str,
    url: str,
    extra: dict[str, str],
    headers: dict[str, str] | None,
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        method = extra.pop("port-method", "GET")
        request = rt.request(
            courier,
            url.format(base=world.base, port=world.port),
            method=method,
            headers=headers,
            extra=extra,
        )
        check_equal(
            "PORT-005.1",
            ("port-invalid", "PORT-005.1"),
            outcomes_by_id(rt, courier).get(request),
            f"the answer to a request with {what}",
        )
        check_equal("PORT-005.1", 0, len(world.hits()), "requests the world got")


@pytest.mark.req("PORT-001.5")
def test_another_message_to_the_port_is_read_and_not_answered(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        rt.request(courier, f"{world.base}/x", extra={"mt": "port-response"})
        check_equal(
            "PORT-001.5", [], rt.answers(courier), "answers to a message of mt port-response"
        )
        check_equal(
            "PORT-001.5",
            rt.outbox_entry(courier, PORT),
            rt.inbox_entry(PORT, courier),
            "the port's inbox entry for the courier (read)",
        )


@pytest.mark.req("PORT-007", "PORT-007.3", "PORT-007.4", "PORT-007.5", "ADP-024.4", "PORT-006.3")
def test_a_fork_a_revert_and_an_import_send_no_request_again(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        genesis = rt.head(courier) or ""
        rt.request(courier, f"{world.base}/once")
        head = rt.head(courier) or ""
        rt.ok("ADP-015", "rt-revert", actor=courier, step=genesis)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-007.4", 1, len(world.hits("/once")), "requests the world got after a revert"
        )
        rt.ok("ADP-015", "rt-fork", actor=courier, step=head, state={"seed": "aa"})
        rt.run("ADP-024.2")
        bundle = rt.ok("ADP-015", "rt-export", actor=courier)["bundle"]
        rt.close()
        other = Ported(impl, tmp_path / "other", {"policy": [rule(world.port, [courier])]})
        other.ok("ADP-024.4", "rt-import", bundle=bundle)
        other.run("ADP-024.2")
        check_equal(
            "PORT-007.5",
            other.outbox_entry(courier, PORT),
            other.inbox_entry(PORT, courier),
            "the importing store's port inbox entry for the courier",
        )
        check_equal(
            "PORT-007.3",
            1,
            len(world.hits("/once")),
            "requests the world got after a fork, an export and an import",
        )
