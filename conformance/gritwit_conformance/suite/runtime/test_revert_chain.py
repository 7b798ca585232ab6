"""A revert's target must be on the head's chain (RUN-024.6), shown with a step of the
actor that no runtime adopted.

Another writer of the store (the store profile on the runtime's own directory,
ADP-010.6) puts a step whose ``actor`` is the counter and whose ``previous`` is one of
its real steps, so the step looks like the actor's in every field; yet walking down from
the head through ``previous`` never meets it: it was never adopted (*discarded*,
RUN-015). RUN-024.6 orders the checks: it is a step of the actor (passes), it is not
the head (passes), it is on the head's chain (fails), so the answer is
``invalid-ref-target``, nothing is stored and no ref moves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, error_answer, ok_answer, suite_premise
from ._forks import Rt, genesis

pytestmark = pytest.mark.profile("runtime", "store")


@pytest.mark.req("RUN-024.6", "RUN-015")
@pytest.mark.req("ADP-010.6", "ADP-015", "WIT-020", "WIT-002")
@pytest.mark.req("CONV-004")
def test_a_step_of_the_actor_off_its_heads_chain_is_no_revert_target(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.6")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        for _ in range(2):
            rt("rt-send", to=counter, mt="inc", content={"blob": ""})
            rt.run()
        steps = list(reversed(rt.history(counter)))
        first = rt.step(steps[0])
        # the actor's own step, below its head in every field, that no chain reaches:
        # the genesis step's core, after the genesis step
        stray = g.Step(
            actor=first.actor,
            core=first.core,
            previous=g.ObjectId.from_hex(steps[0]),
            inbox=first.inbox,
            outbox=first.outbox,
        )
        opened = impl.call("store-open", kind="durable", path=str(tmp_path / "rt"))
        store = str(
            ok_answer(opened, "ADP-010.6", "the runtime's directory opened as a store")["store"]
        )
        put = impl.call("put", store=store, bytes=g.encode_object(stray).hex())
        stray_id = str(
            ok_answer(put, "ADP-010.6", "another writer puts a step in the runtime's directory")[
                "id"
            ]
        )
        suite_premise(stray_id not in steps, "the suite's stray step is one of the chain's")
        head = rt.head(counter)
        reply = impl.call("rt-revert", runtime=rt.handle, actor=counter, step=stray_id)
        error_answer(
            reply,
            "RUN-024.6",
            "invalid-ref-target",
            "a revert to a step of the actor that is not on its head's chain",
        )
        check_equal("RUN-024.6", head, rt.head(counter), "the head after the refused revert")
    finally:
        rt.close()
