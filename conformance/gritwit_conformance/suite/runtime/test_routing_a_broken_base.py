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

from .._check import call_ok, check, check_equal, check_type, ok_answer
from .._writers import count_of, inc
from .._writers import second as second  # the store writer's process

pytestmark = pytest.mark.profile("runtime")


def _outcome(reply: Response) -> str:
    if reply.ok:
        return f"ok {reply.result}"
    return f"{reply.error_class} {reply.error}"


class _Writer:
    """Another writer of the store, through the store profile only (RUN-020.5)."""

    def __init__(self, side: Implementation, path: Path) -> None:
        self.side = side
        opened = call_ok(side, "RUN-020.5", "store-open", kind="durable", path=str(path))
        self.store = str(opened["store"])

    def put(self, obj: g.GritObject) -> g.ObjectId:
        data = g.encode_object(obj).hex()
        reply = call_ok(self.side, "RUN-020.5", "put", store=self.store, bytes=data)
        return g.ObjectId.from_hex(str(reply["id"]))

    def head(self, actor: str) -> g.ObjectId:
        reply = call_ok(self.side, "RUN-020.5", "ref-get", store=self.store, name=f"heads/{actor}")
        check(
            "RUN-020.5",
            reply["id"] is not None,
            expected=f"the counter {actor} to have a head",
            came=reply,
        )
        return g.ObjectId.from_hex(str(reply["id"]))

    def step(self, oid: g.ObjectId) -> g.Step:
        reply = call_ok(self.side, "RUN-020.5", "get", store=self.store, id=oid.hex())
        step = g.decode_object(bytes.fromhex(str(reply["bytes"])))
        return check_type("RUN-020.5", step, g.Step, expected=f"{oid} a step")
        return step

    def swap(self, actor: str, old: g.ObjectId, new: g.ObjectId) -> None:
        call_ok(
            self.side,
            "RUN-020.5",
            "ref-cas",
            store=self.store,
            name=f"heads/{actor}",
            expected=old.hex(),
            new=new.hex(),
        )


def _broken_step(writer: _Writer, good: g.ObjectId) -> g.ObjectId:
    """A step after ``good`` whose outbox is a mailbox over a blob: its ``base`` is no
    mailbox (OBJ-019.2), which ``rt-import`` would refuse (RUN-009.2)."""
    step = writer.step(good)
    recipient = g.ObjectId(hashlib.sha256(b"OBJ-019.3 recipient").digest())
    sent = writer.put(g.Message(content=writer.put(g.Blob(data=b"1")), headers={"mt": "inc"}))
    base = writer.put(g.Blob(data=b"a base that is no mailbox"))
    top = writer.put(g.Mailbox(entries={recipient: sent}, base=base))
    return writer.put(
        g.Step(actor=step.actor, core=step.core, previous=good, inbox=step.inbox, outbox=top)
    )


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("OBJ-019.3", "OBJ-019.2", "RUN-020.5", "RUN-004.4", "ADP-015")
def test_a_run_that_routes_a_base_that_is_no_mailbox_fails_invalid_object(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        broken = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        )
        other = impl.call("rt-genesis", runtime=runtime, actor="counter", state={"salt": "01"})
        sound = str(ok_answer(other, "ADP-015")["actor"])
        call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)
        writer = _Writer(second, tmp_path)
        good = writer.head(broken)
        bad = _broken_step(writer, good)
        writer.swap(broken, good, bad)  # another writer's swap (RUN-020.5)
        inc(impl, runtime, sound, "1", clause="OBJ-019.3")
        for attempt in ("first", "second"):
            reply = impl.call("rt-run", runtime=runtime, max_steps=10)
            check(
                "OBJ-019.3",
                not reply.ok and reply.error_class == "invalid-object",
                expected=f"the {attempt} run after the swap, routing an outbox whose base is a "
                "blob, to fail with invalid-object (not a transition's fault, not skipped)",
                came=_outcome(reply),
            )
        for actor in (broken, sound):
            mark = call_ok(impl, "ADP-015", "rt-ref", runtime=runtime, name=f"names/failed/{actor}")
            check_equal(
                ("OBJ-019.3", "RUN-004.4"),
                None,
                mark["target"],
                f"the failed mark of {actor[:16]}… after a run failed by routing",
            )
        check_equal(
            "OBJ-019.3",
            b"0",
            count_of(impl, runtime, broken, clause="OBJ-019.3"),
            "a query of the broken counter",
        )
        writer.swap(broken, bad, good)
        ran = impl.call("rt-run", runtime=runtime, max_steps=10)
        check(
            "OBJ-019.3",
            ran.ok and ran.result.get("failures") == [],
            expected="with the head swapped back to a step whose outbox routing can read, the "
            "next run to route and run as usual, no failures",
            came=lambda: _outcome(ran),
        )
        check_equal(
            "OBJ-019.3",
            b"1",
            count_of(impl, runtime, sound, clause="OBJ-019.3"),
            "the count once the run routes: the inc sent while the runs failed read",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("RUN-010.1", "OBJ-019.2", "RUN-020.5", "ADP-015")
def test_verify_reports_a_history_whose_outbox_base_is_no_mailbox(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``rt-verify`` walks every object reachable from the head and reports an id naming an
    object of another kind than its field takes, a ``base`` that is no mailbox among them
    (RUN-010.1): the history another writer swapped in does not verify, and once the head
    is swapped back it does again."""
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        )
        call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)
        writer = _Writer(second, tmp_path)
        good = writer.head(actor)
        bad = _broken_step(writer, good)
        writer.swap(actor, good, bad)
        seen = call_ok(impl, "RUN-010.1", "rt-verify", runtime=runtime, actor=actor)
        check_equal(
            ("RUN-010.1", "OBJ-019.2"),
            False,
            seen.get("verified"),
            "rt-verify's verified, the head a step whose outbox's base is a blob",
        )
        writer.swap(actor, bad, good)
        again = call_ok(impl, "RUN-010.1", "rt-verify", runtime=runtime, actor=actor)
        check_equal(
            "RUN-010.1",
            True,
            again.get("verified"),
            "rt-verify's verified once the head is swapped back to the sound step",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
