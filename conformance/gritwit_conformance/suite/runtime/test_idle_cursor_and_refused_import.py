"""Runtime behaviours the spec once left open, now settled.

* who is idle (RUN-012.1): a failed actor, whatever is pending for it; an actor whose
  messages wait for its genesis once a run has looked at them; in both cases not the
  recipient of a message sent since the last run;
* ``rt-verify``'s cursor rule (RUN-010.3): a cursor may move to any message without
  ``previous`` (it may be a signal), never back to one with ``previous``;
* a refused import stores nothing at all (RUN-009.4).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, fail

pytestmark = pytest.mark.profile("runtime")

FORMAT = "gritwit-bundle/1"


def _open(impl: Implementation, path: Path, clause: str) -> str:
    path.mkdir(exist_ok=True)
    return str(call_ok(impl, clause, "rt-open", path=str(path))["runtime"])


# --- RUN-012.1: idle actors ------------------------------------------------------------------


def _evicted(impl: Implementation, runtime: str) -> list[str]:
    return [str(a) for a in call_ok(impl, "ADP-015", "rt-evict", runtime=runtime)["evicted"]]


@pytest.mark.req("RUN-012.1", "RUN-004.7", "ADP-015")
def test_a_failed_actor_is_idle_whatever_is_pending(impl: Implementation, tmp_path: Path) -> None:
    runtime = _open(impl, tmp_path / "rt", "RUN-012.1")
    try:
        failing = str(
            call_ok(impl, "RUN-012.1", "rt-genesis", runtime=runtime, actor="failing")["actor"]
        )
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=failing,
            mt="x",
            content={"blob": "01"},
        )
        run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal("RUN-012.1", [[failing, "failed"]], run["failures"], "rt-run's failures")
        # marked failed, its genesis and a message still pending: it is idle (RUN-012.1)
        check_equal("RUN-012.1", [failing], _evicted(impl, runtime), "the evicted")
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("RUN-012.1", "RUN-012.6", "RUN-004.7", "ADP-015")
def test_a_message_sent_since_the_last_run_makes_its_recipient_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    """Failed or waiting for its genesis, an actor is busy between runs once a message
    arrives for it, until a run has looked at it; then it is idle again."""
    runtime = _open(impl, tmp_path / "rt", "RUN-012.1")
    try:
        failing = str(
            call_ok(impl, "RUN-012.1", "rt-genesis", runtime=runtime, actor="failing")["actor"]
        )
        waiting = g.object_id(
            g.Tree(
                entries={
                    "wit": g.object_id(g.Blob(data=b"echo", headers={"runtime": "test-actor"})),
                    "tag": g.object_id(g.Blob(data=b"RUN-012.1")),
                }
            )
        ).hex()
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=waiting,
            mt="x",
            content={"blob": "01"},
        )
        run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal("RUN-012.1", [[failing, "failed"]], run["failures"], "rt-run's failures")
        check_equal("RUN-012.1", [], run["steps"], "rt-run's steps")
        # both were used by the run (RUN-012.6): the failed one, and the one that found
        # no genesis among its messages; both are idle now, as evict shows below
        for actor in (failing, waiting):
            call_ok(
                impl,
                "RUN-012.1",
                "rt-send",
                runtime=runtime,
                to=actor,
                mt="y",
                content={"blob": "02"},
            )
        check_equal(
            "RUN-012.1", [], _evicted(impl, runtime), "a message sent since the last run makes busy"
        )
        run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal("RUN-012.1", [], run["steps"], "rt-run's steps")
        check_equal("RUN-012.1", [], run["failures"], "rt-run's failures")
        check_equal(
            # idle, and so evicted, only if the run used them: an attempt that finds no
            # genesis uses its actor as a failed attempt does (RUN-012.6)
            ("RUN-012.1", "RUN-012.6"),
            sorted([failing, waiting]),
            sorted(_evicted(impl, runtime)),
            "after a run looked at them, the failed actor and the one waiting for its "
            "genesis are idle again",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("RUN-012.1", "RUN-012.2", "RUN-004.7", "RUN-014.1")
def test_a_failed_actor_is_evicted_on_capacity(impl: Implementation, tmp_path: Path) -> None:
    """``max_resident`` = 1: once the counter is used, the failed actor — idle, with
    messages pending — is the least recently used and is evicted for capacity."""
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "RUN-012.1", "rt-open", path=str(tmp_path / "rt"), max_resident=1)["runtime"]
    )
    try:
        failing = str(
            call_ok(impl, "RUN-012.1", "rt-genesis", runtime=runtime, actor="failing")["actor"]
        )
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=failing,
            mt="x",
            content={"blob": "01"},
        )
        run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal("RUN-012.1", [[failing, "failed"]], run["failures"], "rt-run's failures")
        call_ok(impl, "RUN-012.1", "rt-events", runtime=runtime)
        counter = str(
            call_ok(impl, "RUN-012.1", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        )
        call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=10)
        events = call_ok(impl, "RUN-012.1", "rt-events", runtime=runtime)["events"]
        archived = [(e["actor"], e["reason"]) for e in events if e["event"] == "archived"]
        check_equal(
            ("RUN-012.1", "RUN-012.2"),
            [(failing, "capacity")],
            archived,
            f"two resident, the failed one idle and least recently used: capacity evicts "
            f"it, not the counter {counter}: {events}",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- RUN-010.3: the cursor rule --------------------------------------------------------------

WIT = g.Blob(data=b"counter", headers={"runtime": "test-actor"})
SENDER = g.object_id(g.Blob(data=b"RUN-010.3 sender"))


def _bundle(actor: g.ObjectId, head: g.GritObject, objects: list[g.GritObject]) -> bytes:
    encoded = {g.object_id(o): g.encode_object(o) for o in [head, *objects]}
    order = sorted(encoded, key=lambda oid: oid.digest)
    return g.encode_value(
        [FORMAT, actor.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )


def _closure(message: g.Message | None, known: dict[g.ObjectId, g.Message]) -> list[g.Message]:
    found = []
    while message is not None:
        found.append(message)
        message = None if message.previous is None else known[message.previous]
    return found


def _history(
    first: dict[g.ObjectId, g.Message], second: dict[g.ObjectId, g.Message], known: list[g.Message]
) -> tuple[g.ObjectId, bytes]:
    """Two steps of one actor whose inboxes hold ``first`` then ``second``."""
    core = g.Tree(entries={"wit": g.object_id(WIT)})
    actor = g.object_id(core)
    by_id = {g.object_id(m): m for m in known}
    box1 = g.Mailbox(entries={s: g.object_id(m) for s, m in first.items()})
    step1 = g.Step(actor=actor, core=actor, inbox=g.object_id(box1))
    box2 = g.Mailbox(entries={s: g.object_id(m) for s, m in second.items()}) if second else None
    step2 = g.Step(
        actor=actor,
        core=actor,
        previous=g.object_id(step1),
        inbox=None if box2 is None else g.object_id(box2),
    )
    messages: dict[g.ObjectId, g.GritObject] = {}
    for m in [*first.values(), *second.values()]:
        for item in _closure(m, by_id):
            messages[g.object_id(item)] = item
    objects: list[g.GritObject] = [core, WIT, step1, box1, *messages.values()]
    if box2 is not None:
        objects.append(box2)
    return actor, _bundle(actor, step2, objects)


def _queue(tag: bytes, n: int) -> list[g.Message]:
    content = g.object_id(WIT)
    chain: list[g.Message] = []
    for i in range(n):
        previous = g.object_id(chain[-1]) if chain else None
        chain.append(
            g.Message(content=content, headers={"q": tag.decode(), "i": str(i)}, previous=previous)
        )
    return chain


QUEUE = _queue(b"a", 4)  # q0 <- q1 <- q2 <- q3
OTHER = _queue(b"b", 3)  # r0 <- r1 <- r2, another chain of the same sender
SIGNAL = g.Message(content=g.object_id(WIT), headers={"mt": "signal"})
OTHER_SENDER = g.object_id(g.Blob(data=b"RUN-010.3 another sender"))
#: name → (earlier cursor, later cursor (None: gone), verified)
CURSORS: dict[str, tuple[g.Message, g.Message | None, bool]] = {
    "unchanged": (QUEUE[2], QUEUE[2], True),
    "forward-one": (QUEUE[1], QUEUE[2], True),
    "forward-several": (QUEUE[0], QUEUE[3], True),
    "back-to-the-queues-first-message": (QUEUE[2], QUEUE[0], True),
    "back-to-the-first-from-the-last": (QUEUE[3], QUEUE[0], True),
    "to-a-signal": (QUEUE[3], SIGNAL, True),
    "to-another-chains-first": (QUEUE[2], OTHER[0], True),
    "back-to-a-message-with-previous": (QUEUE[3], QUEUE[1], False),
    "back-one": (QUEUE[2], QUEUE[1], False),
    "to-another-chain-with-previous": (QUEUE[2], OTHER[2], False),
    "from-a-signal-to-a-later-queue": (SIGNAL, QUEUE[1], False),
    "disappears": (QUEUE[1], None, False),
}


@pytest.mark.req("RUN-010.3", "RUN-010.4", "WIT-005")
@pytest.mark.parametrize("case", sorted(CURSORS))
def test_a_cursor_may_move_forward_or_to_any_message_without_previous(
    impl: Implementation, tmp_path: Path, case: str
) -> None:
    old, new, verified = CURSORS[case]
    known = [*QUEUE, *OTHER, SIGNAL]
    # another sender's cursor stays, and a third appears in the later step: never reported
    first = {SENDER: old, OTHER_SENDER: QUEUE[0]}
    second = {OTHER_SENDER: QUEUE[0], g.object_id(g.Blob(data=b"new")): OTHER[1]}
    if new is not None:
        second[SENDER] = new
    actor, bundle = _history(first, second, known)
    runtime = _open(impl, tmp_path / "rt", "RUN-010.3")
    try:
        call_ok(impl, "RUN-010.3", "rt-import", runtime=runtime, bundle=bundle.hex())
        result = call_ok(impl, "RUN-010.3", "rt-verify", runtime=runtime, actor=actor.hex())
        check(
            "RUN-010.3",
            result["verified"] is verified,
            expected=f"{case}: RUN-010.3 says verified={verified}, got {result}",
            came=result["verified"],
            what="result's verified",
        )
        check_equal(
            "RUN-010.3",
            2,
            result["steps"],
            f"{case}: RUN-010.3 says verified={verified}, got {result}",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- RUN-009.4: a refused import stores nothing ----------------------------------------------


def _objects(bundle: bytes) -> list[bytes]:
    parts = g.decode_value(bundle)
    if not isinstance(parts, list):
        fail("ADP-010.4", expected="a list", came=parts, what="the parts")
    if not isinstance(parts[3], list):
        fail("ADP-010.4", expected="a list", came=parts[3])
    return [o for o in parts[3] if isinstance(o, bytes)]


@pytest.mark.req("RUN-009.4", "RUN-009.3", "ADP-010.4")
@pytest.mark.req("CONV-004")
def test_an_import_over_another_head_stores_not_one_object(
    impl: Implementation, tmp_path: Path
) -> None:
    source = _open(impl, tmp_path / "source", "RUN-009.4")
    actor = str(
        call_ok(
            impl, "RUN-009.4", "rt-genesis", runtime=source, actor="counter", state={"t": "01"}
        )["actor"]
    )
    call_ok(impl, "RUN-009.4", "rt-run", runtime=source, max_steps=10)
    early = bytes.fromhex(
        call_ok(impl, "RUN-009.4", "rt-export", runtime=source, actor=actor)["bundle"]
    )
    for amount in ("31", "32", "33"):
        call_ok(
            impl,
            "RUN-009.4",
            "rt-send",
            runtime=source,
            to=actor,
            mt="inc",
            content={"blob": amount},
        )
        call_ok(impl, "RUN-009.4", "rt-run", runtime=source, max_steps=10)
    late = bytes.fromhex(
        call_ok(impl, "RUN-009.4", "rt-export", runtime=source, actor=actor)["bundle"]
    )
    impl.call("rt-close", runtime=source)
    new = [o for o in _objects(late) if o not in set(_objects(early))]
    value = len(new)
    check(
        "RUN-009.4",
        value > 5,
        expected="more than 5",
        came=value,
        what="the later history adds steps, cores, blobs, messages, mailboxes",
    )
    target = _open(impl, tmp_path / "target", "RUN-009.4")
    try:
        call_ok(impl, "RUN-009.4", "rt-import", runtime=target, bundle=early.hex())
        reply = impl.call("rt-import", runtime=target, bundle=late.hex())
        head = call_ok(impl, "RUN-009.4", "rt-head", runtime=target, actor=actor)["step"]
        error_answer(reply, "RUN-009.4", "ref-conflict")
        check_equal("RUN-009.4", head, reply.error.get("current"), "reply's error's current")
        for data in new:
            got = impl.call("rt-object", runtime=target, id=g.compute_id(data).hex())
            error_answer(
                got, "RUN-009.4", "not-found", "a refused import stores nothing, but it stored"
            )
        # the same bundle as the head: accepted, and still nothing stored
        call_ok(impl, "RUN-009.4", "rt-import", runtime=target, bundle=early.hex())
        for data in new:
            got = impl.call("rt-object", runtime=target, id=g.compute_id(data).hex())
            error_answer(got, "RUN-009.4", "not-found")
    finally:
        impl.call("rt-close", runtime=target)
