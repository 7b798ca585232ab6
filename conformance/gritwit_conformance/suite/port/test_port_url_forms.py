"""A ``port-url`` is an absolute ``http`` or ``https`` URL of at most 2 048 bytes without
user information or fragment (PORT-001.2): each case below breaks one of these and is
refused ``port-invalid`` (PORT-005.1) before any byte is sent; one at each edge (2 048
bytes, the first and last printable ASCII characters) is sent; a URL naming no port is
judged by its scheme's default port (PORT-003.2).

Requests are put in the courier's queue before one ``rt-run`` (PORT-002.1); every
expected answer is PORT-008's, and what the world got is what it recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_in
from ._ported import Ported, outcomes, rule
from ._world import World

pytestmark = pytest.mark.profile("port")


def _setup(impl: Implementation, path: Path, policy: list[dict[str, Any]]) -> Ported:
    return Ported(impl, path, {"policy": policy})


def _courier(impl: Implementation, path: Path) -> str:
    rt = Ported(impl, path, {})
    courier = rt.courier()
    rt.close()
    return courier


@pytest.mark.req("PORT-001.2", "PORT-005.1", "PORT-008.2")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_url_of_another_form_is_refused_and_one_at_its_edges_sent(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        courier = _courier(impl, tmp_path / "rt")
        rt = _setup(impl, tmp_path / "rt", [rule(world.port, [courier])])
        base = world.base
        edge = f"{base}/"
        longest = edge + "a" * (2048 - len(edge))  # 2048 bytes
        bad = {
            "2049 bytes": longest + "a",
            "a space": f"{base}/a b",
            "a control character": f"{base}/a\x01b",
            "a DEL": f"{base}/a\x7fb",
            "a non-ASCII character": f"{base}/\u00e9",
            "an empty fragment": f"{base}/x#",
            "port 0": "http://127.0.0.1:0/x",
            "no host": "http:///x",
            "a port that is no number": "http://127.0.0.1:8o/x",
        }
        good = {
            "2048 bytes": longest,
            "! and ~, the first and last printable characters": f"{base}/!~",
        }
        for url in [*bad.values(), *good.values()]:
            rt.request(courier, url, run=False)
        rt.run("ADP-024.2")
        got = outcomes(rt, courier)
        for (what, _), answer in zip(bad.items(), got, strict=False):
            check_equal(
                "PORT-005.1",
                ("port-invalid", "PORT-005.1"),
                answer,
                f"the answer to a URL of {what}",
            )
        for (what, _), answer in zip(good.items(), got[len(bad) :], strict=True):
            check_equal("PORT-001.2", ("response", "200"), answer, f"the answer to a URL of {what}")
        check_equal(
            "PORT-005.1",
            sorted([longest[len(base) :], "/!~"]),
            sorted(h.path for h in world.hits()),
            "the paths the world got",
        )


@pytest.mark.req("PORT-003.2", "PORT-003", "PORT-005.7")
@pytest.mark.parametrize(("scheme", "port"), [("http", 80), ("https", 443)])
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_url_naming_no_port_is_judged_by_its_schemes_default(
    impl: Implementation, tmp_path: Path, scheme: str, port: int
) -> None:
    """A rule for the default port allows the URL that names none: the answer is whatever
    the loopback's port gives (nothing listens there, as a rule: ``port-connection``), never
    ``port-refused``; a rule for another port allows it not."""
    courier = _courier(impl, tmp_path / "rt")
    allowed = {"scheme": scheme, "host": "127.0.0.1", "port": port, "path": "/"}
    other = {**allowed, "port": port + 1, "host": "127.0.0.2"}
    policy = [
        {**allowed, "actors": [courier], "addresses": ["127.0.0.0/8"]},
        {**other, "actors": [courier], "addresses": ["127.0.0.0/8"]},
    ]
    rt = _setup(impl, tmp_path / "rt", policy)
    rt.request(courier, f"{scheme}://127.0.0.1/x", run=False)
    rt.request(courier, f"{scheme}://127.0.0.2/x", run=False)
    rt.run("ADP-024.2")
    at_default, at_other = outcomes(rt, courier)
    check_in(
        "PORT-003.2",
        at_default[0],
        ("response", "port-connection"),
        f"the answer to {scheme}://127.0.0.1/x under a rule for port {port}",
    )
    check_equal(
        "PORT-003.2",
        ("port-refused", "PORT-003.3"),
        at_other,
        f"the answer to {scheme}://127.0.0.2/x under a rule for port {port + 1} only",
    )


@pytest.mark.req("PORT-001.2", "PORT-003.1", "PORT-003.2")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_url_with_an_ipv6_host_is_read_with_and_without_a_port(
    impl: Implementation, tmp_path: Path
) -> None:
    """``[::1]`` is the host of ``http://[::1]:8080/x`` and of ``http://[::1]/x``: both are
    allowed by a rule for ``[::1]`` and their port, so neither is refused; what comes back
    is the loopback's (the world listens on 127.0.0.1 only: as a rule ``port-connection``)."""
    courier = _courier(impl, tmp_path / "rt")
    v6 = {"scheme": "http", "host": "[::1]", "path": "/", "actors": [courier]}
    policy = [{**v6, "port": port, "addresses": ["::1/128"]} for port in (8080, 80)]
    rt = _setup(impl, tmp_path / "rt", policy)
    rt.request(courier, "http://[::1]:8080/x", run=False)
    rt.request(courier, "http://[::1]/x", run=False)
    rt.run("ADP-024.2")
    for url, answer in zip(
        ("http://[::1]:8080/x", "http://[::1]/x"), outcomes(rt, courier), strict=True
    ):
        check_in("PORT-001.2", answer[0], ("response", "port-connection"), f"the answer to {url}")
