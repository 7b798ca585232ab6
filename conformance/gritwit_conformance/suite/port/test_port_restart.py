"""A request in flight at a kill is sent again, with its key, and answered once; an
answered one is never sent again (PORT-006.2, PORT-006.3).

The harness kills the adapter (SIGKILL) while ``rt-run`` waits for the world's slow
answer: the request was accepted and sent, its answer not adopted.  The runtime opened
on the same directory again must send it again with the same ``Idempotency-Key`` and
answer it once; a further kill and restart must send nothing more.  The in-process
reference cannot be killed in the middle of a command: the test needs a process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check_equal
from ._ported import Ported, key_of, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

#: When the harness kills the adapter, in seconds of the run (scaled as the answer limits
#: are, ADP-012: a loaded machine sends later), and how many times that the world takes to
#: answer: the kill lands after the port sent the request and before the world answers.
KILL_AFTER = 1.0
SLOW_TIMES = 3


@pytest.mark.slow
@pytest.mark.req("PORT-006.2", "PORT-006.3", "PORT-006.1", "ADP-024.2")
def test_a_request_in_flight_at_a_kill_is_sent_again_and_answered_once(
    impl: Implementation, tmp_path: Path
) -> None:
    if not impl.can_kill:
        pytest.skip("the implementation is no process: it cannot be killed mid-command")
    with World() as world:
        kill_after = scaled(KILL_AFTER)
        for attempt in range(4):  # a kill before the port sent: again, later, on a new store
            path = tmp_path / f"rt{attempt}"
            rt = Ported(impl, path, {})
            courier = rt.courier()
            rt.close()
            port = {"policy": [rule(world.port, [courier])]}
            rt = Ported(impl, path, port)
            slow_ms = round(kill_after * SLOW_TIMES * 1000)
            rt.request(courier, f"{world.base}/slow?ms={slow_ms}", run=False)
            impl.kill_during("rt-run", kill_after, runtime=rt.handle, max_steps=10_000)
            if world.hits("/slow"):
                break
            kill_after *= 2
        else:
            pytest.skip("every kill came before the port sent the request: nothing was in flight")
        rt = Ported(impl, path, port)  # a restart on the same directory
        rt.run("ADP-024.2")
        request = rt.requests(courier)[-1]
        key = key_of(request, courier)
        check_equal(
            "PORT-006.2",
            [key, key],
            [h.headers.get("idempotency-key") for h in world.hits("/slow")],
            "the keys the world got: the request before the kill, and sent again after it",
        )
        answers = [(a.headers.get("mt"), a.headers.get("port-id")) for a in rt.answers(courier)]
        check_equal(
            "PORT-006.2",
            [("port-response", request)],
            answers,
            "the courier's answers after the restart: one",
        )
        impl.kill()
        rt = Ported(impl, path, port)  # once more: the answered request is not in flight
        rt.run("ADP-024.2")
        check_equal(
            "PORT-006.3",
            2,
            len(world.hits("/slow")),
            "requests the world got after a second restart, the request answered",
        )
        check_equal(
            "PORT-006.3",
            [("port-response", request)],
            [(a.headers.get("mt"), a.headers.get("port-id")) for a in rt.answers(courier)],
            "the courier's answers after a second restart",
        )
