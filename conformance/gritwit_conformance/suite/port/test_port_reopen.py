"""A request in flight when its runtime is closed is sent again once it is opened again,
with its key, and answered once; opened again under a policy that no longer allows it,
it is answered ``port-refused`` and not sent (PORT-006.2, PORT-003, PORT-008).

An ``rt-run`` whose ``max_steps`` ends it (ADP-015) may end with a request in flight: the
courier's first run queues the request, a second run's port pass accepts and sends it,
and the courier's step for another message ends that run (ADP-024.2).  ``rt-close`` and
``rt-open`` on the same directory are then a restart with the request in flight.  An
implementation that answered it before the second run ended has nothing in flight at
the restart: the test then checks only that it was answered once, or is skipped where
that leaves nothing to check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal
from ._ported import Ported, key_of, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

#: How long the world takes to answer, in seconds (scaled): longer than a close and an open.
SLOW = 1.0


def _in_flight_at_close(impl: Implementation, path: Path, world: World) -> tuple[str, str, bool]:
    """A courier's slow request accepted by a run that ``max_steps`` ended, then the runtime
    closed: the courier, the request, and whether it was answered before the close."""
    rt = Ported(impl, path, {})
    courier = rt.courier()
    rt.close()
    rt = Ported(impl, path, {"policy": [rule(world.port, [courier])]})
    slow_ms = round(scaled(SLOW) * 1000)
    rt.request(courier, f"{world.base}/slow?ms={slow_ms}", run=False)
    rt.run("ADP-024.2", max_steps=1)  # the courier's step: the request is sent to the port
    rt.ok("ADP-015", "rt-send", to=courier, mt="noop", content={"blob": ""})
    rt.run("ADP-024.2", max_steps=1)  # the port pass accepts it; the courier's step ends the run
    request = rt.requests(courier)[-1]
    answered = bool(rt.answers(courier))
    rt.close()
    return courier, request, answered


def _answers(rt: Ported, courier: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for a in rt.answers(courier):
        h = a.headers
        if h.get("mt") == "port-response":
            out.append(("port-response", h.get("port-id"), h.get("port-status")))
        else:
            out.append((h.get("mt"), h.get("port-id"), h.get("error"), h.get("clause")))
    return out


@pytest.mark.req("PORT-006.2", "PORT-006.1", "PORT-008", "ADP-024.2")
def test_a_request_in_flight_at_a_close_is_sent_again_after_the_open_and_answered_once(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        courier, request, _ = _in_flight_at_close(impl, tmp_path / "rt", world)
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])]})
        rt.run("ADP-024.2")
        check_equal(
            "PORT-006.2",
            [("port-response", request, "200")],
            _answers(rt, courier),
            "the courier's answers after the runtime was opened again",
        )
        keys = [h.headers.get("idempotency-key") for h in world.hits("/slow")]
        check(
            "PORT-006.1",
            keys and all(k == key_of(request, courier) for k in keys),
            expected=f"every sending with the key {key_of(request, courier)}",
            came=keys,
        )


@pytest.mark.req("PORT-003", "PORT-003.3", "PORT-006.2", "PORT-008.2")
def test_a_request_in_flight_is_refused_after_an_open_whose_policy_denies_it(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        courier, request, answered = _in_flight_at_close(impl, tmp_path / "rt", world)
        if answered:
            pytest.skip("the request was answered before the close: nothing was in flight")
        rt = Ported(impl, tmp_path / "rt", {"policy": []})  # the operator withdrew the rule
        rt.run("ADP-024.2")
        check_equal(
            "PORT-003",
            [("port-failed", request, "port-refused", "PORT-003.3")],
            _answers(rt, courier),
            "the courier's answers after an open whose policy allows nothing",
        )
        rt.close()
        check(
            "PORT-003",
            len(world.hits("/slow")) <= 1,
            expected="no sending after the open (at most the one before the close)",
            came=f"{len(world.hits('/slow'))} requests",
        )
