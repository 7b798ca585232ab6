"""A running service runs what a head another runtime moved sent (RUN-020.1, RUN-020.5,
RUN-020.7).

A service runs for a long time, so it follows the refs other writers swap rather than
listing them again at every run (the reference reads the store's journal of swaps). A
head that another runtime moved is one of those refs: the step it names may have sent
messages to actors the service runs, and a run MUST NOT answer quiescent until it ran
what it found pending after reading what moved (RUN-020.7). Here the service runs share
0/2 and a runtime opened on its directory (``rt-open``, ADP-015) share 1/2: a
``requester`` of share 1/2, asked by that runtime, asks an ``echo`` of share 0/2, which
only the service runs. Once the other runtime's run answered, a settle of the service
must have run echo: its head moved past its genesis. The service settles once between
the two runs of the other runtime, so that it holds the requester's genesis as its head
first: a service that took the moved head for the one it held, or that skipped a head
other than the one it held, never sees the question.
"""

from __future__ import annotations

import itertools

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import SuiteBug, call_ok, check, suite_premise
from .._shares import share_of
from ._api import core_of, create, head_of, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http", "runtime"), pytest.mark.feature("shares")]


def _seeded(name: str, k: int, n: int) -> dict[str, str]:
    """A ``seed`` state that puts test actor ``name`` in share ``k/n``."""
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        if share_of(g.object_id(core_of(name, state)).hex(), n) == k:
            return state
    raise SuiteBug("suite bug: no seed puts the actor in the share")


@pytest.mark.req("RUN-020.1", "RUN-020.5", "RUN-020.7", "RUN-021.1", "ADP-015")
@pytest.mark.req("HTTP-001.2", "HTTP-002.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "CONV-004")  # its helpers' checks name them
def test_a_service_runs_what_a_head_another_runtime_moved_sent(
    services: Services, impl: Implementation
) -> None:
    service = services.start(share=[0, 2])
    http = service.client
    echo = str(create(http, test="echo", state=_seeded("echo", 0, 2))["actor"])
    requester = str(create(http, test="requester", state=_seeded("requester", 1, 2))["actor"])
    suite_premise(
        share_of(echo, 2) == 0 and share_of(requester, 2) == 1,
        "echo is in share 0/2 and the requester in share 1/2",
    )
    settle(http)
    before = head_of(http, echo)
    check(
        "HTTP-009.3",
        before is not None,
        expected="echo's genesis step, adopted by the service of its share",
        came=before,
        what=f"GET /v1/refs/heads/{echo} once settled",
    )
    runtime = call_ok(impl, "ADP-015", "rt-open", path=str(service.path), share=[1, 2])["runtime"]
    try:
        call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)  # the genesis
        settle(http)  # the service reads the requester's genesis: a head it then holds
        ask = {"tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": "3f"}}}
        call_ok(impl, "ADP-015", "rt-send", runtime=runtime, to=requester, mt="ask", content=ask)
        run = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)
        check(
            "RUN-021.1",
            [requester] in [[a] for a, _ in run["steps"]],
            expected=f"a step of the requester {requester[:12]}…",
            came=run["steps"],
            what="the other runtime's run (share 1/2) after the ask",
        )
        settle(http)
        after = head_of(http, echo)
        check(
            ("RUN-020.7", "RUN-020.1", "RUN-020.5"),
            after is not None and after != before,
            expected=f"echo's head past its genesis step {before}",
            came=after,
            what=f"GET /v1/refs/heads/{echo} after a settle that followed the other runtime's "
            "run: the requester's head it moved sent echo a question, which the service "
            "runs (echo is of its share)",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
