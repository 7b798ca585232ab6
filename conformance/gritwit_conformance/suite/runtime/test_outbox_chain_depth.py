"""An imported outbox chain of many small mailboxes: the next step is built within the
default time limit (WIT-009.7).

A runtime builds its own chains short (WIT-009.5), but ``rt-import`` takes a bundle's
chain as it is (RUN-009): here an ``echo`` actor whose head's outbox is a chain of
8 000 mailboxes of one entry each (recipients no actor has, WIT-009.4), about 1.9 MB.
Sent one message, the echo replies to the outside, and WIT-009.5 merges that *D* down
the whole chain, every level being small: one mailbox of 8 001 entries without
``base``.  Built in work linear in what it merges (WIT-009.7) that is well under a
second; a builder that copies and re-sorts the growing union at each level spends about
9 s of CPU on it (measured at load 15), past RUN-005's default 5 s at every attempt, and
the actor is marked failed.  The runtime keeps its default time limit here: that limit
is the clause.
Written against ``gritwit_conformance.wrong.runtime_outbox_rebuilt_per_level``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail, ok_answer

pytestmark = [pytest.mark.profile("runtime"), pytest.mark.slow]

LEVELS = 8_000
WIT = g.Blob(data=b"echo", headers={"runtime": "test-actor"})
CORE = g.Tree(entries={"wit": g.object_id(WIT)})
ACTOR = g.object_id(CORE)
CONTENT = g.Blob(data=b"sent once")
OUTSIDE = g.ObjectId(bytes(32))
#: Seconds a correct runtime may need for the import and the run on a loaded machine,
#: beyond the harness's base limit (ADP-012.1): the wrong builder's five failing
#: attempts take minutes, and are to be reported as failures, not as a hang.
GENEROUS = 600.0


def _recipient(i: int) -> g.ObjectId:
    return g.ObjectId(hashlib.sha256(b"WIT-009.7 recipient %d" % i).digest())


def _bundle() -> tuple[bytes, g.Step]:
    """The echo's one step, its outbox a chain of ``LEVELS`` one-entry mailboxes, bundled."""
    objects: list[g.GritObject] = [CORE, WIT, CONTENT]
    base: g.ObjectId | None = None
    for i in range(LEVELS):
        message = g.Message(content=g.object_id(CONTENT), headers={"n": str(i)})
        box = g.Mailbox(entries={_recipient(i): g.object_id(message)}, base=base)
        objects += [message, box]
        base = g.object_id(box)
    head = g.Step(actor=ACTOR, core=ACTOR, outbox=base)
    objects.append(head)
    encoded = {g.object_id(o): g.encode_object(o) for o in objects}
    order = sorted(encoded, key=lambda oid: oid.digest)
    data = g.encode_value(
        ["gritwit-bundle/1", ACTOR.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )
    return data, head


def _object(impl: Implementation, runtime: str, oid: str) -> g.GritObject:
    data = ok_answer(impl.call("rt-object", runtime=runtime, id=oid), "ADP-015", "rt-object")
    return g.decode_object(bytes.fromhex(data["bytes"]))


@pytest.mark.req("WIT-009.7", "WIT-009.5", "RUN-009", "RUN-005.1", "ADP-015")
def test_the_next_step_over_an_imported_chain_of_8_000_levels_is_adopted(
    impl: Implementation, tmp_path: Path
) -> None:
    bundle, head = _bundle()
    (tmp_path / "rt").mkdir()
    opened = ok_answer(
        impl.call("rt-open", path=str(tmp_path / "rt"), first_delay=0), "ADP-015", "rt-open"
    )
    runtime = str(opened["runtime"])
    try:
        got = impl.call_taking(GENEROUS, "rt-import", runtime=runtime, bundle=bundle.hex())
        check_equal(
            "RUN-009",
            g.object_id(head).hex(),
            ok_answer(got, "RUN-009", "rt-import of the chain's bundle")["head"],
            f"the head rt-import of a bundle whose outbox is a chain of {LEVELS} levels sets",
        )
        ok_answer(
            impl.call(
                "rt-send", runtime=runtime, to=ACTOR.hex(), mt="ping", content={"blob": "70"}
            ),
            "ADP-015",
            "rt-send of a ping to the echo",
        )
        run = ok_answer(
            impl.call_taking(GENEROUS, "rt-run", runtime=runtime, max_steps=10),
            "WIT-009.7",
            "rt-run of the echo's next step",
        )
        check_equal(
            ("WIT-009.7", "RUN-005.1"),
            {"attempts": [], "failures": []},
            {"attempts": run["attempts"], "failures": run["failures"]},
            f"the echo's next step over an imported chain of {LEVELS} one-entry mailboxes: "
            "its reply merges down the chain in work linear in what it merges, within the "
            "default time limit",
        )
        check_equal(
            "WIT-009.7", [ACTOR.hex()], [actor for actor, _ in run["steps"]], "the actors stepped"
        )
        step = _object(impl, runtime, run["steps"][0][1])
        if not isinstance(step, g.Step) or step.outbox is None:
            fail("WIT-009.5", expected="a step with an outbox", came=step, what="the echo's step")
        outbox = _object(impl, runtime, step.outbox.hex())
        if not isinstance(outbox, g.Mailbox):
            fail("WIT-009.5", expected="a mailbox", came=outbox, what="the step's outbox")
        check_equal(
            "WIT-009.5",
            {"base": None, "entries": LEVELS + 1, "has the outside": True},
            {
                "base": None if outbox.base is None else outbox.base.hex(),
                "entries": len(outbox.entries),
                "has the outside": OUTSIDE in outbox.entries,
            },
            f"every level is small, so the reply merges with all {LEVELS} of them into one "
            "mailbox without base, the reply to the outside among them",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
