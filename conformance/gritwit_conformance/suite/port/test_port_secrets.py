"""A secret goes out on the wire and nowhere else; an echo of it is stored as its name
(PORT-009, ADP-024.3).

After the exchange the suite reads every object reachable from the courier's head and the
port party's head (``rt-object``) and the courier's bundle (``rt-export``), and looks for
the secret's bytes in each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._ported import PORT, Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

SECRET = "s3cr3t-Value-9f1c"


@pytest.mark.req(
    "PORT-009",
    "PORT-009.2",
    "PORT-009.3",
    "PORT-009.4",
    "ADP-024.3",
    "PORT-009.1",
    "PORT-008.1",
)
def test_a_secret_reaches_the_world_and_no_object(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        port = {"policy": [rule(world.port, [courier])], "secrets": {"token": SECRET}}
        rt = Ported(impl, tmp_path / "rt", port)
        request = rt.request(
            courier,
            f"{world.base}/echo",
            headers={"authorization": "Bearer ${secret:token}"},
            extra={"port-keep": "x-echo"},
        )
        hits = world.hits("/echo")
        check_equal(
            "PORT-009.2",
            [f"Bearer {SECRET}"],
            [h.headers.get("authorization") for h in hits],
            "the authorization header the world got",
        )
        answer = [a for a in rt.answers(courier) if a.headers.get("port-id") == request]
        check_equal("PORT-008.1", 1, len(answer), "answers to the request")
        kept = rt.entry(answer[0].content, "headers")
        body = rt.entry(answer[0].content, "body")
        check_equal(
            "PORT-009.4",
            {"x-echo": "Bearer ${secret:token}"},
            dict(kept.headers) if isinstance(kept, g.Blob) else kept,
            "the kept header that echoed the secret",
        )
        echoed = json.loads(body.data) if isinstance(body, g.Blob) else {}
        check_equal(
            "PORT-009.4",
            "Bearer ${secret:token}",
            echoed.get("headers", {}).get("authorization"),
            "the echoed header in the stored body",
        )
        roots = [h for h in (rt.head(courier), rt.head(PORT)) if h is not None]
        objects = rt.reachable(roots)
        holding = sorted(oid for oid, data in objects.items() if SECRET.encode() in data)
        check_equal(
            "PORT-009.3", [], holding, f"objects (of {len(objects)} reachable) holding the secret"
        )
        bundle = bytes.fromhex(rt.ok("ADP-015", "rt-export", actor=courier)["bundle"])
        check(
            "PORT-009.3",
            SECRET.encode() not in bundle,
            expected="a bundle without the secret",
            came="the secret's bytes in the courier's bundle",
        )
        check(
            "ADP-024.3",
            SECRET not in json.dumps(rt.opened),
            expected="an answer to rt-open without the secret's value",
            came=rt.opened,
        )
        check(
            "ADP-024.3",
            SECRET not in impl.stderr_of_test(),
            expected="the adapter's standard error without the secret's value",
            came="the secret's value in what the adapter wrote to standard error",
        )


@pytest.mark.req("PORT-009.2", "PORT-005.1", "PORT-008.2")
def test_a_reference_to_no_secret_is_refused(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(
            impl,
            tmp_path / "rt",
            {"policy": [rule(world.port, [courier])], "secrets": {"token": SECRET}},
        )
        request = rt.request(
            courier, f"{world.base}/x", headers={"authorization": "${secret:other}"}
        )
        got = [
            (a.headers.get("error"), a.headers.get("clause"))
            for a in rt.answers(courier)
            if a.headers.get("port-id") == request
        ]
        check_equal("PORT-009.2", [("port-invalid", "PORT-009.2")], got, "the answer")
        check_equal("PORT-009.2", 0, len(world.hits()), "requests the world got")
