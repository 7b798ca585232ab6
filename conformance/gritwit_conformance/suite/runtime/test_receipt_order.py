"""The order of error receipts to one sender (RUN-004.11).

A ``fanout`` actor F sends ``fanned`` to three ``failing`` actors before they exist; their
geneses then arrive, and one ``rt-run`` fails and marks each in its turn (ascending id,
ADP-015), each with F's message pending: F gets three error receipts from the outside
(RUN-004.6), chained (WIT-004) in the order the actors were marked. F reads them (WIT-028.4:
read without effect), and the chain its inbox's entry for the outside ends in must name
the failed actors from the last marked back to the first. The order of receipts to
different senders is not observable (the spec's rationale says why), so it is not tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, fail
from ._forks import genesis_core

pytestmark = pytest.mark.profile("runtime")

OUTSIDE = g.ObjectId(bytes(32))


def _object(impl: Implementation, runtime: str, oid: g.ObjectId) -> g.GritObject:
    data = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=oid.hex())["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("RUN-004.11", "RUN-004.6", "WIT-004", "WIT-021.1", "ADP-015")
def test_receipts_to_one_sender_are_chained_in_the_order_of_the_marks(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = str(
        call_ok(impl, "RUN-004.11", "rt-open", path=str(tmp_path), first_delay=0)["runtime"]
    )
    try:
        states = [{"t": f"{i:02x}"} for i in range(3)]
        failing = [g.object_id(genesis_core("failing", s)).hex() for s in states]
        fanout = str(
            call_ok(impl, "RUN-004.11", "rt-genesis", runtime=runtime, actor="fanout")["actor"]
        )
        names = {f"n{i}": {"blob": a.encode().hex()} for i, a in enumerate(failing)}
        call_ok(
            impl,
            "RUN-004.11",
            "rt-send",
            runtime=runtime,
            to=fanout,
            mt="fanout",
            content={"tree": names},
        )
        first = call_ok(impl, "RUN-004.11", "rt-run", runtime=runtime, max_steps=20)
        check_equal(
            "RUN-004.11", [], first["failures"], "first's failures"
        )  # the fanned messages wait for geneses
        for state in states:
            call_ok(impl, "RUN-004.11", "rt-genesis", runtime=runtime, actor="failing", state=state)
        run = call_ok(impl, "RUN-004.11", "rt-run", runtime=runtime, max_steps=20)
        marked = sorted(failing)
        check_equal(
            "RUN-004.11", [[a, "failed"] for a in marked], run["failures"], "rt-run's failures"
        )
        call_ok(impl, "RUN-004.11", "rt-run", runtime=runtime, max_steps=20)  # F reads what is left
        head = call_ok(impl, "RUN-004.11", "rt-head", runtime=runtime, actor=fanout)["step"]
        step = _object(impl, runtime, g.ObjectId.from_hex(head))
        if not isinstance(step, g.Step):
            fail("RUN-004.11", expected="a step", came=step, what="the step")
        if step.inbox is None:
            fail("RUN-004.11", expected="a value", came=step, what="step's inbox")
        inbox = _object(impl, runtime, step.inbox)
        if not isinstance(inbox, g.Mailbox):
            fail("RUN-004.11", expected="a mailbox", came=inbox, what="the inbox")
        chain: list[str] = []
        message: g.ObjectId | None = inbox.entries[OUTSIDE]
        while message is not None and len(chain) < len(marked):
            item = _object(impl, runtime, message)
            if not isinstance(item, g.Message):
                fail("RUN-004.11", expected="a message", came=item)
            if item.headers.get("mt") != "error":
                break
            blob = _object(impl, runtime, item.content)
            if not isinstance(blob, g.Blob):
                fail("RUN-004.11", expected="a blob", came=blob, what="the blob")
            chain.append(str(json.loads(blob.data)["actor"]))
            message = item.previous
        check_equal(
            "RUN-004.11",
            marked[::-1],
            chain,
            f"F's receipts from the outside, newest first, name {chain}: the actors were "
            f"marked failed in the order {marked} (ascending id, in their turns), so the "
            "receipts to F must be chained in that order, the last marked newest",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
