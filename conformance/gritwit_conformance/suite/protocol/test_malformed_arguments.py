"""Arguments over input classes where implementations differ.

* ID-003, ADP-004.3: an id argument that is a near miss of a text-form id — a
  trailing newline or other whitespace, upper case, non-ASCII digits, a ``0x``
  prefix, a digit too few or too many — is ``invalid-id`` in every id argument of the
  store and wit commands, even when the id it almost is names a stored object;
* ADP-004.6: an unknown or malformed handle (missing, not a string, empty, the real
  handle in another case or with a newline, a closed one) is ``bad-request`` before
  any later argument's fault (a malformed id, a lone surrogate, a bad name, an
  absent object), in every command that takes a handle;
* ADP-004.5: a byte-string argument that is not an even number of lowercase hex
  digits — upper case above all — is ``bad-request`` in every such argument: codec
  and store ``bytes``, each ``state`` value, a content ``blob`` at any depth, ``module``;
* ADP-004.8: a lone surrogate in ``mt``, a header name or value or a tree name of a
  content description, at any depth, or in a ``state`` name, is ``invalid-utf8``:
  never repaired to U+FFFD and sent.

Expected classes are the spec's rules; the ids of messages sent successfully are
computed here from the objects the description names (ADP-014, WIT-004).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, check_outcome, ok_answer
from gritwit_conformance.suite._properties import properties

run = properties(50)

ZERO = "00" * 32
TO = "11" * 32
LONE = list(tc.TEXT_SAMPLES["lone-surrogate"])
BLOB = g.Blob(data=b"open arguments", headers={"k": "v"})
BLOB_HEX = g.encode_object(BLOB).hex()
BLOB_ID = g.object_id(BLOB).hex()


@pytest.fixture
def store(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-004.3", "store-open", kind="memory")["store"])
    check_equal(
        "ADP-004.3",
        BLOB_ID,
        call_ok(impl, "ADP-004.3", "put", store=handle, bytes=BLOB_HEX)["id"],
        "the id put answers",
    )
    yield handle
    impl.call("store-close", store=handle, check=False)


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- the message wit-send sends, computed from the description (ADP-014) -------------------


def _content_id(description: dict[str, Any]) -> g.ObjectId:
    if "blob" in description:
        return g.object_id(
            g.Blob(data=bytes.fromhex(description["blob"]), headers=description.get("headers", {}))
        )
    entries = {name: _content_id(child) for name, child in description["tree"].items()}
    return g.object_id(g.Tree(entries=entries))


def _message_id(description: dict[str, Any], mt: str | None) -> str:
    """The first queued message from the outside to a recipient: no ``previous``."""
    headers = {} if mt is None else {"mt": mt}
    return g.object_id(g.Message(content=_content_id(description), headers=headers)).hex()


def _send(impl: Implementation, runtime: str, content: Any, mt: str | None, to: str = TO) -> Any:
    args: dict[str, Any] = {"to": to, "content": content}
    if mt is not None:
        args["mt"] = mt
    return impl.call("wit-send", check=False, runtime=runtime, **args)


# --- ID-003: near misses of a text-form id in id arguments ---------------------------------

STORE_ID_ARGS: dict[str, tuple[str, Any]] = {
    "get": ("get", lambda bad: {"id": bad}),
    "has": ("has", lambda bad: {"id": bad}),
    "store-corrupt": ("store-corrupt", lambda bad: {"id": bad}),
    "ref-cas-expected": ("ref-cas", lambda bad: {"name": "names/x", "expected": bad, "new": None}),
    "ref-cas-new": ("ref-cas", lambda bad: {"name": "names/x", "expected": None, "new": bad}),
}


@pytest.mark.profile("store")
@pytest.mark.req("ID-003", "ADP-004.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul", "empty", "largest", "past-largest")
@pytest.mark.parametrize("kind", tc.BAD_ID_KINDS)
@pytest.mark.parametrize("where", list(STORE_ID_ARGS))
@pytest.mark.req("CONV-004")
def test_store_id_arguments_refuse_every_near_miss(
    impl: Implementation, store: str, where: str, kind: str
) -> None:
    """The near miss is of an id the store holds: a lenient parser would find it."""
    bad = tc.bad_text_ids(BLOB_ID)[kind]
    cmd, request = STORE_ID_ARGS[where]
    reply = impl.call(cmd, check=False, store=store, **request(bad))
    check_outcome(
        "ID-003", reply, "invalid-id", f"{where} {bad!r}: not exactly 64 lowercase hex digits"
    )
    check_equal(
        "ID-003",
        True,
        call_ok(impl, "ID-003", "has", store=store, id=BLOB_ID)["present"],
        "the present has answers",
    )


@pytest.mark.profile("store")
@pytest.mark.req("ID-003", "ADP-004.3")
@run
@given(bad=tc.bad_text_id_strategy(st.just(BLOB_ID) | st.just(ZERO)))
@pytest.mark.req("CONV-004")
def test_store_has_refuses_generated_near_misses(impl: Implementation, bad: str) -> None:
    handle = str(call_ok(impl, "ID-003", "store-open", kind="memory")["store"])
    try:
        impl.call("put", store=handle, bytes=BLOB_HEX)
        reply = impl.call("has", check=False, store=handle, id=bad)
        check_outcome("ID-003", reply, "invalid-id")
    finally:
        impl.call("store-close", store=handle, check=False)


WIT_ID_ARGS = ("wit-head", "wit-object", "wit-query", "wit-send")


def _wit_id_request(cmd: str, bad: str) -> dict[str, Any]:
    if cmd == "wit-head":
        return {"actor": bad}
    if cmd == "wit-object":
        return {"id": bad}
    if cmd == "wit-query":
        return {"actor": bad, "name": "count"}
    return {"to": bad, "mt": "inc", "content": {"blob": ""}}


@pytest.mark.profile("wit")
@pytest.mark.req("ID-003", "ADP-004.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul", "empty", "largest", "past-largest")
@pytest.mark.parametrize("kind", tc.BAD_ID_KINDS)
@pytest.mark.parametrize("cmd", WIT_ID_ARGS)
@pytest.mark.req("CONV-004")
def test_wit_id_arguments_refuse_every_near_miss(
    impl: Implementation, runtime: str, cmd: str, kind: str
) -> None:
    """Near misses of the counter's id (it has a step, so a lenient parser finds it)."""
    actor = str(call_ok(impl, "ID-003", "wit-genesis", runtime=runtime, actor="counter")["actor"])
    call_ok(impl, "ID-003", "wit-run", runtime=runtime, max_steps=10)
    step = call_ok(impl, "ID-003", "wit-head", runtime=runtime, actor=actor)["step"]
    base = str(step) if cmd == "wit-object" else actor
    bad = tc.bad_text_ids(base)[kind]
    reply = impl.call(cmd, check=False, runtime=runtime, **_wit_id_request(cmd, bad))
    check_outcome(
        "ID-003", reply, "invalid-id", f"{cmd} with {bad!r}: not exactly 64 lowercase hex digits"
    )


# --- ADP-004.6: an unknown handle first ----------------------------------------------------

HANDLE_KINDS = ("missing", "null", "number", "list", "empty", "unknown", "newline", "case",
                "space", "closed")  # fmt: skip


def _bad_handle(impl: Implementation, kind: str, open_cmd: str, key: str) -> Any:
    """A handle of ``kind`` that names no open store/runtime (``...`` for missing)."""
    fixed: dict[str, Any] = {"null": None, "number": 1, "list": [], "empty": "", "unknown": "nope"}
    if kind == "missing":
        return ...
    if kind in fixed:
        return fixed[kind]
    args: dict[str, Any] = {"kind": "memory"} if open_cmd == "store-open" else {}
    real = str(call_ok(impl, "ADP-004.6", open_cmd, **args)[key])
    if kind == "closed":
        close = "store-close" if open_cmd == "store-open" else "wit-close"
        closing: dict[str, Any] = {key: real}
        call_ok(impl, "ADP-004.6", close, **closing)
        return real
    variant: str = {"newline": real + "\n", "space": real + " ", "case": real.swapcase()}[kind]
    if variant == real:  # a handle without letters: another case is the same handle
        variant = real + "x"
    return variant


#: (command, arguments with one later fault, the class that fault has with a real handle)
WIT_FAULTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "genesis-state-name": ("wit-genesis", {"actor": "echo", "state": {"a/b": "00"}},
                           "invalid-name"),
    "genesis-state-surrogate": ("wit-genesis", {"actor": "echo", "state": {"a\ud800": "00"}},
                                "invalid-utf8"),
    "send-to-newline": ("wit-send", {"to": TO + "\n", "content": {"blob": ""}}, "invalid-id"),
    "send-to-upper": ("wit-send", {"to": "AB" * 32, "content": {"blob": ""}}, "invalid-id"),
    "send-to-short": ("wit-send", {"to": "zz", "content": {"blob": ""}}, "invalid-id"),
    "send-mt-surrogate": ("wit-send", {"to": TO, "mt": "\udc00", "content": {"blob": ""}},
                          "invalid-utf8"),
    "send-tree-name": ("wit-send", {"to": TO, "content": {"tree": {"a/b": {"blob": ""}}}},
                       "invalid-name"),
    "send-empty-tree": ("wit-send", {"to": TO, "content": {"tree": {}}}, "invalid-object"),
    "head-actor": ("wit-head", {"actor": TO + "\n"}, "invalid-id"),
    "head-actor-upper": ("wit-head", {"actor": TO.replace("1", "A")}, "invalid-id"),
    "object-id": ("wit-object", {"id": "zz"}, "invalid-id"),
    "object-absent": ("wit-object", {"id": TO}, "not-found"),
    "query-actor": ("wit-query", {"actor": "\u0660" * 64, "name": "count"}, "invalid-id"),
}  # fmt: skip


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.6", "ADP-014")
@pytest.mark.parametrize("handle", HANDLE_KINDS)
@pytest.mark.parametrize("fault", list(WIT_FAULTS))
@pytest.mark.req("CONV-004")
def test_wit_commands_check_the_runtime_handle_first(
    impl: Implementation, fault: str, handle: str
) -> None:
    """The runtime comes first in every wit command's table: with a real handle the
    fault has its own class (ID-003, ADP-004.8, object rules — tested elsewhere); with
    no open runtime the answer is ``bad-request``."""
    cmd, args, own = WIT_FAULTS[fault]
    bad = _bad_handle(impl, handle, "wit-open", "runtime")
    request = dict(args) if bad is ... else {"runtime": bad, **args}
    reply = impl.call(cmd, check=False, **request)
    check_outcome(
        "ADP-004.6",
        reply,
        "bad-request",
        f"{cmd} with runtime {bad!r} (no such runtime) and {fault} ({own} with a real "
        "runtime): the runtime is checked first",
    )


STORE_FAULTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "get-id": ("get", {"id": BLOB_ID + "\n"}, "invalid-id"),
    "get-absent": ("get", {"id": ZERO}, "not-found"),
    "has-id": ("has", {"id": BLOB_ID.upper()}, "invalid-id"),
    "corrupt-id": ("store-corrupt", {"id": "zz"}, "invalid-id"),
    "put-not-an-object": ("put", {"bytes": "a0"}, "invalid-object"),
    "ref-get-name": ("ref-get", {"name": "bad name"}, "invalid-ref-name"),
    "ref-cas-id": ("ref-cas", {"name": "names/x", "expected": None, "new": BLOB_ID + "\n"},
                   "invalid-id"),
    "ref-cas-conflict": ("ref-cas", {"name": "names/x", "expected": BLOB_ID, "new": None},
                         "ref-conflict"),
}  # fmt: skip


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.6", "ADP-010.2")
@pytest.mark.parametrize("handle", HANDLE_KINDS)
@pytest.mark.parametrize("fault", list(STORE_FAULTS))
@pytest.mark.req("CONV-004")
def test_store_commands_check_the_store_handle_first(
    impl: Implementation, store: str, fault: str, handle: str
) -> None:
    """With a real store the fault has its own class (tested elsewhere); with no open
    store the answer is ``bad-request``."""
    cmd, args, own = STORE_FAULTS[fault]
    bad = _bad_handle(impl, handle, "store-open", "store")
    request = dict(args) if bad is ... else {"store": bad, **args}
    reply = impl.call(cmd, check=False, **request)
    check_outcome(
        "ADP-004.6",
        reply,
        "bad-request",
        f"{cmd} with store {bad!r} (no such store) and {fault} ({own} with a real store): "
        "the store is checked first",
    )


# --- ADP-004.5: byte strings that are not lowercase hex ------------------------------------

HEX_KINDS = sorted(tc.bad_hex("0a1b").keys())


def _bad_hex(kind: str, valid: str) -> str:
    return tc.bad_hex(valid)[kind]


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.5", "ADP-004.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul")
@pytest.mark.parametrize("kind", HEX_KINDS)
@pytest.mark.parametrize("cmd", ["hash", "decode", "id", "decode-value"])
@pytest.mark.req("CONV-004")
def test_codec_bytes_must_be_lowercase_hex(impl: Implementation, cmd: str, kind: str) -> None:
    check_outcome("ADP-004.5", impl.call(cmd, check=False, bytes=BLOB_HEX), "ok")
    reply = impl.call(cmd, check=False, bytes=_bad_hex(kind, BLOB_HEX))
    check_outcome("ADP-004.5", reply, "bad-request")


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.5", "ADP-004.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul")
@pytest.mark.parametrize("kind", HEX_KINDS)
@pytest.mark.req("CONV-004")
def test_put_bytes_must_be_lowercase_hex(impl: Implementation, store: str, kind: str) -> None:
    reply = impl.call("put", check=False, store=store, bytes=_bad_hex(kind, BLOB_HEX))
    check_outcome("ADP-004.5", reply, "bad-request")


def _state_request(value: str, position: int) -> dict[str, Any]:
    state = {"a": "00", "bb": "ff", "ccc": ""}
    name = sorted(state)[position]
    return {"actor": "counter", "state": {**state, name: value}}


def _content_request(value: str, depth: int) -> dict[str, Any]:
    content: dict[str, Any] = {"blob": value, "headers": {"mt": "x"}}
    for level in range(depth):
        content = {"tree": {"z": {"blob": "00"}, f"n{level}": content}}
    return {"to": TO, "mt": "inc", "content": content}


HEX_PLACES: dict[str, tuple[str, Any]] = {
    "state-first": ("wit-genesis", lambda v: _state_request(v, 0)),
    "state-last": ("wit-genesis", lambda v: _state_request(v, 2)),
    "content-blob": ("wit-send", lambda v: _content_request(v, 0)),
    "content-depth-1": ("wit-send", lambda v: _content_request(v, 1)),
    "content-depth-3": ("wit-send", lambda v: _content_request(v, 3)),
}


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.5", "ADP-014")
@pytest.mark.parametrize("kind", HEX_KINDS)
@pytest.mark.parametrize("place", list(HEX_PLACES))
@pytest.mark.req("CONV-004")
def test_wit_byte_strings_must_be_lowercase_hex(
    impl: Implementation, runtime: str, place: str, kind: str
) -> None:
    """The lowercase value is accepted; each near miss of it is ``bad-request``."""
    cmd, request = HEX_PLACES[place]
    valid = "c0ffee"
    good = impl.call(cmd, check=False, runtime=runtime, **request(valid))
    answer = ok_answer(good, "ADP-004.5", f"{place} = {valid!r}, lowercase hex")
    if cmd == "wit-send":
        want = _message_id(request(valid)["content"], "inc")
        check_equal("ADP-004.5", want, answer["message"], f"the message of {place} = {valid!r}")
    bad = _bad_hex(kind, valid)
    reply = impl.call(cmd, check=False, runtime=runtime, **request(bad))
    check_outcome(
        "ADP-004.5",
        reply,
        "bad-request",
        f"{place} = {bad!r}: not an even number of lowercase hex digits",
    )


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.5", "ADP-014")
@run
@given(bad=tc.bad_hex_strategy(), place=st.sampled_from(list(HEX_PLACES)))
@pytest.mark.req("CONV-004")
def test_wit_byte_strings_refuse_generated_near_misses(
    impl: Implementation, bad: str, place: str
) -> None:
    cmd, request = HEX_PLACES[place]
    runtime = str(call_ok(impl, "ADP-004.5", "wit-open")["runtime"])
    try:
        reply = impl.call(cmd, check=False, runtime=runtime, **request(bad))
        check_outcome("ADP-004.5", reply, "bad-request")
    finally:
        impl.call("wit-close", runtime=runtime, check=False)


@pytest.mark.profile("wit", "wasm")
@pytest.mark.req("ADP-004.5", "ADP-016")
@pytest.mark.parametrize("kind", HEX_KINDS)
@pytest.mark.req("CONV-004")
def test_a_module_must_be_lowercase_hex(impl: Implementation, runtime: str, kind: str) -> None:
    module = "0061736d01000000"  # the empty module: a valid one in lowercase
    call_ok(impl, "ADP-004.5", "wit-genesis", runtime=runtime, module=module)
    bad = _bad_hex(kind, module)
    reply = impl.call("wit-genesis", check=False, runtime=runtime, module=bad)
    check_outcome("ADP-004.5", reply, "bad-request")
    reply = impl.call("wasm-load", check=False, module=bad)
    check_outcome("ADP-004.5", reply, "bad-request")


# --- ADP-004.8: lone surrogates in what wit-send and wit-genesis describe --------------------

_header_names = tc.texts(max_size=6, where=lambda s: s != "")
_header_values = tc.texts(max_size=6)
_tree_names = tc.texts(max_size=6, where=tc.is_valid_name)
_blobs = st.builds(
    lambda data, headers: {"blob": data, **({"headers": headers} if headers else {})},
    st.binary(max_size=4).map(bytes.hex),
    st.dictionaries(_header_names, _header_values, max_size=3),
)
contents = st.recursive(
    _blobs,
    lambda children: st.dictionaries(_tree_names, children, min_size=1, max_size=3).map(
        lambda entries: {"tree": entries}
    ),
    max_leaves=6,
)


def _text_places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every name, header name and header value of a content description."""
    places: list[tuple[tuple[Any, ...], str]] = []
    if "blob" in node:
        for name in node.get("headers", {}):
            places += [((*path, "headers", name), "key"), ((*path, "headers", name), "value")]
        return places
    for name, child in node["tree"].items():
        places.append(((*path, "tree", name), "key"))
        places += _text_places(child, (*path, "tree", name))
    return places


def _edit(node: Any, path: tuple[Any, ...], what: str, lone: str, at: int) -> Any:
    def insert(text: str) -> str:
        i = at % (len(text) + 1)
        return text[:i] + lone + text[i:]

    if len(path) == 1:
        return {
            (insert(k) if k == path[0] and what == "key" else k): (
                insert(v) if k == path[0] and what == "value" else v
            )
            for k, v in node.items()
        }
    return {k: (_edit(v, path[1:], what, lone, at) if k == path[0] else v) for k, v in node.items()}


def _assert_surrogate_refused(impl: Implementation, runtime: str, content: Any, mt: Any) -> None:
    reply = _send(impl, runtime, content, mt)
    what = (
        f"wit-send of mt={mt!a}, content={content!a:.300}: a lone surrogate in mt, a header "
        "or a name (never replaced and sent)"
    )
    check_outcome("ADP-004.8", reply, "invalid-utf8", what)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "ADP-014", "OBJ-018.3")
@run
@given(
    content=contents,
    mt=st.none() | tc.texts(max_size=6),
    lone=tc.text_strategy("lone-surrogate", max_size=3),
    at=st.integers(0, 8),
    data=st.data(),
)
@pytest.mark.req("CONV-004")
def test_wit_send_refuses_a_lone_surrogate_anywhere(
    impl: Implementation,
    content: Any,
    mt: str | None,
    lone: str,
    at: int,
    data: st.DataObject,
) -> None:
    """The valid description is sent (its message id computed here); the same with a
    lone surrogate in ``mt`` or any name or header is ``invalid-utf8``."""
    runtime = str(call_ok(impl, "ADP-004.8", "wit-open")["runtime"])
    try:
        reply = _send(impl, runtime, content, mt)
        what = f"wit-send of mt={mt!a}, content={content!a:.300}"
        got = ok_answer(reply, "ADP-014", what)["message"]
        check_equal("ADP-014", _message_id(content, mt), got, what)
        places = _text_places(content)
        choice = data.draw(st.integers(0, len(places)), label="place")
        if choice == len(places):
            text = "" if mt is None else mt
            i = at % (len(text) + 1)
            _assert_surrogate_refused(impl, runtime, content, text[:i] + lone + text[i:])
        else:
            path, what = places[choice]
            edited = _edit(content, path, what, lone, at)
            _assert_surrogate_refused(impl, runtime, edited, mt)
    finally:
        impl.call("wit-close", runtime=runtime, check=False)


def _nest(content: dict[str, Any]) -> dict[str, Any]:
    """``content`` two trees down, beside other entries."""
    return {"tree": {"a": {"tree": {"b": content, "c": {"blob": ""}}}, "d": {"blob": "00"}}}


SURROGATE_PLACES: dict[str, Any] = {
    "mt": lambda s: (s, {"blob": "00"}),
    "header-name": lambda s: ("m", {"blob": "00", "headers": {"n" + s: "v"}}),
    "header-value": lambda s: ("m", {"blob": "00", "headers": {"note": s}}),
    "tree-name": lambda s: ("m", {"tree": {s: {"blob": ""}}}),
    "nested-tree-name": lambda s: ("m", _nest({"tree": {s: {"blob": ""}}})),
    "nested-header": lambda s: ("m", _nest({"blob": "", "headers": {"k": s}})),
}


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "ADP-014", "OBJ-018.3")
@pytest.mark.inputs("lone-surrogate", "bmp")
@pytest.mark.parametrize("lone", LONE, ids=[ascii(s) for s in LONE])
@pytest.mark.parametrize("place", list(SURROGATE_PLACES))
@pytest.mark.req("CONV-004")
def test_wit_send_refuses_every_lone_surrogate_in_every_place(
    impl: Implementation, runtime: str, place: str, lone: str
) -> None:
    """Each lone-surrogate sample in each place; U+FFFD in its stead is sent, with the
    message id computed here — so an adapter that repairs is told apart."""
    repaired = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in lone)
    mt, content = SURROGATE_PLACES[place](repaired)
    reply = _send(impl, runtime, content, mt, to="22" * 32)
    what = f"wit-send with U+FFFD in the {place}"
    got = ok_answer(reply, "ADP-014", what)["message"]
    check_equal("ADP-014", _message_id(content, mt), got, what)
    mt, content = SURROGATE_PLACES[place](lone)
    _assert_surrogate_refused(impl, runtime, content, mt)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8", "ADP-014", "OBJ-018.3")
@pytest.mark.parametrize("lone", LONE, ids=[ascii(s) for s in LONE])
@pytest.mark.req("CONV-004")
def test_wit_genesis_refuses_a_lone_surrogate_in_a_state_name(
    impl: Implementation, runtime: str, lone: str
) -> None:
    state = {"a": "00", "z" + lone: "01"}
    reply = impl.call("wit-genesis", check=False, runtime=runtime, actor="counter", state=state)
    check_outcome("ADP-004.8", reply, "invalid-utf8")
