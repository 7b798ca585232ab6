"""The store profile: objects, refs, corruption and durability through the adapter (ADP-010)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("store")

ACTOR_CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"counter"))})
ACTOR = g.object_id(ACTOR_CORE)
OTHER_ACTOR = g.object_id(g.Tree(entries={"other": g.object_id(g.Blob(data=b""))}))
STEP1 = g.Step(actor=ACTOR, core=ACTOR)
STEP2 = g.Step(actor=ACTOR, core=ACTOR, previous=g.object_id(STEP1))
FOREIGN_STEP = g.Step(actor=OTHER_ACTOR, core=OTHER_ACTOR)
BLOB = g.Blob(data=b"payload", headers={"mt": "text"})
OBJECTS: list[g.GritObject] = [BLOB, ACTOR_CORE, STEP1, STEP2, FOREIGN_STEP]


def hexid(obj: g.GritObject) -> str:
    return g.object_id(obj).hex()


def fails(reply: object, cls: str) -> None:
    assert not getattr(reply, "ok", True) and reply.error_class == cls, (  # type: ignore[attr-defined]
        f"expected error class {cls!r}, got {reply}"
    )


@pytest.fixture(params=["memory", "durable"])
def store(request: pytest.FixtureRequest, impl: Implementation, tmp_path: Path) -> Iterator[str]:
    args = {"kind": request.param}
    if request.param == "durable":
        args["path"] = str(tmp_path / "store")
        (tmp_path / "store").mkdir()
    handle = str(impl.call("store-open", **args).expect_ok()["store"])
    for obj in OBJECTS:
        impl.call("put", store=handle, bytes=g.encode_object(obj).hex()).expect_ok()
    yield handle
    if impl.hello is not None:
        with contextlib.suppress(Exception):  # the test may have broken or restarted it
            impl.call("store-close", store=handle)


@pytest.mark.smoke
@pytest.mark.req("STO-002.1", "STO-003.1", "STO-005.1", "ADP-010")
def test_put_get_has(impl: Implementation, store: str) -> None:
    fresh = g.Blob(data=b"put once", headers={"n": "1"})
    data = g.encode_object(fresh).hex()
    assert impl.call("has", store=store, id=hexid(fresh)).expect_ok()["present"] is False
    assert impl.call("put", store=store, bytes=data).expect_ok()["id"] == hexid(fresh)
    assert impl.call("has", store=store, id=hexid(fresh)).expect_ok()["present"] is True
    for obj in [*OBJECTS, fresh]:
        data = g.encode_object(obj).hex()
        assert impl.call("get", store=store, id=hexid(obj)).expect_ok()["bytes"] == data
        assert impl.call("has", store=store, id=hexid(obj)).expect_ok()["present"] is True


@pytest.mark.smoke
@pytest.mark.req("STO-002.2")
def test_putting_stored_bytes_again_succeeds_and_changes_nothing(
    impl: Implementation, store: str
) -> None:
    for obj in OBJECTS:  # every one is stored already (the fixture put them)
        data = g.encode_object(obj).hex()
        assert impl.call("put", store=store, bytes=data).expect_ok()["id"] == hexid(obj)
        assert impl.call("get", store=store, id=hexid(obj)).expect_ok()["bytes"] == data


@pytest.mark.smoke
@pytest.mark.req("STO-003.2", "STO-005.1", "STO-005.2")
def test_absent_ids(impl: Implementation, store: str) -> None:
    absent = g.object_id(g.Blob(data=b"never stored")).hex()
    assert impl.call("has", store=store, id=absent).expect_ok()["present"] is False
    fails(impl.call("get", store=store, id=absent), "not-found")


@pytest.mark.smoke
@pytest.mark.req("STO-001.1", "STO-001.2", "STO-005.1")
@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ("a2646461746140647479706564626c6f6200", "trailing-bytes"),
        ("a26464617461580040647479706564626c6f62", "non-shortest"),
        ("a2647479706564626c6f626464617461" + "40", "unsorted-keys"),
        ("a2647479706564747265656765" + "6e7472696573a0", "invalid-object"),
        ("", "truncated"),
    ],
)
def test_put_rejects_invalid_bytes_and_stores_nothing(
    impl: Implementation, store: str, data: str, cls: str
) -> None:
    fails(impl.call("put", store=store, bytes=data), cls)
    fake_id = g.compute_id(bytes.fromhex(data)).hex()
    assert impl.call("has", store=store, id=fake_id).expect_ok()["present"] is False


@pytest.mark.req("STO-004.1", "STO-004.2")
def test_corruption_is_detected_on_read(impl: Implementation, store: str) -> None:
    impl.call("store-corrupt", store=store, id=hexid(BLOB)).expect_ok()
    fails(impl.call("get", store=store, id=hexid(BLOB)), "corrupt-object")
    assert impl.call("get", store=store, id=hexid(STEP1)).expect_ok()["bytes"]  # others unaffected


@pytest.mark.smoke
@pytest.mark.req("STO-002.3", "STO-004.2", "ADP-010.5")
def test_a_put_mends_a_corrupt_copy(impl: Implementation, store: str) -> None:
    """Putting the right bytes over a corrupted copy replaces the copy: a put repairs."""
    data = g.encode_object(BLOB).hex()
    impl.call("store-corrupt", store=store, id=hexid(BLOB)).expect_ok()
    assert impl.call("has", store=store, id=hexid(BLOB)).expect_ok()["present"] is True
    fails(impl.call("get", store=store, id=hexid(BLOB)), "corrupt-object")
    assert impl.call("put", store=store, bytes=data).expect_ok()["id"] == hexid(BLOB)
    assert impl.call("get", store=store, id=hexid(BLOB)).expect_ok()["bytes"] == data
    assert impl.call("put", store=store, bytes=data).expect_ok()["id"] == hexid(BLOB)  # STO-002.2
    assert impl.call("get", store=store, id=hexid(BLOB)).expect_ok()["bytes"] == data


@pytest.mark.req("STO-002.3", "STO-006", "REF-007.1")
def test_a_mended_copy_serves_refs_and_other_objects_stay(impl: Implementation, store: str) -> None:
    """Only the corrupt copy is replaced; a head whose step was mended can be set again."""
    step = g.encode_object(STEP2).hex()
    impl.call("store-corrupt", store=store, id=hexid(STEP2)).expect_ok()
    name = f"heads/{ACTOR.hex()}"
    fails(impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(STEP2)),
          "corrupt-object")  # fmt: skip
    impl.call("put", store=store, bytes=step).expect_ok()
    impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(STEP2)).expect_ok()
    for obj in OBJECTS:
        data = impl.call("get", store=store, id=hexid(obj)).expect_ok()["bytes"]
        assert data == g.encode_object(obj).hex()


@pytest.mark.smoke
@pytest.mark.req("STO-006", "REF-004.2")
def test_moving_or_deleting_a_ref_keeps_its_objects(impl: Implementation, store: str) -> None:
    name = "names/keep"
    impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(BLOB)).expect_ok()
    impl.call("ref-cas", store=store, name=name, expected=hexid(BLOB), new=hexid(STEP1)).expect_ok()
    impl.call("ref-cas", store=store, name=name, expected=hexid(STEP1), new=None).expect_ok()
    for obj in (BLOB, STEP1):
        assert impl.call("has", store=store, id=hexid(obj)).expect_ok()["present"] is True
        data = impl.call("get", store=store, id=hexid(obj)).expect_ok()["bytes"]
        assert data == g.encode_object(obj).hex()


VALID_NAMES = [
    f"heads/{ACTOR.hex()}",
    "names/counter",
    "names/a/b.c-d_e",
    "names/0",
    "names/" + "x" * 64,
    "names/a/" + "y" * 64,
]
INVALID_NAMES = [
    "",
    "heads",
    "heads/",
    f"heads/{ACTOR.hex().upper()}",
    f"heads/{ACTOR.hex()[:63]}",
    f"heads/{ACTOR.hex()}0",
    "names/",
    "names/.hidden",
    "names/a//b",
    "names/" + "x" * 65,
    "names/a/" + "y" * 65,
    "names/a/_b",
    "names/sp ace",
    "names/é",
    "tags/v1",
    "/names/x",
    "names/x/",
    "names/" + "/".join(["abcdefgh"] * 30),
]


@pytest.mark.req("REF-001.1", "REF-005")
@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_ref_names(impl: Implementation, store: str, name: str) -> None:
    assert impl.call("ref-get", store=store, name=name).expect_ok()["id"] is None


@pytest.mark.req("REF-001.1", "REF-001.3", "REF-007.2")
@pytest.mark.parametrize("name", INVALID_NAMES)
def test_ref_get_refuses_invalid_names(impl: Implementation, store: str, name: str) -> None:
    fails(impl.call("ref-get", store=store, name=name), "invalid-ref-name")


@pytest.mark.req("REF-001.1", "REF-001.3", "REF-007.1")
@pytest.mark.parametrize("name", INVALID_NAMES)
def test_ref_cas_refuses_invalid_names(impl: Implementation, store: str, name: str) -> None:
    fails(
        impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(BLOB)),
        "invalid-ref-name",
    )
    assert impl.call("ref-list", store=store, prefix="").expect_ok()["names"] == []


@pytest.mark.smoke
@pytest.mark.req("REF-007.3", "REF-006")
def test_ref_list_accepts_any_prefix(impl: Implementation, store: str) -> None:
    impl.call("ref-cas", store=store, name="names/a.b", expected=None, new=hexid(BLOB)).expect_ok()
    impl.call("ref-cas", store=store, name="names/a/b", expected=None, new=hexid(BLOB)).expect_ok()
    expected = {
        "": ["names/a.b", "names/a/b"],
        "n": ["names/a.b", "names/a/b"],
        "names/": ["names/a.b", "names/a/b"],
        "names/a": ["names/a.b", "names/a/b"],
        "names/a/": ["names/a/b"],
        "names/a.b/": [],
        "heads/": [],
        "tags/": [],
        "/": [],
        "names/é": [],
        "x" * 300: [],
    }
    for prefix, names in expected.items():
        assert impl.call("ref-list", store=store, prefix=prefix).expect_ok()["names"] == names, (
            prefix
        )


@pytest.mark.req("REF-007.4", "REF-007.3")
@pytest.mark.parametrize("prefix", ["\ud800", "names/\udfff", "names/é", "\U0001f600", "ñ"])
def test_a_prefix_no_ref_name_can_start_with_lists_nothing(
    impl: Implementation, store: str, prefix: str
) -> None:
    impl.call("ref-cas", store=store, name="names/a", expected=None, new=hexid(BLOB)).expect_ok()
    assert impl.call("ref-list", store=store, prefix=prefix).expect_ok()["names"] == [], prefix


@pytest.mark.req("REF-007.5", "REF-004.2")
def test_a_swap_to_none_checks_no_target(impl: Implementation, store: str) -> None:
    """Deleting a head is a swap without a target: REF-002 and REF-003 do not apply."""
    head = f"heads/{ACTOR.hex()}"
    impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(STEP1)).expect_ok()
    impl.call("ref-cas", store=store, name=head, expected=hexid(STEP1), new=None).expect_ok()
    assert impl.call("ref-get", store=store, name=head).expect_ok()["id"] is None
    # none to none: the swap of an absent ref, even under a name no step could fill
    impl.call(
        "ref-cas", store=store, name=f"heads/{OTHER_ACTOR.hex()}", expected=None, new=None
    ).expect_ok()
    reply = impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=None)
    fails(reply, "ref-conflict")
    assert reply.error.get("current", "") is None, reply


@pytest.mark.smoke
@pytest.mark.req("REF-004.1", "REF-004.2", "REF-004.3", "REF-005", "REF-006")
def test_compare_and_swap(impl: Implementation, store: str) -> None:
    name = "names/counter"
    impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(BLOB)).expect_ok()
    assert impl.call("ref-get", store=store, name=name).expect_ok()["id"] == hexid(BLOB)
    for expected in (None, hexid(STEP1)):
        reply = impl.call("ref-cas", store=store, name=name, expected=expected, new=hexid(STEP1))
        fails(reply, "ref-conflict")
        assert reply.error.get("current") == hexid(BLOB), "ref-conflict carries the current value"
    assert impl.call("ref-get", store=store, name=name).expect_ok()["id"] == hexid(
        BLOB
    )  # unchanged
    impl.call("ref-cas", store=store, name=name, expected=hexid(BLOB), new=hexid(STEP1)).expect_ok()
    impl.call("ref-cas", store=store, name="names/b", expected=None, new=hexid(BLOB)).expect_ok()
    impl.call("ref-cas", store=store, name="names/a/z", expected=None, new=hexid(BLOB)).expect_ok()
    assert impl.call("ref-list", store=store, prefix="names/").expect_ok()["names"] == [
        "names/a/z",
        "names/b",
        "names/counter",
    ]
    impl.call("ref-cas", store=store, name=name, expected=hexid(STEP1), new=None).expect_ok()
    assert impl.call("ref-get", store=store, name=name).expect_ok()["id"] is None
    assert impl.call("ref-list", store=store, prefix="names/c").expect_ok()["names"] == []


@pytest.mark.req("REF-002.1", "REF-002.2", "REF-003.1", "REF-003.2")
def test_heads_point_at_present_steps_of_their_actor(impl: Implementation, store: str) -> None:
    head = f"heads/{ACTOR.hex()}"
    absent = g.object_id(g.Step(actor=ACTOR, core=OTHER_ACTOR)).hex()
    fails(impl.call("ref-cas", store=store, name=head, expected=None, new=absent), "not-found")
    fails(impl.call("ref-cas", store=store, name="names/x", expected=None, new=absent), "not-found")
    wrong_targets: list[g.GritObject] = [BLOB, ACTOR_CORE, FOREIGN_STEP]
    for wrong in wrong_targets:
        fails(
            impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(wrong)),
            "invalid-ref-target",
        )
    assert impl.call("ref-get", store=store, name=head).expect_ok()["id"] is None
    impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(STEP1)).expect_ok()
    impl.call(
        "ref-cas", store=store, name=head, expected=hexid(STEP1), new=hexid(STEP2)
    ).expect_ok()
    assert impl.call("ref-get", store=store, name=head).expect_ok()["id"] == hexid(STEP2)


@pytest.mark.req("DUR-001", "DUR-002.1", "DUR-002.2", "STO-006", "ADP-010")
def test_durable_store_survives_reopen_and_kill(impl: Implementation, tmp_path: Path) -> None:
    path = tmp_path / "durable"
    path.mkdir()
    handle = str(impl.call("store-open", kind="durable", path=str(path)).expect_ok()["store"])
    for obj in OBJECTS:
        impl.call("put", store=handle, bytes=g.encode_object(obj).hex()).expect_ok()
    head = f"heads/{ACTOR.hex()}"
    impl.call("ref-cas", store=handle, name=head, expected=None, new=hexid(STEP1)).expect_ok()
    impl.call("store-reopen", store=handle).expect_ok()
    assert impl.call("ref-get", store=handle, name=head).expect_ok()["id"] == hexid(STEP1)
    impl.call(
        "ref-cas", store=handle, name=head, expected=hexid(STEP1), new=hexid(STEP2)
    ).expect_ok()
    impl.kill()  # SIGKILL for a process: no shutdown, no close
    handle = str(impl.call("store-open", kind="durable", path=str(path)).expect_ok()["store"])
    assert impl.call("ref-get", store=handle, name=head).expect_ok()["id"] == hexid(STEP2)
    for obj in OBJECTS:
        data = impl.call("get", store=handle, id=hexid(obj)).expect_ok()["bytes"]
        assert data == g.encode_object(obj).hex()
    impl.call("store-close", store=handle).expect_ok()


@pytest.mark.smoke
@pytest.mark.req("REF-007.1", "STO-004.2")
def test_cas_reports_the_first_failing_check(impl: Implementation, store: str) -> None:
    head = f"heads/{ACTOR.hex()}"
    absent = g.object_id(g.Blob(data=b"absent")).hex()
    # A bad name wins over a missing target; a missing target over a wrong target kind.
    fails(
        impl.call("ref-cas", store=store, name="tags/x", expected=hexid(BLOB), new=absent),
        "invalid-ref-name",
    )
    fails(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=absent), "not-found"
    )
    # A wrong target wins over a wrong expected value.
    fails(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=hexid(BLOB)),
        "invalid-ref-target",
    )
    fails(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=hexid(STEP1)),
        "ref-conflict",
    )
    impl.call("store-corrupt", store=store, id=hexid(STEP2)).expect_ok()
    fails(
        impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(STEP2)),
        "corrupt-object",
    )


@pytest.mark.req("ADP-004", "ID-003")
def test_malformed_ids_in_arguments(impl: Implementation, store: str) -> None:
    for bad in (hexid(BLOB).upper(), hexid(BLOB)[:63], "x" * 64):
        reply = impl.call("get", store=store, id=bad, check=False)
        fails(reply, "invalid-id")
