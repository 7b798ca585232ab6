"""Hosts at the edges of PORT-003.4 and PORT-004.1: a dotted quad whose parts reach 255 is
a host and one past it a number refused; a name whose last label is a number is a number,
one whose first is a name; an IPv4-mapped IPv6 address is judged as its IPv4 address,
refused as a loopback unless a rule lists its network.

Every expected answer is PORT-008's; what the world got is what it recorded.  The world
listens on 127.0.0.1: another loopback address answers as the machine's loopback does
(as a rule nothing listens there: ``port-connection``), never ``port-refused``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_in
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

Answer = tuple[str | None, str | None]


def _answer(rt: Ported, courier: str, request: str) -> Answer:
    for a in rt.answers(courier):
        h = a.headers
        if h.get("port-id") == request:
            if h.get("mt") == "port-response":
                return ("response", h.get("port-status"))
            return (h.get("error"), h.get("clause"))
    return (None, None)


def _ported(impl: Implementation, path: Path, rules: list[dict[str, object]]) -> Ported:
    return Ported(impl, path, {"policy": rules})


def _courier(impl: Implementation, path: Path) -> str:
    rt = Ported(impl, path, {})
    courier = rt.courier()
    rt.close()
    return courier


@pytest.mark.req("PORT-003.4", "PORT-003.1", "PORT-008.2")
@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("127.0.0.255", False),
        ("127.0.255.1", False),
        ("127.0.0.256", True),
        ("127.256.0.1", True),
        ("127.0.0.1.1", True),
        ("foo.1", True),
    ],
)
def test_a_quad_up_to_255_is_a_host_and_another_number_refused(
    impl: Implementation, tmp_path: Path, host: str, refused: bool
) -> None:
    with World() as world:
        courier = _courier(impl, tmp_path / "rt")
        rules = [rule(world.port, [courier], host=host, addresses=("127.0.0.0/8",))]
        if refused:  # no rule can name it: a rule for the world's host, whose port it asks
            rules = [rule(world.port, [courier], addresses=("127.0.0.0/8",))]
        rt = _ported(impl, tmp_path / "rt", rules)
        request = rt.request(courier, f"http://{host}:{world.port}/x")
        got = _answer(rt, courier, request)
        if refused:
            check_equal("PORT-003.4", ("port-refused", "PORT-003.4"), got, f"the answer for {host}")
        else:
            check_in(
                "PORT-003.4", got[0], ("response", "port-connection"), f"the answer for {host}"
            )


@pytest.mark.req("PORT-003.4", "PORT-003.3")
def test_a_name_whose_first_label_is_a_number_is_a_name(
    impl: Implementation, tmp_path: Path
) -> None:
    """``1.example`` is a DNS name (its last label is no number): no rule names it, so it is
    refused by the policy (PORT-003.3), not as a number (PORT-003.4)."""
    with World() as world:
        courier = _courier(impl, tmp_path / "rt")
        rt = _ported(impl, tmp_path / "rt", [rule(world.port, [courier])])
        request = rt.request(courier, f"http://1.example:{world.port}/x")
        check_equal(
            "PORT-003.4",
            ("port-refused", "PORT-003.3"),
            _answer(rt, courier, request),
            "the answer for the host 1.example",
        )


@pytest.mark.req("PORT-004.1", "PORT-003.2")
@pytest.mark.parametrize(
    ("addresses", "listed"), [((), False), (("127.0.0.0/8",), True), (("10.0.0.0/8",), False)]
)
def test_an_ipv4_mapped_address_is_judged_as_its_ipv4_address(
    impl: Implementation, tmp_path: Path, addresses: tuple[str, ...], listed: bool
) -> None:
    with World() as world:
        courier = _courier(impl, tmp_path / "rt")
        host = "[::ffff:7f00:1]"  # ::ffff:127.0.0.1, compressed (PORT-003.1)
        rules = [rule(world.port, [courier], host=host, addresses=addresses)]
        rt = _ported(impl, tmp_path / "rt", rules)
        request = rt.request(courier, f"http://[::ffff:127.0.0.1]:{world.port}/x")
        got = _answer(rt, courier, request)
        if listed:  # allowed: the world answers if the machine maps it to 127.0.0.1
            check_in(
                "PORT-004.1", got[0], ("response", "port-connection"), f"the answer, {addresses}"
            )
        else:
            check_equal(
                "PORT-004.1",
                ("port-refused", "PORT-004.1"),
                got,
                f"the answer for ::ffff:127.0.0.1 with addresses {list(addresses)}",
            )
            check_equal("PORT-004.1", 0, len(world.hits()), "requests the world got")


@pytest.mark.req("PORT-004.1")
def test_the_ipv6_loopback_is_refused_unless_a_rule_lists_it(
    impl: Implementation, tmp_path: Path
) -> None:
    courier = _courier(impl, tmp_path / "rt")
    rules = [rule(8080, [courier], host="[::1]", addresses=())]
    rt = _ported(impl, tmp_path / "rt", rules)
    request = rt.request(courier, "http://[::1]:8080/x")
    check_equal(
        "PORT-004.1",
        ("port-refused", "PORT-004.1"),
        _answer(rt, courier, request),
        "the answer for [::1] under a rule without addresses",
    )


@pytest.mark.req("PORT-004.1")
@pytest.mark.parametrize("host", ["224.0.1.1", "[ff0e::1]"])
def test_a_multicast_address_is_refused_though_it_is_global(
    impl: Implementation, tmp_path: Path, host: str
) -> None:
    """224.0.1.1 and ff0e::1 are multicast addresses of global scope: no private network
    holds them, yet PORT-004.1 refuses every multicast address no rule lists.  Refused,
    nothing is sent (a TCP connection to a multicast address is refused by the sender's
    own kernel, so even an implementation that tried would reach no network)."""
    courier = _courier(impl, tmp_path / "rt")
    rules = [rule(8080, [courier], host=host, addresses=())]
    rt = _ported(impl, tmp_path / "rt", rules)
    request = rt.request(courier, f"http://{host}:8080/x")
    check_equal(
        "PORT-004.1",
        ("port-refused", "PORT-004.1"),
        _answer(rt, courier, request),
        f"the answer for the multicast address {host} under a rule without addresses",
    )


@pytest.mark.req("PORT-004.1", "PORT-004.2", "PORT-003.1", "PORT-008.1")
def test_a_world_on_the_ipv6_loopback_is_reached_when_a_rule_lists_it(
    impl: Implementation, tmp_path: Path
) -> None:
    """The host of ``http://[::1]:P/x`` is resolved without its brackets and the checked
    address connected to in brackets (PORT-004.2): the world on ::1 gets the request."""
    with World("::1") as world:
        courier = _courier(impl, tmp_path / "rt")
        rules = [rule(world.port, [courier], host="[::1]", addresses=("::1/128",))]
        rt = _ported(impl, tmp_path / "rt", rules)
        request = rt.request(courier, f"{world.base}/v6")
        check_equal(
            "PORT-004.2",
            ("response", "200"),
            _answer(rt, courier, request),
            f"the answer for {world.base}/v6",
        )
        check_equal("PORT-004.2", ["/v6"], [h.path for h in world.hits()], "what the world got")
