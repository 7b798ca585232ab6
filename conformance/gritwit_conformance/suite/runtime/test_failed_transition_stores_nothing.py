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

pytestmark = pytest.mark.profile("runtime")


@pytest.mark.req("RUN-004.9", "RUN-004.4", "ADP-015")
def test_rt_object_does_not_find_what_failed_attempts_built(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(impl.call("rt-open", path=str(tmp_path / "rt")).expect_ok()["runtime"])

    def found(oid: Any) -> str:
        reply = impl.call("rt-object", runtime=runtime, id=oid.hex())
        return "found" if reply.ok else str(reply.error_class)

    actor, wit, core = new_objects({"frozen": b"\x01"})
    impl.call("rt-genesis", runtime=runtime, actor="updater", state={"frozen": "01"}).expect_ok()
    impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    impl.call(
        "rt-send", runtime=runtime, to=actor.hex(), mt="set-code", content={"blob": NAME.hex()}
    ).expect_ok()
    run = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    assert run["attempts"] == [[actor.hex(), "frozen-core"]] * 5, run
    assert run["failures"] == [[actor.hex(), "frozen-core"]], run
    assert (found(wit), found(core)) == ("not-found", "not-found"), (
        "five failed attempts built a new wit blob and a new core; none may have stored "
        "them (RUN-004.9)"
    )

    twin, _, twin_core = new_objects({"n": b"\x02"})
    impl.call("rt-genesis", runtime=runtime, actor="updater", state={"n": "02"}).expect_ok()
    impl.call(
        "rt-send", runtime=runtime, to=twin.hex(), mt="set-code", content={"blob": NAME.hex()}
    ).expect_ok()
    run = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    assert run["failures"] == [], run
    assert (found(wit), found(twin_core)) == ("found", "found"), (
        "control: the unfrozen twin adopts the same change and stores both objects"
    )
