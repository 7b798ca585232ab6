"""Which error an adapter reports when two rules apply, and where a field goes.

* odd-length hex is not hex: ``bad-request`` in every byte-string argument, but
  ``invalid-object`` as blob ``data`` inside a description (ADP-004.5, OBJ-018.8);
* arguments are checked before the command, in the order of the command's table;
  the ref-name rule comes after (ADP-004.6, REF-007.1);
* a line that repeats a key in any JSON object is ``seq: null``, ``bad-request``
  (ADP-004.7, OBJ-018.10);
* ``current`` of a ``ref-conflict`` is a member of ``error``, and a failed response
  has nothing but ``seq``, ``ok`` and ``error`` (ADP-003.3, ADP-010.4).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import parse_response

from .._check import call_ok, check, check_equal, check_outcome, error_answer, ok_answer
from ._raw import assert_still_serving, send_raw, separate_process

ZERO = "00" * 32
BLOB = g.Blob(data=b"precedence")


@pytest.fixture
def store(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="memory")["store"])
    yield handle
    impl.call("store-close", store=handle)


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle)


# --- ADP-004.5: odd-length hex ------------------------------------------------------------

ODD = "abc"


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.5", "ADP-004.2")
@pytest.mark.parametrize("cmd", ["hash", "decode", "id", "decode-value"])
@pytest.mark.req("CONV-004")
def test_odd_length_hex_is_bad_request_in_codec_arguments(impl: Implementation, cmd: str) -> None:
    check_outcome("ADP-004.5", impl.call(cmd, check=False, bytes=ODD), "bad-request")


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.5", "OBJ-018.8")
@pytest.mark.req("CONV-004")
def test_odd_length_hex_inside_a_description_is_invalid_object(impl: Implementation) -> None:
    reply = impl.call("encode", check=False, object={"type": "blob", "data": ODD})
    check_outcome("OBJ-018.8", reply, "invalid-object")


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.5", "ADP-004.3")
@pytest.mark.req("CONV-004")
def test_odd_length_hex_in_store_arguments(impl: Implementation, store: str) -> None:
    check_outcome("ADP-004.5", impl.call("put", check=False, store=store, bytes=ODD), "bad-request")
    check_outcome(
        "ADP-004.3", impl.call("get", check=False, store=store, id=ZERO[:-1]), "invalid-id"
    )
    check_outcome("ADP-004.3", impl.call("has", check=False, store=store, id=ODD), "invalid-id")


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.5", "ADP-014")
@pytest.mark.parametrize("where", ["state", "content-blob", "content-tree"])
@pytest.mark.req("CONV-004")
def test_odd_length_hex_in_wit_arguments(impl: Implementation, runtime: str, where: str) -> None:
    if where == "state":
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor="echo",
                          state={"n": ODD})  # fmt: skip
    else:
        content: Any = {"blob": ODD}
        if where == "content-tree":
            content = {"tree": {"a": {"blob": "00"}, "b": content}}
        reply = impl.call("wit-send", check=False, runtime=runtime, to=ZERO, mt="m",
                          content=content)  # fmt: skip
    check_outcome("ADP-004.5", reply, "bad-request")


@pytest.mark.profile("wasm")
@pytest.mark.req("ADP-004.5", "ADP-016")
@pytest.mark.req("CONV-004")
def test_odd_length_hex_as_a_module_is_bad_request(impl: Implementation) -> None:
    check_outcome(
        "ADP-004.5", impl.call("wasm-load", check=False, module="0061736d0"), "bad-request"
    )


# --- ADP-004.6: arguments first, in the table's order -------------------------------------


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.6", "ADP-004.3", "REF-007.1", "REF-001.3")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"name": "bad name", "expected": "zz", "new": None}, "invalid-id"),
        ({"name": "bad name", "expected": None, "new": "zz"}, "invalid-id"),
        ({"name": "bad name", "expected": ZERO.upper(), "new": "zz"}, "invalid-id"),
        ({"name": "bad name", "expected": None}, "bad-request"),
        ({"name": 7, "expected": "zz", "new": None}, "bad-request"),
        ({"name": "bad name", "expected": None, "new": None}, "invalid-ref-name"),
        ({"name": "bad name", "expected": None, "new": ZERO}, "invalid-ref-name"),
    ],
    ids=["expected-id", "new-id", "both-ids", "new-missing", "name-not-text", "name", "name-first"],
)
@pytest.mark.req("CONV-004")
def test_ref_cas_checks_its_arguments_before_the_ref_name(
    impl: Implementation, store: str, args: dict[str, Any], expected: str
) -> None:
    reply = impl.call("ref-cas", check=False, store=store, **args)
    check_outcome("ADP-004.6", reply, expected)


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.6", "ADP-010.2")
@pytest.mark.parametrize(
    ("cmd", "args"),
    [
        ("ref-cas", {"name": "bad name", "expected": "zz", "new": None}),
        ("ref-get", {"name": "bad name"}),
        ("get", {"id": "zz"}),
        ("put", {"bytes": "a0"}),
    ],
    ids=["ref-cas", "ref-get", "get", "put"],
)
@pytest.mark.req("CONV-004")
def test_an_unknown_store_handle_is_reported_first(
    impl: Implementation, cmd: str, args: dict[str, Any]
) -> None:
    reply = impl.call(cmd, check=False, store="no-such-store", **args)
    check_outcome("ADP-004.6", reply, "bad-request")


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.6", "ADP-014")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"to": "zz", "content": {"neither": 1}}, "invalid-id"),
        ({"to": "zz", "mt": 5, "content": {"blob": "00"}}, "invalid-id"),
        ({"to": "zz", "content": {"blob": "00"}, "signal": "yes"}, "invalid-id"),
        ({"to": ZERO, "content": {"neither": 1}, "signal": "yes"}, "bad-request"),
    ],
    ids=["to-before-content", "to-before-mt", "to-before-signal", "then-the-rest"],
)
@pytest.mark.req("CONV-004")
def test_wit_send_checks_to_first(
    impl: Implementation, runtime: str, args: dict[str, Any], expected: str
) -> None:
    reply = impl.call("wit-send", check=False, runtime=runtime, **args)
    check_outcome("ADP-004.6", reply, expected)


# --- ADP-003.3, ADP-010.4: where current goes ---------------------------------------------


@pytest.mark.smoke
@pytest.mark.profile("store")
@pytest.mark.req("ADP-010.4", "ADP-003.3", "REF-004.3")
@pytest.mark.req("CONV-004")
def test_current_of_a_ref_conflict_is_a_member_of_error(impl: Implementation, store: str) -> None:
    oid = str(
        call_ok(impl, "ADP-010.4", "put", store=store, bytes=g.encode_object(BLOB).hex())["id"]
    )
    absent = impl.call("ref-cas", store=store, name="names/c", expected=oid, new=None)
    what = "ref-cas of an absent ref expecting an id"
    error_answer(absent, "ADP-010.4", "ref-conflict", what)
    check_equal("ADP-003.3", None, absent.error.get("current", ""), f"the current {what} names")
    call_ok(impl, "ADP-010.4", "ref-cas", store=store, name="names/c", expected=None, new=oid)
    held = impl.call("ref-cas", store=store, name="names/c", expected=None, new=oid)
    what = "ref-cas of a held ref expecting none"
    error_answer(held, "ADP-010.4", "ref-conflict", what)
    check_equal("ADP-003.3", oid, held.error.get("current"), f"the current {what} names")
    other = impl.call("get", store=store, id=ZERO)
    error_answer(other, "ADP-010.4", "not-found", "get of an absent object")
    check(
        "ADP-003.3",
        "current" not in other.error,
        expected="no current in a not-found error",
        came=other,
    )


@pytest.mark.profile("protocol")
@pytest.mark.req("ADP-003.3", "ADP-010.4", "ADP-013")
@pytest.mark.parametrize(
    "line",
    [
        '{"seq":1,"ok":false,"current":null,"error":{"class":"ref-conflict","current":null}}',
        '{"seq":1,"ok":false,"error":{"class":"ref-conflict"}}',
        '{"seq":1,"ok":false,"error":{"class":"not-found","current":null}}',
        '{"seq":1,"ok":false,"requirement":"REF-004.3","error":{"class":"not-found"}}',
    ],
    ids=["current-at-top", "current-missing", "current-elsewhere", "requirement-at-top"],
)
def test_the_harness_refuses_misplaced_error_fields(impl: Implementation, line: str) -> None:
    """The protocol schema holds ADP-003.3 and ADP-010.4, so a misplaced field is a
    broken adapter whatever the test in progress looks at."""
    with pytest.raises(Exception, match="schema"):
        parse_response(line.encode(), 1, "ref-cas")


# --- ADP-004.7: repeated keys ---------------------------------------------------------------

REPEATED = {
    "command-field": b'{"seq": 1, "cmd": "hash", "bytes": "", "bytes": "00"}',
    "seq": b'{"seq": 1, "seq": 2, "cmd": "hash", "bytes": ""}',
    "escaped-equal": b'{"seq": 1, "cmd": "hash", "bytes": "", "\\u0062ytes": "00"}',
    "description-field": (
        b'{"seq": 1, "cmd": "encode", "object": {"type": "blob", "data": "", "data": "00"}}'
    ),
    "description-headers": (
        b'{"seq": 1, "cmd": "encode", "object": {"type": "blob", "data": "",'
        b' "headers": {"a": "1", "a": "1"}}}'
    ),
    "unknown-field": b'{"seq": 1, "cmd": "hash", "bytes": "", "x": {"k": 1, "k": 2}}',
}


@pytest.mark.smoke
@pytest.mark.profile("codec")  # its vehicle is a codec command (ADP-006)
@pytest.mark.req("ADP-004.7", "OBJ-018.10", "ADP-004.4")
@pytest.mark.parametrize("name", list(REPEATED))
@pytest.mark.req("CONV-004")
def test_a_line_that_repeats_a_key_is_seq_null_bad_request(impl: Implementation, name: str) -> None:
    with separate_process(impl) as process:
        what = "(a line with a repeated key)"
        first = process.answer_json(send_raw(process, REPEATED[name], what), what)
        got = [first.get("seq"), first.get("ok"), (first.get("error") or {}).get("class")]
        what = f"[seq, ok, error class] of the answer to a line repeating a key ({name})"
        check_equal("ADP-004.7", [None, False, "bad-request"], got, what)
        assert_still_serving(process, "ADP-004.4")


@pytest.mark.profile("codec")  # its vehicle is a codec command (ADP-006)
@pytest.mark.req("ADP-004.7", "ADP-002")
def test_equal_keys_in_different_objects_are_not_repeats(impl: Implementation) -> None:
    reply = impl.call("hash", bytes="", x={"bytes": 1, "seq": 2}, y=[{"k": 1}, {"k": 2}])
    ok_answer(reply, "ADP-004.7", "hash with equal keys in different objects (no repeats)")


# --- ADP-004.8: arguments that describe objects: shape, surrogates, then objects ----------

LONE = "\ud800"
SEND_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "blob-and-tree": ({"content": {"blob": "00", "tree": {"a": {"blob": "00"}}}}, "bad-request"),
    "neither": ({"content": {}}, "bad-request"),
    "shape-before-name": ({"content": {"tree": {"a/b": {"blob": "zz"}}}}, "bad-request"),
    "shape-before-surrogate": (
        {"mt": LONE, "content": {"tree": {"a": {"blob": "00", "headers": []}}}},
        "bad-request",
    ),
    "surrogate-before-name": (
        {"content": {"tree": {"a/b": {"blob": "00"}, "x": {"blob": "00", "headers": {"k": LONE}}}}},
        "invalid-utf8",
    ),
    "mt-surrogate-before-empty-tree": ({"mt": LONE, "content": {"tree": {}}}, "invalid-utf8"),
    "entries-before-their-tree": (
        {"content": {"tree": {"a/b": {"blob": "00"}, "c": {"tree": {}}}}},
        "invalid-object",
    ),
    "canonical-entry-order": (
        {"content": {"tree": {"bb": {"tree": {}}, "a": {"tree": {"x/": {"blob": "00"}}}}}},
        "invalid-name",
    ),
    "header-value-not-text": ({"content": {"blob": "00", "headers": {"k": 1}}}, "invalid-object"),
    # values JSON gives as an array, an object or null: no text either (OBJ-006.3), and
    # not a value a reader may look up as it is (an array cannot be a key of a table)
    "header-value-an-array": (
        {"content": {"blob": "00", "headers": {"k": ["v"]}}},
        "invalid-object",
    ),
    "header-value-an-object": (
        {"content": {"blob": "00", "headers": {"k": {"a": "v"}}}},
        "invalid-object",
    ),
    "header-value-null": ({"content": {"blob": "00", "headers": {"k": None}}}, "invalid-object"),
    "header-values-text-and-array": (
        {"content": {"blob": "00", "headers": {"a": "v", "k": ["v"]}}},
        "invalid-object",
    ),
    "empty-headers-are-none": ({"content": {"blob": "00", "headers": {}}}, "ok"),
}


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "OBJ-011.2", "OBJ-010", "OBJ-006.3", "OBJ-007.1", "ENC-008.1")
@pytest.mark.parametrize("name", list(SEND_CASES))
@pytest.mark.req("CONV-004")
def test_wit_send_judges_shape_then_surrogates_then_objects(
    impl: Implementation, runtime: str, name: str
) -> None:
    args, expected = SEND_CASES[name]
    reply = impl.call("wit-send", check=False, runtime=runtime, to=ZERO, **args)
    check_outcome("ADP-004.8", reply, expected)


GENESIS_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "actor-surrogate": ({"actor": LONE}, "bad-request"),
    "state-shape-before-name": ({"actor": "echo", "state": {"a/b": "zz"}}, "bad-request"),
    "state-surrogate-before-name": (
        {"actor": "echo", "state": {"a/b": "00", "x" + LONE: "00"}},
        "invalid-utf8",
    ),
    "state-name": ({"actor": "echo", "state": {"a/b": "00"}}, "invalid-name"),
    "state-wit": ({"actor": "echo", "state": {"wit": "00"}}, "bad-request"),
}


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "OBJ-011.2", "ENC-008.1")
@pytest.mark.parametrize("name", list(GENESIS_CASES))
@pytest.mark.req("CONV-004")
def test_wit_genesis_judges_shape_then_surrogates_then_objects(
    impl: Implementation, runtime: str, name: str
) -> None:
    args, expected = GENESIS_CASES[name]
    reply = impl.call("wit-genesis", check=False, runtime=runtime, **args)
    check_outcome("ADP-004.8", reply, expected)


# --- ADP-003.4: results beside seq and ok ---------------------------------------------------


@pytest.mark.profile("codec")  # its vehicle is a codec command (ADP-006)
@pytest.mark.req("ADP-003.4", "ADP-003.2")
def test_results_are_members_of_the_response_itself(impl: Implementation) -> None:
    with separate_process(impl) as process:
        request = {"seq": 77, "cmd": "hash", "bytes": "00"}
        line = process.exchange_raw(json.dumps(request).encode() + b"\n", "hash", 77)
        answer = process.answer_json(line, "hash")
        want = {"seq": 77, "ok": True, "digest": g.compute_id(b"\x00").hex()}
        check_equal("ADP-003.4", want, answer, "the answer to hash: its result beside seq and ok")


def _nested_content(depth: int) -> dict[str, Any]:
    content: dict[str, Any] = {"blob": "00"}
    for _ in range(depth):
        content = {"tree": {"a": content}}
    return content


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "ADP-014")
@pytest.mark.parametrize(("depth", "expected"), [(16, "ok"), (17, "bad-request")])
@pytest.mark.req("CONV-004")
def test_content_nesting_is_counted_from_the_outermost_description(
    impl: Implementation, runtime: str, depth: int, expected: str
) -> None:
    """The blob at the bottom of ``depth`` trees is at depth ``depth``; 16 is the deepest."""
    reply = impl.call(
        "wit-send", check=False, runtime=runtime, to=ZERO, content=_nested_content(depth)
    )
    check_outcome("ADP-004.8", reply, expected)
