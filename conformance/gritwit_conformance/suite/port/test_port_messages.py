"""The messages between an actor and the port, read from the store: the request the
courier queues and a failure the port answers (PORT-010.1, PORT-008.2).

Every expected value is what the suite sent itself: the headers and content it gave the
courier, and for a failure the class and clause PORT-003.3 names for a request no rule
allows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
from ._ported import PORT, Ported
from ._world import World

pytestmark = pytest.mark.profile("port")


def _message(rt: Ported, oid: str, clause: str) -> g.Message:
    found = rt.obj(oid)
    if not isinstance(found, g.Message):
        fail(clause, expected="a message", came=found, what=f"the entry {oid}")
    return found


def _blob_of(rt: Ported, tree: g.GritObject, name: str, clause: str) -> g.Blob:
    found = rt.entry(tree, name)
    if not isinstance(found, g.Blob):
        fail(clause, expected=f"an entry {name!r} that is a blob", came=found)
    return found


@pytest.mark.req("PORT-010.1", "PORT-010", "PORT-001.2")
def test_the_courier_queues_the_request_it_is_given(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        url = f"{world.base}/x"
        extra = {"port-keep": "content-type,x-echo", "port-time-limit": "5000"}
        request = rt.request(
            courier, url, method="PUT", headers={"x-a": "b"}, body=b"tea", extra=extra
        )
        message = _message(rt, request, "PORT-010.1")
        want = {"mt": "port-request", "port-method": "PUT", "port-url": url, **extra}
        check_equal("PORT-010.1", want, dict(message.headers), "the queued request's headers")
        content = rt.obj(message.content.hex())
        check_equal(
            "PORT-010.1",
            ["body", "headers"],
            sorted(content.entries) if isinstance(content, g.Tree) else content,
            "the entries of the queued request's content",
        )
        headers = _blob_of(rt, content, "headers", "PORT-010.1")
        body = _blob_of(rt, content, "body", "PORT-010.1")
        check_equal(
            "PORT-010.1",
            ({"x-a": "b"}, b"", b"tea"),
            (dict(headers.headers), headers.data, body.data),
            "the queued request's headers blob and body",
        )


@pytest.mark.req("PORT-008.2", "PORT-008", "PORT-003.3")
def test_a_failure_carries_its_class_its_clause_and_the_requests_content(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})  # no policy: every request refused
        courier = rt.courier()
        request = rt.request(courier, f"{world.base}/x", method="POST", body=b"tea")
        answers = rt.answers(courier)
        check_equal(
            "PORT-008.2",
            [
                {
                    "mt": "port-failed",
                    "port-id": request,
                    "error": "port-refused",
                    "clause": "PORT-003.3",
                }
            ],
            [a.headers for a in answers],
            "the headers of what the port party sent the courier",
        )
        sent = _message(rt, rt.outbox_entry(courier, PORT) or "", "PORT-008.2")
        check_equal(
            "PORT-008.2",
            rt.obj(sent.content.hex()),
            answers[0].content,
            "the failure's content (the request's content)",
        )
        check_equal("PORT-008.2", 0, len(world.hits()), "requests the world got")
