"""The operator's policy decides, and denies by default; addresses are checked, and hosts
spelled as odd numbers refused (PORT-003, PORT-004).

Two world servers on loopback tell a rule's port from its host: the policy allows one of
them, and the other's count of requests must stay 0.  Every refusal is a failure message
with the class and clause the chapter names (PORT-008.2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_type
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")


def _failure(rt: Ported, courier: str, request: str) -> tuple[str | None, str | None]:
    for a in rt.answers(courier):
        if a.headers.get("port-id") == request:
            if a.headers.get("mt") == "port-response":
                return ("response", a.headers.get("port-status"))
            return (a.headers.get("error"), a.headers.get("clause"))
    return (None, None)


def _open(
    impl: Implementation, path: Path, port: dict[str, object], seeds: int = 1
) -> tuple[Ported, list[str]]:
    rt = Ported(impl, path, {})
    couriers = [rt.courier(str(i)) for i in range(seeds)]
    rt.close()
    return Ported(impl, path, port), couriers


@pytest.mark.req("PORT-003", "PORT-003.2", "PORT-003.3", "PORT-008.2")
def test_a_rule_for_one_port_of_a_host_allows_no_other(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as allowed, World() as other:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(allowed.port, [courier])]})
        good = rt.request(courier, f"{allowed.base}/a")
        bad = rt.request(courier, f"{other.base}/a")
        check_equal(
            "PORT-003.2",
            ("response", "200"),
            _failure(rt, courier, good),
            "the allowed port's answer",
        )
        check_equal(
            "PORT-003.2",
            ("port-refused", "PORT-003.3"),
            _failure(rt, courier, bad),
            "the answer for the same host at another port",
        )
        check_equal("PORT-003.2", 0, len(other.hits()), "requests the other port's server got")


@pytest.mark.req("PORT-003.2", "PORT-003.3", "PORT-003.1")
def test_a_rule_matches_path_prefix_scheme_and_actor(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        one, two, three = rt.courier("1"), rt.courier("2"), rt.courier("3")
        head = rt.head(three) or ""
        step = check_type("PORT-003.2", rt.obj(head), g.Step, expected="a step", what="a head")
        core = rt.obj(step.core.hex())
        code = core.entries["wit"].hex() if isinstance(core, g.Tree) else ""
        rt.close()
        rt = Ported(
            impl,
            tmp_path / "rt",
            {
                "policy": [
                    rule(world.port, [one], path="/open/"),
                    rule(world.port, [code], path="/code/"),
                    {**rule(world.port, [one]), "scheme": "https"},
                ]
            },
        )
        cases = [
            (one, "/open/x", ("response", "200"), "a path under the rule's prefix"),
            (one, "/opener", ("port-refused", "PORT-003.3"), "a path the prefix does not begin"),
            (two, "/open/x", ("port-refused", "PORT-003.3"), "an actor the rule does not name"),
            (three, "/code/x", ("response", "200"), "an actor named by its code id"),
        ]
        for actor, path, want, what in cases:
            request = rt.request(actor, f"{world.base}{path}")
            check_equal("PORT-003.2", want, _failure(rt, actor, request), what)
        check_equal(
            "PORT-003.3",
            ["/open/x", "/code/x"],
            [h.path for h in world.hits()],
            "the paths the world got",
        )


@pytest.mark.req("PORT-004", "PORT-004.1", "PORT-003.4")
@pytest.mark.parametrize(
    ("host", "addresses", "want"),
    [
        ("127.0.0.1", (), ("port-refused", "PORT-004.1")),
        ("localhost", (), ("port-refused", "PORT-004.1")),
        ("127.0.0.1", ("10.0.0.0/8",), ("port-refused", "PORT-004.1")),
        ("127.0.0.1", ("127.0.0.0/8",), ("response", "200")),
    ],
)
def test_a_loopback_address_is_refused_unless_a_rule_lists_it(
    impl: Implementation,
    tmp_path: Path,
    host: str,
    addresses: tuple[str, ...],
    want: tuple[str, str],
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        policy = [rule(world.port, [courier], host=host, addresses=addresses)]
        rt = Ported(impl, tmp_path / "rt", {"policy": policy})
        request = rt.request(courier, f"http://{host}:{world.port}/x")
        check_equal(
            "PORT-004.1",
            want,
            _failure(rt, courier, request),
            f"the answer for {host} with addresses {list(addresses)}",
        )
        check_equal(
            "PORT-004.1",
            0 if want[0] != "response" else 1,
            len(world.hits()),
            "requests the world got",
        )


@pytest.mark.req("PORT-003.4", "PORT-008.2")
@pytest.mark.parametrize("host", ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.000.0.1"])
def test_a_host_spelled_as_another_number_is_refused(
    impl: Implementation, tmp_path: Path, host: str
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        policy = [rule(world.port, [courier], addresses=("127.0.0.0/8",))]
        rt = Ported(impl, tmp_path / "rt", {"policy": policy})
        request = rt.request(courier, f"http://{host}:{world.port}/x")
        check_equal(
            "PORT-003.4",
            ("port-refused", "PORT-003.4"),
            _failure(rt, courier, request),
            f"the answer for the host {host}",
        )
        check_equal("PORT-003.4", 0, len(world.hits()), "requests the world got")
