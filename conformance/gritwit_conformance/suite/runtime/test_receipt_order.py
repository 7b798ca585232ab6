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

from ._forks import genesis_core

pytestmark = pytest.mark.profile("runtime")

OUTSIDE = g.ObjectId(bytes(32))


def _object(impl: Implementation, runtime: str, oid: g.ObjectId) -> g.GritObject:
    data = impl.call("rt-object", runtime=runtime, id=oid.hex()).expect_ok()["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("RUN-004.11", "RUN-004.6", "WIT-004", "WIT-021.1", "ADP-015")
def test_receipts_to_one_sender_are_chained_in_the_order_of_the_marks(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = str(impl.call("rt-open", path=str(tmp_path), first_delay=0).expect_ok()["runtime"])
    try:
        states = [{"t": f"{i:02x}"} for i in range(3)]
        failing = [g.object_id(genesis_core("failing", s)).hex() for s in states]
        fanout = str(impl.call("rt-genesis", runtime=runtime, actor="fanout").expect_ok()["actor"])
        names = {f"n{i}": {"blob": a.encode().hex()} for i, a in enumerate(failing)}
        impl.call(
            "rt-send", runtime=runtime, to=fanout, mt="fanout", content={"tree": names}
        ).expect_ok()
        first = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
        assert first["failures"] == [], first  # the fanned messages wait for geneses
        for state in states:
            impl.call("rt-genesis", runtime=runtime, actor="failing", state=state).expect_ok()
        run = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
        marked = sorted(failing)
        assert run["failures"] == [[a, "failed"] for a in marked], run
        impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()  # F reads what is left
        head = impl.call("rt-head", runtime=runtime, actor=fanout).expect_ok()["step"]
        step = _object(impl, runtime, g.ObjectId.from_hex(head))
        assert isinstance(step, g.Step) and step.inbox is not None, step
        inbox = _object(impl, runtime, step.inbox)
        assert isinstance(inbox, g.Mailbox), inbox
        chain: list[str] = []
        message: g.ObjectId | None = inbox.entries[OUTSIDE]
        while message is not None and len(chain) < len(marked):
            item = _object(impl, runtime, message)
            assert isinstance(item, g.Message), item
            if item.headers.get("mt") != "error":
                break
            blob = _object(impl, runtime, item.content)
            assert isinstance(blob, g.Blob), blob
            chain.append(str(json.loads(blob.data)["actor"]))
            message = item.previous
        assert chain == marked[::-1], (
            f"F's receipts from the outside, newest first, name {chain}: the actors were "
            f"marked failed in the order {marked} (ascending id, in their turns), so the "
            "receipts to F must be chained in that order, the last marked newest "
            "(RUN-004.11)"
        )
    finally:
        impl.call("rt-close", runtime=runtime)
