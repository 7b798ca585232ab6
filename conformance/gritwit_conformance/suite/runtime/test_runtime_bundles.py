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

pytestmark = pytest.mark.profile("runtime")

Parts = list[Any]


def _open(impl: Implementation, path: Path) -> str:
    path.mkdir(exist_ok=True)
    return str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])


def _counter_bundle(impl: Implementation, top: Path) -> tuple[str, Parts]:
    runtime = _open(impl, top / "source")
    actor = str(
        impl.call(
            "rt-genesis", runtime=runtime, actor="counter", state={"note": "6869"}
        ).expect_ok()["actor"]
    )
    for _ in range(2):
        impl.call(
            "rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": "31"}
        ).expect_ok()
        impl.call("rt-run", runtime=runtime, max_steps=50).expect_ok()
    bundle = bytes.fromhex(
        impl.call("rt-export", runtime=runtime, actor=actor).expect_ok()["bundle"]
    )
    impl.call("rt-close", runtime=runtime).expect_ok()
    parts = g.decode_value(bundle)
    assert isinstance(parts, list) and len(parts) == 4
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
    assert len(kept) < len(parts[3])
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
def test_a_bundle_breaking_one_check_is_refused_and_imports_nothing(
    impl: Implementation, tmp_path: Path, name: str
) -> None:
    actor, parts = _counter_bundle(impl, tmp_path)
    change, expected = BROKEN[name]
    bundle = g.encode_value(change(parts))
    target = _open(impl, tmp_path / "target")
    reply = impl.call("rt-import", runtime=target, bundle=bundle.hex())
    assert not reply.ok and reply.error_class == expected, (
        f"bundle {name!r}: RUN-009 says {expected}, got {reply}"
    )
    assert impl.call("rt-head", runtime=target, actor=actor).expect_ok()["step"] is None
    for data in parts[3]:  # nothing was stored
        got = impl.call("rt-object", runtime=target, id=g.compute_id(data).hex())
        assert not got.ok and got.error_class == "not-found", f"{name}: stored {got}"
    # the unbroken bundle still imports: the refusal was about the one change
    impl.call("rt-import", runtime=target, bundle=g.encode_value(parts).hex()).expect_ok()
    assert impl.call("rt-head", runtime=target, actor=actor).expect_ok()["step"] == parts[2]


@pytest.mark.req("RUN-009.4")
def test_a_bundle_over_an_existing_other_head_is_a_ref_conflict(
    impl: Implementation, tmp_path: Path
) -> None:
    _, parts = _counter_bundle(impl, tmp_path)
    target = _open(impl, tmp_path / "target")
    first = [o for o in parts[3] if g.compute_id(o).hex() != parts[2]]
    head = g.decode_object(next(o for o in parts[3] if g.compute_id(o).hex() == parts[2]))
    assert isinstance(head, g.Step) and head.previous is not None
    earlier = [parts[0], parts[1], head.previous.hex(), _sorted(first)]
    pruned = _prune(earlier)
    impl.call("rt-import", runtime=target, bundle=g.encode_value(pruned).hex()).expect_ok()
    reply = impl.call("rt-import", runtime=target, bundle=g.encode_value(parts).hex())
    assert not reply.ok and reply.error_class == "ref-conflict", reply
    stored = impl.call("rt-object", runtime=target, id=parts[2])
    assert not stored.ok and stored.error_class == "not-found", (
        f"a refused bundle imports nothing (RUN-009), but its head step is stored: {stored}"
    )
    again = impl.call("rt-import", runtime=target, bundle=g.encode_value(pruned).hex())
    assert again.ok, f"importing the same bundle twice is a no-op: {again}"


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
def test_an_erased_blob_is_erased_even_just_after_it_was_read(
    impl: Implementation, tmp_path: Path
) -> None:
    """A read puts the blob in any cache; the erasure must still win (RUN-011)."""
    runtime = _open(impl, tmp_path / "rt")
    actor = str(
        impl.call(
            "rt-genesis", runtime=runtime, actor="counter", state={"note": "6869"}
        ).expect_ok()["actor"]
    )
    impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    note = g.object_id(g.Blob(data=b"hi")).hex()
    for _ in range(2):
        assert impl.call("rt-object", runtime=runtime, id=note).expect_ok()["bytes"]
    impl.call("rt-erase", runtime=runtime, blob=note, reason="test").expect_ok()
    reply = impl.call("rt-object", runtime=runtime, id=note)
    assert not reply.ok and reply.error_class == "erased", reply
    assert impl.call("rt-head", runtime=runtime, actor=actor).expect_ok()["step"]


@pytest.mark.req("RUN-011.3")
def test_a_blob_another_runtime_erased_is_erased_after_this_one_committed_anew(
    impl: Implementation, tmp_path: Path
) -> None:
    """A blob this runtime read (and may keep) is erased by another runtime of the same
    store; this runtime then commits steps that store new blobs, so whatever it records
    about the erasures it has seen is as of after that erasure.  A read of the old blob
    must still answer erased: being clean is known only of the blobs it stored since
    (RUN-011.3)."""
    one = _open(impl, tmp_path / "rt")
    other = _open(impl, tmp_path / "rt")
    impl.call("rt-genesis", runtime=one, actor="counter", state={"note": "6869"}).expect_ok()
    impl.call("rt-run", runtime=one, max_steps=10).expect_ok()
    note = g.object_id(g.Blob(data=b"hi")).hex()
    for _ in range(2):
        assert impl.call("rt-object", runtime=one, id=note).expect_ok()["bytes"]
    impl.call("rt-erase", runtime=other, blob=note, reason="test").expect_ok()
    fresh = impl.call(
        "rt-genesis", runtime=one, actor="counter", state={"other": "6e6577"}
    ).expect_ok()
    impl.call("rt-run", runtime=one, max_steps=10).expect_ok()
    assert impl.call("rt-head", runtime=one, actor=fresh["actor"]).expect_ok()["step"]
    reply = impl.call("rt-object", runtime=one, id=note)
    assert not reply.ok and reply.error_class == "erased", f"RUN-011.3: {reply}"


@pytest.mark.req("RUN-009.1")
def test_exporting_an_actor_without_a_head_is_not_found(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = _open(impl, tmp_path / "rt")
    nobody = g.object_id(g.Blob(data=b"no such actor")).hex()
    reply = impl.call("rt-export", runtime=runtime, actor=nobody)
    assert not reply.ok and reply.error_class == "not-found", reply


@pytest.mark.smoke
@pytest.mark.req("RUN-011.5")
def test_putting_an_erased_blobs_bytes_again_does_not_restore_them(
    impl: Implementation, tmp_path: Path
) -> None:
    """A genesis and a send that carry the erased bytes again store them anew: still erased."""
    runtime = _open(impl, tmp_path / "rt")
    impl.call("rt-genesis", runtime=runtime, actor="counter", state={"note": "6869"}).expect_ok()
    impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    note = g.object_id(g.Blob(data=b"hi")).hex()
    impl.call("rt-erase", runtime=runtime, blob=note, reason="test").expect_ok()
    other = impl.call(
        "rt-genesis", runtime=runtime, actor="echo", state={"note": "6869"}
    ).expect_ok()
    impl.call(
        "rt-send", runtime=runtime, to=other["actor"], mt="hi", content={"blob": "6869"}
    ).expect_ok()
    for _ in range(2):
        reply = impl.call("rt-object", runtime=runtime, id=note)
        assert not reply.ok and reply.error_class == "erased", f"RUN-011.5: {reply}"
        impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()


@pytest.mark.smoke
@pytest.mark.req("RUN-011.4")
def test_a_step_may_name_an_erased_blob(impl: Implementation, tmp_path: Path) -> None:
    """``echo`` replies with its message's content, erased meanwhile: the id is still
    there (``has`` is true), so the step is valid (WIT-007.3) and adopted."""
    runtime = _open(impl, tmp_path / "rt")
    echo = str(impl.call("rt-genesis", runtime=runtime, actor="echo").expect_ok()["actor"])
    impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    before = impl.call("rt-head", runtime=runtime, actor=echo).expect_ok()["step"]
    impl.call("rt-send", runtime=runtime, to=echo, mt="hi", content={"blob": "6869"}).expect_ok()
    note = g.object_id(g.Blob(data=b"hi")).hex()
    impl.call("rt-erase", runtime=runtime, blob=note, reason="test").expect_ok()
    run = impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    assert run["attempts"] == [] and run["failures"] == [], f"RUN-011.4: {run}"
    assert [actor for actor, _ in run["steps"]] == [echo], run
    after = impl.call("rt-head", runtime=runtime, actor=echo).expect_ok()["step"]
    assert after != before
