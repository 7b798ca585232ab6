"""The store profile: objects, refs, corruption and durability through the adapter (ADP-010)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, error_answer

from ._opened import KINDS, hexid, opened_store

pytestmark = pytest.mark.profile("store")

ACTOR_CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"counter"))})
ACTOR = g.object_id(ACTOR_CORE)
OTHER_ACTOR = g.object_id(g.Tree(entries={"other": g.object_id(g.Blob(data=b""))}))
STEP1 = g.Step(actor=ACTOR, core=ACTOR)
STEP2 = g.Step(actor=ACTOR, core=ACTOR, previous=g.object_id(STEP1))
FOREIGN_STEP = g.Step(actor=OTHER_ACTOR, core=OTHER_ACTOR)
BLOB = g.Blob(data=b"payload", headers={"mt": "text"})
OBJECTS: list[g.GritObject] = [BLOB, ACTOR_CORE, STEP1, STEP2, FOREIGN_STEP]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, impl: Implementation, tmp_path: Path) -> Iterator[str]:
    yield from opened_store(impl, request.param, tmp_path, OBJECTS)


@pytest.mark.smoke
@pytest.mark.req("STO-002.1", "STO-003.1", "STO-005.1", "ADP-010")
def test_put_get_has(impl: Implementation, store: str) -> None:
    fresh = g.Blob(data=b"put once", headers={"n": "1"})
    data = g.encode_object(fresh).hex()
    check_equal(
        "STO-005.1",
        False,
        call_ok(impl, "STO-005.1", "has", store=store, id=hexid(fresh))["present"],
        "the present has answers",
    )
    check_equal(
        "STO-002.1",
        hexid(fresh),
        call_ok(impl, "STO-002.1", "put", store=store, bytes=data)["id"],
        "the id put answers",
    )
    check_equal(
        "STO-005.1",
        True,
        call_ok(impl, "STO-005.1", "has", store=store, id=hexid(fresh))["present"],
        "the present has answers",
    )
    for obj in [*OBJECTS, fresh]:
        data = g.encode_object(obj).hex()
        check_equal(
            "STO-003.1",
            data,
            call_ok(impl, "STO-003.1", "get", store=store, id=hexid(obj))["bytes"],
            "the bytes get answers",
        )
        check_equal(
            "STO-005.1",
            True,
            call_ok(impl, "STO-005.1", "has", store=store, id=hexid(obj))["present"],
            "the present has answers",
        )


@pytest.mark.smoke
@pytest.mark.req("STO-002.2")
def test_putting_stored_bytes_again_succeeds_and_changes_nothing(
    impl: Implementation, store: str
) -> None:
    for obj in OBJECTS:  # every one is stored already (the fixture put them)
        data = g.encode_object(obj).hex()
        check_equal(
            "STO-002.2",
            hexid(obj),
            call_ok(impl, "STO-002.2", "put", store=store, bytes=data)["id"],
            "the id put answers",
        )
        check_equal(
            "STO-002.2",
            data,
            call_ok(impl, "STO-002.2", "get", store=store, id=hexid(obj))["bytes"],
            "the bytes get answers",
        )


@pytest.mark.smoke
@pytest.mark.req("STO-003.2", "STO-005.1", "STO-005.2")
@pytest.mark.req("CONV-004")
def test_absent_ids(impl: Implementation, store: str) -> None:
    absent = g.object_id(g.Blob(data=b"never stored")).hex()
    check_equal(
        "STO-005.1",
        False,
        call_ok(impl, "STO-005.1", "has", store=store, id=absent)["present"],
        "the present has answers",
    )
    error_answer(impl.call("get", store=store, id=absent), "STO-003.2", "not-found")


@pytest.mark.req("STO-005.1", "STO-003.2", "STO-002.1")
@pytest.mark.req("CONV-004")
def test_has_of_an_absent_id_answers_false_each_time_until_it_is_put(
    impl: Implementation, store: str
) -> None:
    """A store may remember ids it holds (a database server spared a round trip,
    ADP-010.6), never an id it was asked about and does not hold."""
    absent = g.Blob(data=b"asked about before it was stored")
    for ask in ("first", "second", "third"):
        check_equal(
            "STO-005.1",
            False,
            call_ok(impl, "STO-005.1", "has", store=store, id=hexid(absent))["present"],
            f"has's present, asked the {ask} time about an id never put",
        )
    error_answer(
        impl.call("get", store=store, id=hexid(absent)),
        "STO-003.2",
        "not-found",
        "get of an id asked about three times and never put",
    )
    call_ok(impl, "STO-002.1", "put", store=store, bytes=g.encode_object(absent).hex())
    check_equal(
        "STO-005.1",
        True,
        call_ok(impl, "STO-005.1", "has", store=store, id=hexid(absent))["present"],
        "has's present once the object it called absent was put",
    )


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
@pytest.mark.req("CONV-004")
def test_put_rejects_invalid_bytes_and_stores_nothing(
    impl: Implementation, store: str, data: str, cls: str
) -> None:
    error_answer(impl.call("put", store=store, bytes=data), "STO-001.1", cls)
    fake_id = g.compute_id(bytes.fromhex(data)).hex()
    check_equal(
        "STO-005.1",
        False,
        call_ok(impl, "STO-005.1", "has", store=store, id=fake_id)["present"],
        "the present has answers",
    )


@pytest.mark.req("STO-004.1", "STO-004.2")
@pytest.mark.req("CONV-004")
def test_corruption_is_detected_on_read(impl: Implementation, store: str) -> None:
    call_ok(impl, "STO-004.1", "store-corrupt", store=store, id=hexid(BLOB))
    error_answer(impl.call("get", store=store, id=hexid(BLOB)), "STO-004.1", "corrupt-object")
    data = call_ok(impl, "STO-004.1", "get", store=store, id=hexid(STEP1))["bytes"]
    check_equal("STO-004.1", g.encode_object(STEP1).hex(), data, "another object's bytes")


@pytest.mark.smoke
@pytest.mark.req("STO-002.3", "STO-004.2", "ADP-010.5")
@pytest.mark.req("CONV-004")
def test_a_put_mends_a_corrupt_copy(impl: Implementation, store: str) -> None:
    """Putting the right bytes over a corrupted copy replaces the copy: a put repairs."""
    data = g.encode_object(BLOB).hex()
    call_ok(impl, "ADP-010.5", "store-corrupt", store=store, id=hexid(BLOB))
    check_equal(
        "STO-002.3",
        True,
        call_ok(impl, "STO-002.3", "has", store=store, id=hexid(BLOB))["present"],
        "the present has answers",
    )
    error_answer(impl.call("get", store=store, id=hexid(BLOB)), "STO-004.2", "corrupt-object")
    check_equal(
        "STO-002.3",
        hexid(BLOB),
        call_ok(impl, "STO-002.3", "put", store=store, bytes=data)["id"],
        "the id put answers",
    )
    check_equal(
        "STO-004.2",
        data,
        call_ok(impl, "STO-004.2", "get", store=store, id=hexid(BLOB))["bytes"],
        "the bytes get answers",
    )
    check_equal(
        "STO-002.3",
        hexid(BLOB),
        call_ok(impl, "STO-002.3", "put", store=store, bytes=data)["id"],
        "the id put answers",
    )  # STO-002.2
    check_equal(
        "STO-004.2",
        data,
        call_ok(impl, "STO-004.2", "get", store=store, id=hexid(BLOB))["bytes"],
        "the bytes get answers",
    )


@pytest.mark.req("STO-002.3", "STO-006", "REF-007.1")
@pytest.mark.req("CONV-004")
def test_a_mended_copy_serves_refs_and_other_objects_stay(impl: Implementation, store: str) -> None:
    """Only the corrupt copy is replaced; a head whose step was mended can be set again."""
    step = g.encode_object(STEP2).hex()
    call_ok(impl, "STO-002.3", "store-corrupt", store=store, id=hexid(STEP2))
    name = f"heads/{ACTOR.hex()}"
    reply = impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(STEP2))
    error_answer(reply, "REF-007.1", "corrupt-object")
    call_ok(impl, "STO-002.3", "put", store=store, bytes=step)
    call_ok(impl, "REF-007.1", "ref-cas", store=store, name=name, expected=None, new=hexid(STEP2))
    for obj in OBJECTS:
        data = call_ok(impl, "STO-002.3", "get", store=store, id=hexid(obj))["bytes"]
        check_equal("STO-002.3", g.encode_object(obj).hex(), data, "the bytes get answers")


@pytest.mark.smoke
@pytest.mark.req("STO-006", "REF-004.2")
def test_moving_or_deleting_a_ref_keeps_its_objects(impl: Implementation, store: str) -> None:
    name = "names/keep"
    call_ok(impl, "REF-004.2", "ref-cas", store=store, name=name, expected=None, new=hexid(BLOB))
    call_ok(
        impl, "REF-004.2", "ref-cas", store=store, name=name, expected=hexid(BLOB), new=hexid(STEP1)
    )
    call_ok(impl, "REF-004.2", "ref-cas", store=store, name=name, expected=hexid(STEP1), new=None)
    for obj in (BLOB, STEP1):
        check_equal(
            "STO-006",
            True,
            call_ok(impl, "STO-006", "has", store=store, id=hexid(obj))["present"],
            "the present has answers",
        )
        data = call_ok(impl, "STO-006", "get", store=store, id=hexid(obj))["bytes"]
        check_equal("STO-006", g.encode_object(obj).hex(), data, "the bytes get answers")


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
    check_equal(
        "REF-001.1",
        None,
        call_ok(impl, "REF-001.1", "ref-get", store=store, name=name)["id"],
        "the id ref-get answers",
    )


@pytest.mark.req("REF-001.1", "REF-001.3", "REF-007.2")
@pytest.mark.parametrize("name", INVALID_NAMES)
@pytest.mark.req("CONV-004")
def test_ref_get_refuses_invalid_names(impl: Implementation, store: str, name: str) -> None:
    error_answer(impl.call("ref-get", store=store, name=name), "REF-001.1", "invalid-ref-name")


@pytest.mark.req("REF-001.1", "REF-001.3", "REF-007.1")
@pytest.mark.parametrize("name", INVALID_NAMES)
@pytest.mark.req("CONV-004")
def test_ref_cas_refuses_invalid_names(impl: Implementation, store: str, name: str) -> None:
    error_answer(
        impl.call("ref-cas", store=store, name=name, expected=None, new=hexid(BLOB)),
        "REF-007.1",
        "invalid-ref-name",
    )
    check_equal(
        "REF-001.1",
        [],
        call_ok(impl, "REF-001.1", "ref-list", store=store, prefix="")["names"],
        "the names ref-list answers",
    )


@pytest.mark.smoke
@pytest.mark.req("REF-007.3", "REF-006")
def test_ref_list_accepts_any_prefix(impl: Implementation, store: str) -> None:
    call_ok(
        impl, "REF-007.3", "ref-cas", store=store, name="names/a.b", expected=None, new=hexid(BLOB)
    )
    call_ok(
        impl, "REF-007.3", "ref-cas", store=store, name="names/a/b", expected=None, new=hexid(BLOB)
    )
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
        check_equal(
            "REF-006",
            names,
            call_ok(impl, "REF-006", "ref-list", store=store, prefix=prefix)["names"],
            f"the names ref-list answers for the prefix {prefix!a:.40}",
        )


@pytest.mark.req("REF-007.4", "REF-007.3")
@pytest.mark.parametrize("prefix", ["\ud800", "names/\udfff", "names/é", "\U0001f600", "ñ"])
def test_a_prefix_no_ref_name_can_start_with_lists_nothing(
    impl: Implementation, store: str, prefix: str
) -> None:
    call_ok(
        impl, "REF-007.4", "ref-cas", store=store, name="names/a", expected=None, new=hexid(BLOB)
    )
    check_equal(
        "REF-007.3",
        [],
        call_ok(impl, "REF-007.3", "ref-list", store=store, prefix=prefix)["names"],
        "the names ref-list answers",
    )


@pytest.mark.req("REF-007.5", "REF-004.2")
@pytest.mark.req("CONV-004")
def test_a_swap_to_none_checks_no_target(impl: Implementation, store: str) -> None:
    """Deleting a head is a swap without a target: REF-002 and REF-003 do not apply."""
    head = f"heads/{ACTOR.hex()}"
    call_ok(impl, "REF-004.2", "ref-cas", store=store, name=head, expected=None, new=hexid(STEP1))
    call_ok(impl, "REF-004.2", "ref-cas", store=store, name=head, expected=hexid(STEP1), new=None)
    check_equal(
        "REF-007.5",
        None,
        call_ok(impl, "REF-007.5", "ref-get", store=store, name=head)["id"],
        "the id ref-get answers",
    )
    # none to none: the swap of an absent ref, even under a name no step could fill
    call_ok(
        impl,
        "REF-004.2",
        "ref-cas",
        store=store,
        name=f"heads/{OTHER_ACTOR.hex()}",
        expected=None,
        new=None,
    )
    reply = impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=None)
    error_answer(reply, "REF-007.5", "ref-conflict")
    check_equal("REF-007.5", None, reply.error.get("current", ""))


@pytest.mark.smoke
@pytest.mark.req("REF-004.1", "REF-004.2", "REF-004.3", "REF-005", "REF-006")
@pytest.mark.req("CONV-004")
def test_compare_and_swap(impl: Implementation, store: str) -> None:
    name = "names/counter"
    call_ok(impl, "REF-004.1", "ref-cas", store=store, name=name, expected=None, new=hexid(BLOB))
    check_equal(
        "REF-004.1",
        hexid(BLOB),
        call_ok(impl, "REF-004.1", "ref-get", store=store, name=name)["id"],
        "the id ref-get answers",
    )
    for expected in (None, hexid(STEP1)):
        reply = impl.call("ref-cas", store=store, name=name, expected=expected, new=hexid(STEP1))
        error_answer(reply, "REF-004.1", "ref-conflict")
        check_equal(
            "REF-004.1",
            hexid(BLOB),
            reply.error.get("current"),
            "ref-conflict carries the current value",
        )
    check_equal(
        "REF-004.1",
        hexid(BLOB),
        call_ok(impl, "REF-004.1", "ref-get", store=store, name=name)["id"],
        "the id ref-get answers",
    )  # unchanged
    call_ok(
        impl, "REF-004.1", "ref-cas", store=store, name=name, expected=hexid(BLOB), new=hexid(STEP1)
    )
    call_ok(
        impl, "REF-004.1", "ref-cas", store=store, name="names/b", expected=None, new=hexid(BLOB)
    )
    call_ok(
        impl, "REF-004.1", "ref-cas", store=store, name="names/a/z", expected=None, new=hexid(BLOB)
    )
    check_equal(
        "REF-006",
        [
            "names/a/z",
            "names/b",
            "names/counter",
        ],
        call_ok(impl, "REF-006", "ref-list", store=store, prefix="names/")["names"],
        "the names ref-list answers",
    )
    call_ok(impl, "REF-004.1", "ref-cas", store=store, name=name, expected=hexid(STEP1), new=None)
    check_equal(
        "REF-004.1",
        None,
        call_ok(impl, "REF-004.1", "ref-get", store=store, name=name)["id"],
        "the id ref-get answers",
    )
    check_equal(
        "REF-006",
        [],
        call_ok(impl, "REF-006", "ref-list", store=store, prefix="names/c")["names"],
        "the names ref-list answers",
    )


@pytest.mark.req("REF-002.1", "REF-002.2", "REF-003.1", "REF-003.2")
@pytest.mark.req("CONV-004")
def test_heads_point_at_present_steps_of_their_actor(impl: Implementation, store: str) -> None:
    head = f"heads/{ACTOR.hex()}"
    absent = g.object_id(g.Step(actor=ACTOR, core=OTHER_ACTOR)).hex()
    error_answer(
        impl.call("ref-cas", store=store, name=head, expected=None, new=absent),
        "REF-002.1",
        "not-found",
    )
    error_answer(
        impl.call("ref-cas", store=store, name="names/x", expected=None, new=absent),
        "REF-002.1",
        "not-found",
    )
    wrong_targets: list[g.GritObject] = [BLOB, ACTOR_CORE, FOREIGN_STEP]
    for wrong in wrong_targets:
        error_answer(
            impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(wrong)),
            "REF-002.1",
            "invalid-ref-target",
        )
    check_equal(
        "REF-002.1",
        None,
        call_ok(impl, "REF-002.1", "ref-get", store=store, name=head)["id"],
        "the id ref-get answers",
    )
    call_ok(impl, "REF-002.1", "ref-cas", store=store, name=head, expected=None, new=hexid(STEP1))
    call_ok(
        impl,
        "REF-002.1",
        "ref-cas",
        store=store,
        name=head,
        expected=hexid(STEP1),
        new=hexid(STEP2),
    )
    check_equal(
        "REF-002.1",
        hexid(STEP2),
        call_ok(impl, "REF-002.1", "ref-get", store=store, name=head)["id"],
        "the id ref-get answers",
    )


@pytest.mark.req("DUR-001", "DUR-002.1", "DUR-002.2", "STO-006", "ADP-010")
def test_durable_store_survives_reopen_and_kill(impl: Implementation, tmp_path: Path) -> None:
    path = tmp_path / "durable"
    path.mkdir()
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="durable", path=str(path))["store"])
    for obj in OBJECTS:
        call_ok(impl, "DUR-001", "put", store=handle, bytes=g.encode_object(obj).hex())
    head = f"heads/{ACTOR.hex()}"
    call_ok(impl, "DUR-001", "ref-cas", store=handle, name=head, expected=None, new=hexid(STEP1))
    call_ok(impl, "DUR-001", "store-reopen", store=handle)
    check_equal(
        "DUR-001",
        hexid(STEP1),
        call_ok(impl, "DUR-001", "ref-get", store=handle, name=head)["id"],
        "the id ref-get answers",
    )
    call_ok(
        impl, "DUR-001", "ref-cas", store=handle, name=head, expected=hexid(STEP1), new=hexid(STEP2)
    )
    impl.kill()  # SIGKILL for a process: no shutdown, no close
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="durable", path=str(path))["store"])
    check_equal(
        "DUR-001",
        hexid(STEP2),
        call_ok(impl, "DUR-001", "ref-get", store=handle, name=head)["id"],
        "the id ref-get answers",
    )
    for obj in OBJECTS:
        data = call_ok(impl, "DUR-001", "get", store=handle, id=hexid(obj))["bytes"]
        check_equal("DUR-001", g.encode_object(obj).hex(), data, "the bytes get answers")
    call_ok(impl, "DUR-001", "store-close", store=handle)


@pytest.mark.smoke
@pytest.mark.req("REF-007.1", "STO-004.2")
@pytest.mark.req("CONV-004")
def test_cas_reports_the_first_failing_check(impl: Implementation, store: str) -> None:
    head = f"heads/{ACTOR.hex()}"
    absent = g.object_id(g.Blob(data=b"absent")).hex()
    # A bad name wins over a missing target; a missing target over a wrong target kind.
    error_answer(
        impl.call("ref-cas", store=store, name="tags/x", expected=hexid(BLOB), new=absent),
        "REF-007.1",
        "invalid-ref-name",
    )
    error_answer(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=absent),
        "REF-007.1",
        "not-found",
    )
    # A wrong target wins over a wrong expected value.
    error_answer(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=hexid(BLOB)),
        "REF-007.1",
        "invalid-ref-target",
    )
    error_answer(
        impl.call("ref-cas", store=store, name=head, expected=hexid(BLOB), new=hexid(STEP1)),
        "REF-007.1",
        "ref-conflict",
    )
    call_ok(impl, "REF-007.1", "store-corrupt", store=store, id=hexid(STEP2))
    error_answer(
        impl.call("ref-cas", store=store, name=head, expected=None, new=hexid(STEP2)),
        "REF-007.1",
        "corrupt-object",
    )


@pytest.mark.req("ADP-004", "ID-003")
@pytest.mark.req("CONV-004")
def test_malformed_ids_in_arguments(impl: Implementation, store: str) -> None:
    for bad in (hexid(BLOB).upper(), hexid(BLOB)[:63], "x" * 64):
        reply = impl.call("get", store=store, id=bad, check=False)
        error_answer(reply, "ADP-004", "invalid-id")
