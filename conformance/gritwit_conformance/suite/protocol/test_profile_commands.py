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
from gritwit_conformance.harness._messages import Response

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


def outcome(reply: Response) -> str:
    return reply.outcome()


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
        assert reply.ok and reply.result == expected, f"{cmd} {args}: {reply} != {expected}"


@pytest.mark.smoke
@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.2", "ADP-007")
def test_codec_failures_carry_the_spec_class(impl: Implementation) -> None:
    for description in BAD_DESCRIPTIONS:
        expected = expected_outcome(oracle("encode", object=description))
        assert expected != "ok"
        reply = impl.call("encode", object=description)
        assert outcome(reply) == expected, f"encode {description}: {reply}"
    for data in BAD_BYTES:
        for cmd in ("decode", "id", "decode-value"):
            expected = expected_outcome(oracle(cmd, bytes=data))
            if expected == "ok":  # a valid generic value that is no object
                continue
            reply = impl.call(cmd, bytes=data)
            assert outcome(reply) == expected, f"{cmd} {data!r}: {reply}"


# --- store (ADP-010) -------------------------------------------------------------------


def _open(impl: Implementation, kind: str = "memory", **args: Any) -> str:
    reply = impl.call("store-open", kind=kind, **args)
    assert reply.ok, reply
    return str(reply.result["store"])


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.1")
def test_store_commands_answer_as_the_table_says(impl: Implementation) -> None:
    data = g.encode_object(BLOB).hex()
    oid = g.object_id(BLOB).hex()
    first, second = _open(impl), _open(impl)
    assert first != second, "two store-open calls must give two handles"
    assert impl.call("put", store=first, bytes=data).result == {"id": oid}
    assert impl.call("get", store=first, id=oid).result == {"bytes": data}
    assert impl.call("has", store=first, id=oid).result == {"present": True}
    assert impl.call("has", store=second, id=oid).result == {"present": False}, (
        "a put into one store shows in another: handles must name separate stores"
    )
    assert impl.call("ref-cas", store=first, name="names/x", expected=None, new=oid).ok
    assert impl.call("ref-get", store=first, name="names/x").result == {"id": oid}
    assert impl.call("ref-get", store=second, name="names/x").result == {"id": None}
    assert impl.call("ref-list", store=first, prefix="names/").result == {"names": ["names/x"]}
    for handle in (first, second):
        assert impl.call("store-close", store=handle).ok


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.2")
def test_store_bad_requests(impl: Implementation) -> None:
    store = _open(impl)
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
        assert outcome(reply) == "bad-request", f"{cmd} {args}: {reply}"
    assert impl.call("store-close", store=store).ok


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
        store = _open(writer, "durable", path=path)
        assert writer.call("put", store=store, bytes=data).ok
        assert writer.call("ref-cas", store=store, name="names/x", expected=None, new=oid).ok
    finally:
        writer.close()  # shutdown: the process ends
    reader = impl._fresh()
    try:
        store = _open(reader, "durable", path=path)
        assert reader.call("get", store=store, id=oid).result == {"bytes": data}
        assert reader.call("ref-get", store=store, name="names/x").result == {"id": oid}
    finally:
        reader.close()


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.3")
def test_malformed_id_arguments_are_invalid_id(impl: Implementation) -> None:
    store = _open(impl)
    good = g.object_id(BLOB).hex()
    for bad in (good.upper(), good[:62], good + "00", "x" * 64, ""):
        for cmd in ("get", "has"):
            reply = impl.call(cmd, store=store, id=bad, check=False)
            assert outcome(reply) == "invalid-id", f"{cmd} id={bad!r}: {reply}"
    assert impl.call("store-close", store=store).ok
