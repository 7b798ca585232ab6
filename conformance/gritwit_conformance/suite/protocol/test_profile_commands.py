"""The commands of the ``codec`` and ``store`` profiles answer as the tables say.

``codec`` (ADP-009): each command's results, and the error class of each kind of
failure (ADP-007), compared with the in-process reference as oracle.  ``store``
(ADP-010): handles name separate stores, the ``bad-request`` cases, durable
contents seen by a new adapter process, and malformed id arguments (ADP-004.3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit._json import object_to_json
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, check_outcome, ok_answer, suite_premise

BLOB = g.Blob(data=b"protocol")
VALUE = "a2616101616282f5f6"  # {"a": 1, "b": [true, null]}
#: Object descriptions the object rules refuse (OBJ-011, OBJ-017, OBJ-018).
BAD_DESCRIPTIONS = [
    {"type": "blob"},
    {"type": "blob", "data": "zz"},
    {"type": "tree", "entries": {"": "00" * 32}},
    {"type": "unknown", "data": "00"},
]
#: Bytes the decoder refuses, one per decoder error (ENC-001, ENC-007, ENC-010, ENC-011 …).
BAD_BYTES = ["", "18", "1818" + "00", "1805", "a2617a00616100", "a1616101", "9f00ff", "c100"]


def oracle(cmd: str, **args: Any) -> dict[str, Any]:
    """What the reference answers (in process)."""
    return ReferenceAdapter().handle({"seq": 0, "cmd": cmd, **args})


def expected_outcome(answer: dict[str, Any]) -> str:
    return "ok" if answer["ok"] else str(answer["error"]["class"])


# --- codec (ADP-009) -------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.1")
def test_codec_commands_answer_as_the_table_says(impl: Implementation) -> None:
    described = object_to_json(BLOB)
    encoded = oracle("encode", object=described)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("encode", {"object": described}),
        ("decode", {"bytes": encoded["bytes"]}),
        ("id", {"bytes": encoded["bytes"]}),
        ("decode-value", {"bytes": VALUE}),
        ("hash", {"bytes": encoded["bytes"]}),
    ]
    for cmd, args in calls:
        reply = impl.call(cmd, **args)
        expected = {k: v for k, v in oracle(cmd, **args).items() if k not in ("seq", "ok")}
        answer = ok_answer(reply, "ADP-009.1")
        check_equal("ADP-009.1", expected, answer, f"the answer to {cmd}, the reference's")


@pytest.mark.smoke
@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.2", "ADP-007")
@pytest.mark.req("CONV-004")
def test_codec_failures_carry_the_spec_class(impl: Implementation) -> None:
    for description in BAD_DESCRIPTIONS:
        expected = expected_outcome(oracle("encode", object=description))
        suite_premise(expected != "ok", f"the reference refuses to encode {description}")
        reply = impl.call("encode", object=description)
        check_outcome("ADP-009.2", reply, expected)
    for data in BAD_BYTES:
        for cmd in ("decode", "id", "decode-value"):
            expected = expected_outcome(oracle(cmd, bytes=data))
            if expected == "ok":  # a valid generic value that is no object
                continue
            reply = impl.call(cmd, bytes=data)
            check_outcome("ADP-009.2", reply, expected)


# --- store (ADP-010) -------------------------------------------------------------------


def _open(impl: Implementation, clause: Clause, kind: str = "memory", **args: Any) -> str:
    return str(call_ok(impl, clause, "store-open", kind=kind, **args)["store"])


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.1")
def test_store_commands_answer_as_the_table_says(impl: Implementation) -> None:
    data = g.encode_object(BLOB).hex()
    oid = g.object_id(BLOB).hex()
    rule = "ADP-010.1"
    first, second = _open(impl, rule), _open(impl, rule)
    check(
        rule,
        first != second,
        expected="two handles",
        came=f"{first!r} twice",
        what="the handles of two store-open calls",
    )
    answers: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("put", {"store": first, "bytes": data}, {"id": oid}),
        ("get", {"store": first, "id": oid}, {"bytes": data}),
        ("has", {"store": first, "id": oid}, {"present": True}),
        # a put into one store must not show in another: handles name separate stores
        ("has", {"store": second, "id": oid}, {"present": False}),
    ]
    for cmd, args, expected in answers:
        check_equal(rule, expected, call_ok(impl, rule, cmd, **args), f"the answer to {cmd}")
    call_ok(impl, rule, "ref-cas", store=first, name="names/x", expected=None, new=oid)
    answers = [
        ("ref-get", {"store": first, "name": "names/x"}, {"id": oid}),
        ("ref-get", {"store": second, "name": "names/x"}, {"id": None}),
        ("ref-list", {"store": first, "prefix": "names/"}, {"names": ["names/x"]}),
    ]
    for cmd, args, expected in answers:
        check_equal(rule, expected, call_ok(impl, rule, cmd, **args), f"the answer to {cmd}")
    for handle in (first, second):
        call_ok(impl, rule, "store-close", store=handle)


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.2")
@pytest.mark.req("CONV-004")
def test_store_bad_requests(impl: Implementation) -> None:
    store = _open(impl, "ADP-010.2")
    absent = g.object_id(BLOB).hex()
    cases = [
        ("store-corrupt", {"store": store, "id": absent}),
        ("store-reopen", {"store": store}),
        ("get", {"store": "no-such-store", "id": absent}),
        ("put", {"store": "no-such-store", "bytes": g.encode_object(BLOB).hex()}),
        ("store-close", {"store": "no-such-store"}),
    ]
    for cmd, args in cases:
        reply = impl.call(cmd, **args)  # type: ignore[arg-type]
        check_outcome("ADP-010.2", reply, "bad-request")
    call_ok(impl, "ADP-010.2", "store-close", store=store)


@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.2")
@pytest.mark.req("CONV-004")
def test_store_corrupt_of_an_absent_id_in_a_durable_store_is_bad_request(
    impl: Implementation, tmp_path: Path
) -> None:
    """As in a memory store (:func:`test_store_bad_requests`), whatever keeps the durable
    store's objects (a database server, ADP-010.6)."""
    (tmp_path / "durable").mkdir()
    store = _open(impl, "ADP-010.2", "durable", path=str(tmp_path / "durable"))
    call_ok(impl, "ADP-010.2", "put", store=store, bytes=g.encode_object(BLOB).hex())
    absent = g.object_id(g.Blob(data=b"never stored here")).hex()
    check_outcome(
        "ADP-010.2",
        impl.call("store-corrupt", store=store, id=absent),
        "bad-request",
        "store-corrupt of an id the durable store does not hold",
    )
    call_ok(impl, "ADP-010.2", "store-close", store=store)


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.3")
def test_durable_contents_outlive_the_adapter_process(impl: Implementation, tmp_path: Path) -> None:
    data = g.encode_object(BLOB).hex()
    oid = g.object_id(BLOB).hex()
    path = str(tmp_path / "durable")
    Path(path).mkdir()
    writer = impl._fresh()
    try:
        store = _open(writer, "ADP-010.3", "durable", path=path)
        call_ok(writer, "ADP-010.3", "put", store=store, bytes=data)
        call_ok(writer, "ADP-010.3", "ref-cas", store=store, name="names/x", expected=None, new=oid)
    finally:
        writer.close()  # shutdown: the process ends
    reader = impl._fresh()
    try:
        store = _open(reader, "ADP-010.3", "durable", path=path)
        got = call_ok(reader, "ADP-010.3", "get", store=store, id=oid)
        check_equal("ADP-010.3", {"bytes": data}, got, "the object, read by another process")
        ref = call_ok(reader, "ADP-010.3", "ref-get", store=store, name="names/x")
        check_equal("ADP-010.3", {"id": oid}, ref, "the ref, read by another process")
    finally:
        reader.close()


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.3")
@pytest.mark.req("CONV-004")
def test_malformed_id_arguments_are_invalid_id(impl: Implementation) -> None:
    store = _open(impl, "ADP-004.3")
    good = g.object_id(BLOB).hex()
    for bad in (good.upper(), good[:62], good + "00", "x" * 64, ""):
        for cmd in ("get", "has"):
            reply = impl.call(cmd, store=store, id=bad, check=False)
            check_outcome("ADP-004.3", reply, "invalid-id")
    call_ok(impl, "ADP-004.3", "store-close", store=store)
