"""Bundles checked whole, each check on its own (RUN-009), and erasure seen through
every read path, the runtime's object cache included (RUN-011).

RUN-009 lists the checks of ``import_bundle`` and the class each reports: the array's
shape and format tag → ``invalid-object``; the ids → ``invalid-id``; the head a step
of the actor → ``invalid-ref-target`` (absent from the bundle → ``not-found``); every
reachable object present → ``not-found``; nothing else, once, in id order →
``invalid-object``. Each bundle below breaks exactly one of them, built from a valid
bundle the implementation exported itself; a bundle that fails imports nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import (
    call_ok,
    check,
    check_equal,
    error_answer,
    fail,
    ok_answer,
    suite_premise,
)

pytestmark = pytest.mark.profile("runtime")

Parts = list[Any]


def _open(impl: Implementation, path: Path, clause: str) -> str:
    path.mkdir(exist_ok=True)
    return str(call_ok(impl, clause, "rt-open", path=str(path))["runtime"])


def _counter_bundle(impl: Implementation, top: Path) -> tuple[str, Parts]:
    runtime = _open(impl, top / "source", "RUN-009")
    actor = str(
        call_ok(
            impl, "RUN-009", "rt-genesis", runtime=runtime, actor="counter", state={"note": "6869"}
        )["actor"]
    )
    for _ in range(2):
        call_ok(
            impl, "RUN-009", "rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": "31"}
        )
        call_ok(impl, "RUN-009", "rt-run", runtime=runtime, max_steps=50)
    bundle = bytes.fromhex(
        call_ok(impl, "RUN-009", "rt-export", runtime=runtime, actor=actor)["bundle"]
    )
    call_ok(impl, "RUN-009", "rt-close", runtime=runtime)
    parts = g.decode_value(bundle)
    if not isinstance(parts, list):
        fail("RUN-009", expected="a list", came=parts, what="the parts")
    check_equal("RUN-009", 4, len(parts), "the number of parts")
    return actor, parts


def _sorted(objects: list[bytes]) -> list[bytes]:
    return sorted(objects, key=lambda data: g.compute_id(data).digest)


def _other_step(parts: Parts) -> Parts:
    other = g.Step(actor=g.object_id(g.Blob(data=b"someone else")), core=g.compute_id(parts[3][0]))
    data = g.encode_object(other)
    return [parts[0], parts[1], g.object_id(other).hex(), _sorted([*parts[3], data])]


def _missing(parts: Parts) -> Parts:
    head = parts[2]
    kept = [
        o
        for o in parts[3]
        if g.compute_id(o).hex() == head or not isinstance(g.decode_object(o), g.Blob)
    ]
    suite_premise(len(kept) < len(parts[3]), "the counter's bundle holds a blob to leave out")
    return [parts[0], parts[1], head, kept]


def _unsorted(parts: Parts) -> Parts:
    objects = list(parts[3])
    objects[0], objects[1] = objects[1], objects[0]
    return [*parts[:3], objects]


#: name → (change to the valid bundle's parts, class RUN-009 gives it)
BROKEN: dict[str, tuple[Callable[[Parts], Any], str]] = {
    "not-an-array": (lambda p: {"bundle": p[0]}, "invalid-object"),
    "three-items": (lambda p: p[:3], "invalid-object"),
    "five-items": (lambda p: [*p, "x"], "invalid-object"),
    "other-format": (lambda p: ["gritwit-bundle/2", *p[1:]], "invalid-object"),
    "actor-not-text": (lambda p: [p[0], bytes.fromhex(p[1]), *p[2:]], "invalid-object"),
    "head-not-text": (lambda p: [p[0], p[1], bytes.fromhex(p[2]), p[3]], "invalid-object"),
    "objects-not-array": (lambda p: [*p[:3], p[3][0]], "invalid-object"),
    "an-object-not-bytes": (lambda p: [*p[:3], [*p[3], "text"]], "invalid-object"),
    "actor-id-malformed": (lambda p: [p[0], p[1][:63], *p[2:]], "invalid-id"),
    "head-id-malformed": (lambda p: [p[0], p[1], p[2].upper(), p[3]], "invalid-id"),
    "head-absent": (lambda p: [p[0], p[1], "00" * 32, p[3]], "not-found"),
    "head-of-another-actor": (_other_step, "invalid-ref-target"),
    "head-not-a-step": (
        lambda p: [p[0], p[1], g.compute_id(p[3][0]).hex(), p[3]],
        "invalid-ref-target",
    ),
    "reachable-object-missing": (_missing, "not-found"),
    "objects-unsorted": (_unsorted, "invalid-object"),
    "object-twice": (lambda p: [*p[:3], _sorted([*p[3], p[3][0]])], "invalid-object"),
    "unreachable-extra": (
        lambda p: [*p[:3], _sorted([*p[3], g.encode_object(g.Blob(data=b"extra"))])],
        "invalid-object",
    ),
}


@pytest.mark.req("RUN-009.2", "RUN-009.3")
@pytest.mark.parametrize("name", sorted(BROKEN))
@pytest.mark.req("CONV-004")
def test_a_bundle_breaking_one_check_is_refused_and_imports_nothing(
    impl: Implementation, tmp_path: Path, name: str
) -> None:
    actor, parts = _counter_bundle(impl, tmp_path)
    change, expected = BROKEN[name]
    bundle = g.encode_value(change(parts))
    target = _open(impl, tmp_path / "target", "RUN-009.2")
    reply = impl.call("rt-import", runtime=target, bundle=bundle.hex())
    error_answer(reply, "RUN-009", expected, f"bundle {name!r}: RUN-009 says {expected}")
    came_value = call_ok(impl, "RUN-009.2", "rt-head", runtime=target, actor=actor)["step"]
    check("RUN-009.2", came_value is None, expected="nothing (null)", came=came_value)
    for data in parts[3]:  # nothing was stored
        got = impl.call("rt-object", runtime=target, id=g.compute_id(data).hex())
        error_answer(got, "RUN-009.2", "not-found", f"{name}: stored")
    # the unbroken bundle still imports: the refusal was about the one change
    call_ok(impl, "RUN-009.2", "rt-import", runtime=target, bundle=g.encode_value(parts).hex())
    check_equal(
        "RUN-009.2",
        parts[2],
        call_ok(impl, "RUN-009.2", "rt-head", runtime=target, actor=actor)["step"],
    )


@pytest.mark.req("RUN-009.4")
@pytest.mark.req("CONV-004")
def test_a_bundle_over_an_existing_other_head_is_a_ref_conflict(
    impl: Implementation, tmp_path: Path
) -> None:
    _, parts = _counter_bundle(impl, tmp_path)
    target = _open(impl, tmp_path / "target", "RUN-009.4")
    first = [o for o in parts[3] if g.compute_id(o).hex() != parts[2]]
    head = g.decode_object(next(o for o in parts[3] if g.compute_id(o).hex() == parts[2]))
    if not isinstance(head, g.Step):
        fail("RUN-009.4", expected="a step", came=head, what="the head")
    if head.previous is None:
        fail("RUN-009.4", expected="a value", came=head.previous, what="head's previous")
    earlier = [parts[0], parts[1], head.previous.hex(), _sorted(first)]
    pruned = _prune(earlier)
    call_ok(impl, "RUN-009.4", "rt-import", runtime=target, bundle=g.encode_value(pruned).hex())
    reply = impl.call("rt-import", runtime=target, bundle=g.encode_value(parts).hex())
    error_answer(reply, "RUN-009.4", "ref-conflict")
    stored = impl.call("rt-object", runtime=target, id=parts[2])
    error_answer(
        stored,
        "RUN-009",
        "not-found",
        "a refused bundle imports nothing, but its head step is stored",
    )
    again = impl.call("rt-import", runtime=target, bundle=g.encode_value(pruned).hex())
    ok_answer(again, "RUN-009.4", "importing the same bundle twice is a no-op")


def _prune(parts: Parts) -> Parts:
    """Keep only the objects reachable from the head: a valid bundle of an earlier step."""
    by_id = {g.compute_id(o): o for o in parts[3]}
    keep: dict[g.ObjectId, bytes] = {}
    todo = [g.ObjectId.from_hex(parts[2])]
    while todo:
        oid = todo.pop()
        if oid in keep or oid not in by_id:
            continue
        keep[oid] = by_id[oid]
        obj = g.decode_object(by_id[oid])
        if isinstance(obj, g.Step):
            todo += [i for i in (obj.previous, obj.core, obj.inbox, obj.outbox) if i]
        elif isinstance(obj, (g.Tree, g.Mailbox)):
            todo += list(obj.entries.values())
            todo += [obj.base] if isinstance(obj, g.Mailbox) and obj.base else []  # OBJ-019
        elif isinstance(obj, g.Message):
            todo += [i for i in (obj.content, obj.previous) if i]
    return [*parts[:3], _sorted(list(keep.values()))]


@pytest.mark.req("RUN-011.3")
@pytest.mark.req("CONV-004")
def test_an_erased_blob_is_erased_even_just_after_it_was_read(
    impl: Implementation, tmp_path: Path
) -> None:
    """A read puts the blob in any cache; the erasure must still win (RUN-011)."""
    runtime = _open(impl, tmp_path / "rt", "RUN-011.3")
    actor = str(
        call_ok(
            impl,
            "RUN-011.3",
            "rt-genesis",
            runtime=runtime,
            actor="counter",
            state={"note": "6869"},
        )["actor"]
    )
    call_ok(impl, "RUN-011.3", "rt-run", runtime=runtime, max_steps=10)
    note = g.object_id(g.Blob(data=b"hi")).hex()
    for _ in range(2):
        value = call_ok(impl, "RUN-011.3", "rt-object", runtime=runtime, id=note)["bytes"]
        check("RUN-011.3", value, expected="the blob's bytes, before the erase", came=value)
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=note, reason="test")
    reply = impl.call("rt-object", runtime=runtime, id=note)
    error_answer(reply, "RUN-011.3", "erased")
    value = call_ok(impl, "RUN-011.3", "rt-head", runtime=runtime, actor=actor)["step"]
    check("RUN-011.3", value, expected="the actor's head step, kept by the erase", came=value)


@pytest.mark.req("RUN-011.3")
@pytest.mark.req("CONV-004")
def test_a_blob_another_runtime_erased_is_erased_after_this_one_committed_anew(
    impl: Implementation, tmp_path: Path
) -> None:
    """A blob this runtime read (and may keep) is erased by another runtime of the same
    store; this runtime then commits steps that store new blobs, so whatever it records
    about the erasures it has seen is as of after that erasure.  A read of the old blob
    must still answer erased: being clean is known only of the blobs it stored since
    (RUN-011.3)."""
    one = _open(impl, tmp_path / "rt", "RUN-011.3")
    other = _open(impl, tmp_path / "rt", "RUN-011.3")
    call_ok(impl, "RUN-011.3", "rt-genesis", runtime=one, actor="counter", state={"note": "6869"})
    call_ok(impl, "RUN-011.3", "rt-run", runtime=one, max_steps=10)
    note = g.object_id(g.Blob(data=b"hi")).hex()
    for _ in range(2):
        value = call_ok(impl, "RUN-011.3", "rt-object", runtime=one, id=note)["bytes"]
        check("RUN-011.3", value, expected="the blob's bytes, before the erase", came=value)
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=other, blob=note, reason="test")
    fresh = call_ok(
        impl, "RUN-011.3", "rt-genesis", runtime=one, actor="counter", state={"other": "6e6577"}
    )
    call_ok(impl, "RUN-011.3", "rt-run", runtime=one, max_steps=10)
    value = call_ok(impl, "RUN-011.3", "rt-head", runtime=one, actor=fresh["actor"])["step"]
    check("RUN-011.3", value, expected="a head step of the fresh counter", came=value)
    reply = impl.call("rt-object", runtime=one, id=note)
    error_answer(reply, "RUN-011.3", "erased", "")


@pytest.mark.req("RUN-009.1")
@pytest.mark.req("CONV-004")
def test_exporting_an_actor_without_a_head_is_not_found(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = _open(impl, tmp_path / "rt", "RUN-009.1")
    nobody = g.object_id(g.Blob(data=b"no such actor")).hex()
    reply = impl.call("rt-export", runtime=runtime, actor=nobody)
    error_answer(reply, "RUN-009.1", "not-found")


@pytest.mark.req("RUN-009.1", "RUN-011.3", "RUN-011.7")
@pytest.mark.req("CONV-004")
def test_an_actor_whose_history_holds_an_erased_blob_exports_no_bundle(
    impl: Implementation, tmp_path: Path
) -> None:
    """A bundle holds every object reachable from the head (RUN-009.1), and an erased
    blob's bytes are gone: an export reads it, and a read of it fails ``erased``
    (RUN-011.3), not a bundle that leaves it out.  The history itself still verifies,
    the blob reported erased (RUN-011.7)."""
    runtime = _open(impl, tmp_path / "rt", "RUN-009.1")
    actor = str(
        call_ok(
            impl,
            "RUN-009.1",
            "rt-genesis",
            runtime=runtime,
            actor="counter",
            state={"note": "6869"},
        )["actor"]
    )
    call_ok(impl, "RUN-009.1", "rt-run", runtime=runtime, max_steps=10)
    whole = call_ok(impl, "RUN-009.1", "rt-export", runtime=runtime, actor=actor)
    check("RUN-009.1", whole.get("bundle"), expected="a bundle, before the erase", came=whole)
    note = g.object_id(g.Blob(data=b"hi")).hex()
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=note, reason="test")
    reply = impl.call("rt-export", runtime=runtime, actor=actor)
    error_answer(reply, "RUN-011.3", "erased", "rt-export of a history holding an erased blob")
    verified = call_ok(impl, "RUN-011.7", "rt-verify", runtime=runtime, actor=actor)
    check_equal(
        "RUN-011.7",
        {"verified": True, "erased": [note]},
        {"verified": verified.get("verified"), "erased": verified.get("erased")},
        "rt-verify of the history after its blob was erased",
    )


@pytest.mark.smoke
@pytest.mark.req("RUN-011.5")
@pytest.mark.req("CONV-004")
def test_putting_an_erased_blobs_bytes_again_does_not_restore_them(
    impl: Implementation, tmp_path: Path
) -> None:
    """A genesis and a send that carry the erased bytes again store them anew: still erased."""
    runtime = _open(impl, tmp_path / "rt", "RUN-011.5")
    call_ok(
        impl, "RUN-011.5", "rt-genesis", runtime=runtime, actor="counter", state={"note": "6869"}
    )
    call_ok(impl, "RUN-011.5", "rt-run", runtime=runtime, max_steps=10)
    note = g.object_id(g.Blob(data=b"hi")).hex()
    call_ok(impl, "RUN-011.5", "rt-erase", runtime=runtime, blob=note, reason="test")
    other = call_ok(
        impl, "RUN-011.5", "rt-genesis", runtime=runtime, actor="echo", state={"note": "6869"}
    )
    call_ok(
        impl,
        "RUN-011.5",
        "rt-send",
        runtime=runtime,
        to=other["actor"],
        mt="hi",
        content={"blob": "6869"},
    )
    for _ in range(2):
        reply = impl.call("rt-object", runtime=runtime, id=note)
        error_answer(reply, "RUN-011.5", "erased", "")
        call_ok(impl, "RUN-011.5", "rt-run", runtime=runtime, max_steps=10)


@pytest.mark.smoke
@pytest.mark.req("RUN-011.4")
def test_a_step_may_name_an_erased_blob(impl: Implementation, tmp_path: Path) -> None:
    """``echo`` replies with its message's content, erased meanwhile: the id is still
    there (``has`` is true), so the step is valid (WIT-007.3) and adopted."""
    runtime = _open(impl, tmp_path / "rt", "RUN-011.4")
    echo = str(call_ok(impl, "RUN-011.4", "rt-genesis", runtime=runtime, actor="echo")["actor"])
    call_ok(impl, "RUN-011.4", "rt-run", runtime=runtime, max_steps=10)
    before = call_ok(impl, "RUN-011.4", "rt-head", runtime=runtime, actor=echo)["step"]
    call_ok(
        impl, "RUN-011.4", "rt-send", runtime=runtime, to=echo, mt="hi", content={"blob": "6869"}
    )
    note = g.object_id(g.Blob(data=b"hi")).hex()
    call_ok(impl, "RUN-011.4", "rt-erase", runtime=runtime, blob=note, reason="test")
    run = call_ok(impl, "RUN-011.4", "rt-run", runtime=runtime, max_steps=10)
    check_equal("RUN-011.4", [], run["attempts"], "rt-run's attempts")
    check_equal("RUN-011.4", [], run["failures"], "rt-run's failures")
    check_equal(
        "RUN-011.4", [echo], [actor for actor, _ in run["steps"]], "the actors of rt-run's steps"
    )
    after = call_ok(impl, "RUN-011.4", "rt-head", runtime=runtime, actor=echo)["step"]
    check(
        "RUN-011.4",
        after != before,
        expected=f"a new head step of echo, not {before}",
        came=after,
        what="a step naming an erased blob",
    )
