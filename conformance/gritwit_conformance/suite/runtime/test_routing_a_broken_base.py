"""Routing that meets an outbox whose ``base`` is no mailbox fails the run with
``invalid-object`` (OBJ-019.3, OBJ-019.2).

``rt-import`` refuses such a chain (RUN-009.2), but another writer of the store can
swap a head to one (RUN-020.5): here a second adapter process opens the runtime's
directory through the store profile (ADP-010.6) and swaps a counter's head to a step
whose outbox is a mailbox over a blob. The runtime's next ``rt-run`` reads that outbox
to route what it sent (WIT-010) and cannot: the run fails with ``invalid-object``,
marking no actor failed, and so does every run while the head stays; a query still
answers. Once the writer swaps the head back, the next run routes and runs as usual,
and the ``inc`` sent to another counter meanwhile is read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response

from ._writers import count_of, inc
from ._writers import second as second  # the store writer's process

pytestmark = pytest.mark.profile("runtime")


def _outcome(reply: Response) -> str:
    if reply.ok:
        return f"ok {reply.result}"
    return f"{reply.error_class} {reply.error}"


class _Writer:
    """Another writer of the store, through the store profile only (RUN-020.5)."""

    def __init__(self, side: Implementation, path: Path) -> None:
        self.side = side
        opened = side.call("store-open", kind="durable", path=str(path)).expect_ok()
        self.store = str(opened["store"])

    def put(self, obj: g.GritObject) -> g.ObjectId:
        data = g.encode_object(obj).hex()
        reply = self.side.call("put", store=self.store, bytes=data).expect_ok()
        return g.ObjectId.from_hex(str(reply["id"]))

    def head(self, actor: str) -> g.ObjectId:
        reply = self.side.call("ref-get", store=self.store, name=f"heads/{actor}").expect_ok()
        assert reply["id"] is not None, f"the counter {actor} has a head"
        return g.ObjectId.from_hex(str(reply["id"]))

    def step(self, oid: g.ObjectId) -> g.Step:
        reply = self.side.call("get", store=self.store, id=oid.hex()).expect_ok()
        step = g.decode_object(bytes.fromhex(str(reply["bytes"])))
        assert isinstance(step, g.Step), f"{oid} is a step"
        return step

    def swap(self, actor: str, old: g.ObjectId, new: g.ObjectId) -> None:
        self.side.call(
            "ref-cas", store=self.store, name=f"heads/{actor}", expected=old.hex(), new=new.hex()
        ).expect_ok()


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("OBJ-019.3", "OBJ-019.2", "RUN-020.5", "RUN-004.4", "ADP-015")
def test_a_run_that_routes_a_base_that_is_no_mailbox_fails_invalid_object(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    runtime = str(impl.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"])
    try:
        broken = str(impl.call("rt-genesis", runtime=runtime, actor="counter").expect_ok()["actor"])
        other = impl.call("rt-genesis", runtime=runtime, actor="counter", state={"salt": "01"})
        sound = str(other.expect_ok()["actor"])
        impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
        writer = _Writer(second, tmp_path)
        good = writer.head(broken)
        step = writer.step(good)
        recipient = g.ObjectId(hashlib.sha256(b"OBJ-019.3 recipient").digest())
        sent = writer.put(g.Message(content=writer.put(g.Blob(data=b"1")), headers={"mt": "inc"}))
        base = writer.put(g.Blob(data=b"a base that is no mailbox"))
        top = writer.put(g.Mailbox(entries={recipient: sent}, base=base))
        bad = writer.put(
            g.Step(
                actor=step.actor,
                core=step.core,
                previous=good,
                inbox=step.inbox,
                outbox=top,
            )
        )
        writer.swap(broken, good, bad)  # another writer's swap (RUN-020.5)
        inc(impl, runtime, sound, "1")
        for attempt in ("first", "second"):
            reply = impl.call("rt-run", runtime=runtime, max_steps=10)
            assert not reply.ok and reply.error_class == "invalid-object", (
                f"OBJ-019.3: the {attempt} run after the swap routes an outbox whose base is a "
                "blob: the run fails with invalid-object (not a transition's fault, not "
                f"skipped), got {_outcome(reply)}"
            )
        for actor in (broken, sound):
            mark = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{actor}").expect_ok()
            assert mark["target"] is None, (
                f"OBJ-019.3, RUN-004.4: a run failed by routing marks no actor failed; "
                f"{actor[:16]}… is marked {mark['target']}"
            )
        assert count_of(impl, runtime, broken) == b"0", "OBJ-019.3: a query still answers"
        writer.swap(broken, bad, good)
        ran = impl.call("rt-run", runtime=runtime, max_steps=10)
        assert ran.ok and ran.result["failures"] == [], (
            "OBJ-019.3: with the head swapped back to a step whose outbox routing can read, "
            f"the next run routes and runs as usual, got {_outcome(ran)}"
        )
        assert count_of(impl, runtime, sound) == b"1", (
            "OBJ-019.3: the inc sent while the runs failed is read once the run routes"
        )
    finally:
        impl.call("rt-close", runtime=runtime)
