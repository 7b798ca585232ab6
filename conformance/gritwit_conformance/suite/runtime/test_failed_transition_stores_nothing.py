"""A failed transition of the runtime stores nothing: ``rt-object`` is ``not-found``.

RUN-004.9; the outside implementer's question Q31 (``docs/outsider-questions.md``).
A frozen ``updater`` told to ``set-code`` fails ``frozen-core`` five times and is
marked failed (RUN-004): none of its attempts may have stored the new ``wit`` blob
or the new core. An unfrozen twin stores the same blob, so the ids are right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite.wit.test_failed_transition_builds_nothing import NAME, new_objects

from .._check import call_ok, check_equal

pytestmark = pytest.mark.profile("runtime")


@pytest.mark.req("RUN-004.9", "RUN-004.4", "ADP-015")
def test_rt_object_does_not_find_what_failed_attempts_built(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-004.9", "rt-open", path=str(tmp_path / "rt"))["runtime"])

    def found(oid: Any) -> str:
        reply = impl.call("rt-object", runtime=runtime, id=oid.hex())
        return "found" if reply.ok else str(reply.error_class)

    actor, wit, core = new_objects({"frozen": b"\x01"})
    call_ok(
        impl, "RUN-004.9", "rt-genesis", runtime=runtime, actor="updater", state={"frozen": "01"}
    )
    call_ok(impl, "RUN-004.9", "rt-run", runtime=runtime, max_steps=20)
    call_ok(
        impl,
        "RUN-004.9",
        "rt-send",
        runtime=runtime,
        to=actor.hex(),
        mt="set-code",
        content={"blob": NAME.hex()},
    )
    run = call_ok(impl, "RUN-004.9", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-004.9", [[actor.hex(), "frozen-core"]] * 5, run["attempts"], "rt-run's attempts"
    )
    check_equal("RUN-004.9", [[actor.hex(), "frozen-core"]], run["failures"], "rt-run's failures")
    check_equal(
        "RUN-004.9",
        ("not-found", "not-found"),
        (found(wit), found(core)),
        "five failed attempts built a new wit blob and a new core; none may have stored them",
    )

    twin, _, twin_core = new_objects({"n": b"\x02"})
    call_ok(impl, "RUN-004.9", "rt-genesis", runtime=runtime, actor="updater", state={"n": "02"})
    call_ok(
        impl,
        "RUN-004.9",
        "rt-send",
        runtime=runtime,
        to=twin.hex(),
        mt="set-code",
        content={"blob": NAME.hex()},
    )
    run = call_ok(impl, "RUN-004.9", "rt-run", runtime=runtime, max_steps=20)
    check_equal("RUN-004.9", [], run["failures"], "rt-run's failures")
    check_equal(
        "RUN-004.9",
        ("found", "found"),
        (found(wit), found(twin_core)),
        "control: the unfrozen twin adopts the same change and stores both objects",
    )
