"""The adapter protocol's clauses over every input class they take (issue 24, item 3).

Text of every class of :mod:`gritwit_conformance.data._classes` (ASCII, mixed case, the BMP
with U+E000–U+FFFF, astral, lone surrogates, NUL, empty) as answered text (ADP-001.3),
unknown request fields and ignored members (ADP-002, ADP-004.9), repeated keys
(ADP-004.7, OBJ-018.10), byte-string arguments (ADP-004.5), names, headers, ``mt``,
``state`` names, actor names, query names, workloads, programs, messages and limits;
both sides of the limits (16 levels of content descriptions, 32 levels inside
``encode``, ``max_steps``, ``n`` of ``perf-run``, ``limits``); and orders every
plausible wrong rule gets wrong (tree entries built in canonical order; candidates,
erased blobs and answered objects in ascending id order, with ids on both sides of
0x80 so that a signed byte comparison fails).

Expected answers are computed here from the rules (the ids of the objects and
messages a command builds, with :mod:`gritwit`'s object model) or, for a sandboxed
program's run, taken from an in-process reference.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import blake3
import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation, InProcess
from gritwit_conformance.harness._transport import AdapterProcess
from gritwit_conformance.suite.protocol._raw import assert_still_serving, send_raw, separate_process
from gritwit_conformance.suite.store.test_store_texts_and_limits import is_ref_name

ALL = tc.all_samples()
VALID = tc.samples()
LONE = list(tc.TEXT_SAMPLES["lone-surrogate"])


def _ids(values: list[str]) -> list[str]:
    return [f"{i}-{ascii(v)[:24]}" for i, v in enumerate(values)]


def _outcome(reply: Any) -> str:
    return "ok" if reply.ok else str(reply.error_class)


def _lone(s: str) -> bool:
    return not tc.is_valid_text(s)


def _to(i: int) -> str:
    """A recipient of its own for each send, so every message is the first to it."""
    return blake3.blake3(f"recipient {i}".encode()).hexdigest()


def _variants(s: str) -> list[str]:
    out: list[str] = []
    for form in (s, unicodedata.normalize("NFD", s), unicodedata.normalize("NFKC", s),
                 s.casefold(), s.upper(), s.lower(), s.replace("\x00", "")):  # fmt: skip
        if form not in out:
            out.append(form)
    return out


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(impl.call("wit-open").result["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- the objects a command builds, computed here (ADP-014, WIT-002, WIT-004) ------------------


def _content_id(description: dict[str, Any]) -> g.ObjectId:
    if "blob" in description:
        headers = description.get("headers", {})
        return g.object_id(g.Blob(data=bytes.fromhex(description["blob"]), headers=headers))
    entries = {name: _content_id(child) for name, child in description["tree"].items()}
    return g.object_id(g.Tree(entries=entries))


def _message_id(content: dict[str, Any], mt: str | None) -> str:
    headers = {} if mt is None else {"mt": mt}
    return str(g.object_id(g.Message(content=_content_id(content), headers=headers)).hex())


def _actor_id(wit: g.Blob, state: dict[str, str]) -> str:
    entries = {"wit": g.object_id(wit)}
    for name, data in state.items():
        entries[name] = g.object_id(g.Blob(data=bytes.fromhex(data)))
    return str(g.object_id(g.Tree(entries=entries)).hex())


def _test_actor(name: str, state: dict[str, str] | None = None) -> str:
    wit = g.Blob(data=name.encode("utf-8"), headers={"runtime": "test-actor"})
    return _actor_id(wit, state or {})


def _send(impl: Implementation, runtime: str, i: int, content: Any, mt: str | None) -> Any:
    args: dict[str, Any] = {"to": _to(i), "content": content}
    if mt is not None:
        args["mt"] = mt
    return impl.call("wit-send", check=False, runtime=runtime, **args)


# --- ADP-001.3: what the adapter answers stays one line of UTF-8 JSON -----------------------


def _assert_one_line(process: AdapterProcess, raw: bytes, what: str) -> dict[str, Any]:
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1, f"{what}: not one line: {raw[:200]!r}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"{what}: the answer is not UTF-8 ({exc}): {raw[:200]!r}") from None
    answer = process.answer_json(raw, what)  # no JSON: the adapter's break (ADP-001.4)
    assert isinstance(answer, dict), f"{what}: not a JSON object: {text[:200]}"
    return answer


def _blob_bytes(headers: dict[str, str]) -> str:
    return str(g.encode_object(g.Blob(data=b"", headers=headers)).hex())


@pytest.mark.profile("codec")  # its vehicles are codec commands (ADP-006)
@pytest.mark.req("ADP-001.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_answers_holding_text_of_every_class_are_one_line_of_utf8(impl: Implementation) -> None:
    """``decode`` answers the text back (control characters and NUL escaped, astral text
    whole); errors that may quote the input — a lone surrogate included — stay UTF-8."""
    with separate_process(impl) as process:
        seq = 100
        for text in ALL:
            requests: list[tuple[dict[str, Any], str | None]] = [
                ({"cmd": "encode", "object": {"type": text}}, None),
                ({"cmd": "encode", "object": {"type": "blob", "data": "", text: text}}, None),
                ({"cmd": "encode", "object": {"type": "blob", "data": "", "headers": {"h": text}}},
                 None),
            ]  # fmt: skip
            if not _lone(text):
                requests.append(({"cmd": "decode", "bytes": _blob_bytes({"h": text})}, text))
            else:
                raw = (
                    b"\xa1" + b"\x61h" + bytes([0x60 | len(text.encode("utf-8", "surrogatepass"))])
                )
                raw += text.encode("utf-8", "surrogatepass")
                requests.append(({"cmd": "decode-value", "bytes": raw.hex()}, None))
            for request, echoed in requests:
                for ascii_only in (True, False) if not _lone(text) else (True,):
                    seq += 1
                    line = json.dumps({"seq": seq, **request}, ensure_ascii=ascii_only)
                    what = f"{request['cmd']} with {text!a}"
                    answer = _assert_one_line(
                        process, process.exchange_raw(line.encode() + b"\n", what, seq), what
                    )
                    assert answer.get("seq") == seq, (what, answer)
                    if echoed is not None:
                        assert answer["object"]["headers"] == {"h": echoed}, (what, answer)


# --- ADP-002 / ADP-004.9: names that are ignored ---------------------------------------------

FIELD_LIKE = [
    "Bytes",
    "BYTES",
    "bytes\x00",
    "\uff42ytes",
    "bytes ",
    "Cmd",
    "SEQ",
    "Object",
    "stor\u0435",
]


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("name", ALL + FIELD_LIKE, ids=_ids(ALL + FIELD_LIKE))
def test_unknown_request_fields_of_every_class_are_ignored(impl: Implementation, name: str) -> None:
    """A field of any name the command does not know — one that only looks like a known
    field, or holds a lone surrogate — is ignored whole, whatever its value."""
    for value in ("zz", 1, {"bytes": "ZZ", name: [name]}, name):
        reply = impl.call("hash", check=False, bytes="00", **{name: value})
        assert reply.ok and reply.result["digest"] == blake3.blake3(b"\x00").hexdigest(), (
            f"hash with the unknown field {name!a}: {value!a:.60} must be ignored: {reply}"
        )
        reply = impl.call(
            "encode", check=False, object={"type": "blob", "data": ""}, **{name: value}
        )
        assert reply.ok and reply.result["bytes"] == _blob_bytes({}), (name, reply)


@pytest.mark.profile("store")
@pytest.mark.req("ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_unknown_put_fields_of_every_class_are_ignored(impl: Implementation) -> None:
    store = str(impl.call("store-open", kind="memory").result["store"])
    data = _blob_bytes({"k": "v"})
    for name in ALL + FIELD_LIKE:
        reply = impl.call("put", check=False, store=store, bytes=data, **{name: "zz"})
        assert reply.ok and reply.result["id"] == blake3.blake3(bytes.fromhex(data)).hexdigest(), (
            f"put with the unknown field {name!a} must ignore it: {reply}"
        )
    impl.call("store-close", store=store, check=False)


BLOB_LIKE = ["Blob", "BLOB", "Tree", "Headers", "headers\x00", "\uff42lob", "blob ", "tre\u0435"]


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.9", "ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_foreign_members_of_every_class_are_ignored(impl: Implementation, runtime: str) -> None:
    """In a blob or tree description, and in the request, a member of any other name is
    ignored (whatever its value: bad hex, a number, a nested description); a lone
    surrogate in a member's name is still ``invalid-utf8`` inside a description (pass 2)
    and ignored in the request (ADP-002)."""
    for i, name in enumerate(ALL + BLOB_LIKE):
        bases: list[dict[str, Any]] = [{"blob": "00"}, {"tree": {"a": {"blob": ""}}}]
        for j, base in enumerate(bases):
            for v, value in enumerate(("zz", 1, {"blob": "zz"})):
                content = {**base, name: value}
                reply = _send(impl, runtime, 1000 * i + 10 * j + v, content, "m")
                if _lone(name):
                    assert _outcome(reply) == "invalid-utf8", (ascii(name), reply)
                    continue
                want = _message_id(base, "m")
                assert reply.ok and reply.result["message"] == want, (
                    f"wit-send of {content!a}: the member {name!a} must be ignored "
                    f"(ADP-004.9): {reply}"
                )
        reply = impl.call("wit-send", check=False, runtime=runtime, to=_to(-1 - i), mt="m",
                          content={"blob": "00"}, **{name: "zz"})  # fmt: skip
        assert reply.ok, (ascii(name), reply)


# --- ADP-004.5: byte-string arguments --------------------------------------------------------

BAD_BYTES = [
    "00\U00010000",
    "\U0001d7d8\U0001d7d8",
    "0\U0001f600",
    "00\ud800",
    "\udc00ff",
    "a\udfffb",
]


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.5")
@pytest.mark.inputs("astral", "lone-surrogate", "empty")
@pytest.mark.parametrize("cmd", ["hash", "decode", "id", "decode-value"])
def test_byte_strings_of_astral_or_surrogate_text_are_bad_requests(
    impl: Implementation, cmd: str
) -> None:
    """Astral digits and lone surrogates are no hex digits: ``bad-request``; the empty
    string is hex of no bytes: the command runs (``truncated`` for the decoders)."""
    for bad in BAD_BYTES:
        reply = impl.call(cmd, check=False, bytes=bad)
        assert _outcome(reply) == "bad-request", (
            f"{cmd} bytes={bad!a}: expected bad-request, got {reply}"
        )
    empty = impl.call(cmd, check=False, bytes="")
    if cmd == "hash":
        assert empty.ok and empty.result["digest"] == blake3.blake3(b"").hexdigest(), empty
    else:
        assert _outcome(empty) == "truncated", f"{cmd} of no bytes: expected truncated, got {empty}"


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.5")
@pytest.mark.inputs("astral", "lone-surrogate", "empty")
def test_put_bytes_of_astral_or_surrogate_text_are_bad_requests(impl: Implementation) -> None:
    store = str(impl.call("store-open", kind="memory").result["store"])
    for bad in BAD_BYTES:
        assert _outcome(impl.call("put", check=False, store=store, bytes=bad)) == "bad-request", bad
    assert _outcome(impl.call("put", check=False, store=store, bytes="")) == "truncated"
    impl.call("store-close", store=store, check=False)


# --- ADP-004.7 / OBJ-018.10: a repeated key of any class -------------------------------------


def _key_forms(s: str) -> list[bytes]:
    forms = [json.dumps(s).encode()]
    if not _lone(s):
        forms.append(json.dumps(s, ensure_ascii=False).encode())
    return list(dict.fromkeys(forms))


_ENCODE = b'{"seq": 1, "cmd": "encode", "object": {"type": "blob", "data": "", '
LINES = {
    "request": b'{"seq": 1, "cmd": "hash", "bytes": "", %s: 1, %s: 2}',
    "object-field": _ENCODE + b"%s: 1, %s: 1}}",
    "header": _ENCODE + b'"headers": {%s: "v", %s: "v"}}}',
    "nested": b'{"seq": 1, "cmd": "hash", "bytes": "", "x": [{"k": {%s: null, %s: null}}]}',
}


@pytest.mark.profile("codec")  # its vehicles are codec commands (ADP-006)
@pytest.mark.req("ADP-004.7", "OBJ-018.10")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("where", list(LINES))
def test_a_key_of_any_class_repeated_is_a_bad_request(impl: Implementation, where: str) -> None:
    """The same key twice — written alike, or once escaped and once as raw UTF-8 — in the
    request, a description or any object within: ``seq`` null and ``bad-request``."""
    with separate_process(impl) as process:
        for text in ALL:
            forms = _key_forms(text)
            for first in forms:
                for second in forms:
                    line = LINES[where] % (first, second)
                    what = f"a line repeating {text!a} ({where})"
                    answer = process.answer_json(send_raw(process, line, what), what)
                    assert answer.get("seq") is None and answer.get("ok") is False, (what, answer)
                    assert answer["error"]["class"] == "bad-request", (what, answer)
                    assert_still_serving(process)


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.7", "OBJ-018.10")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
def test_keys_that_differ_in_their_bytes_are_no_repeats(impl: Implementation, text: str) -> None:
    """Keys equal only after normalisation, case folding or dropping NUL are different
    keys: the request and the description are read, every header kept."""
    names = _variants(text)
    reply = impl.call("hash", check=False, bytes="", x={n: 1 for n in names})
    assert reply.ok, (ascii(names), reply)
    headers = {n: n for n in names if n}
    if headers:
        reply = impl.call("encode", object={"type": "blob", "data": "", "headers": headers})
        assert reply.result["bytes"] == _blob_bytes(headers), (ascii(names), reply)


# --- ADP-004.8: names, headers, mt and state names of every class ---------------------------


def _name_class(s: str) -> str:
    if _lone(s):
        return "invalid-utf8"
    return "ok" if tc.is_valid_name(s) else "invalid-name"


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_content_descriptions_with_text_of_every_class(impl: Implementation, runtime: str) -> None:
    """Each text as ``mt``, header name, header value, tree name (nested too) and ``state``
    name: sent (message and actor ids computed here), or the class of ADP-004.8 —
    ``invalid-utf8`` for a lone surrogate, ``invalid-name`` for a name OBJ-011 refuses,
    ``invalid-object`` for an empty header name."""
    i = 0
    for text in ALL:
        lone = _lone(text)
        cases: list[tuple[str | None, dict[str, Any], str]] = [
            (text, {"blob": "00"}, "invalid-utf8" if lone else "ok"),
            ("m", {"blob": "00", "headers": {text: "v"}},
             "invalid-utf8" if lone else "invalid-object" if text == "" else "ok"),
            ("m", {"blob": "00", "headers": {"h": text}}, "invalid-utf8" if lone else "ok"),
            (None, {"tree": {text: {"blob": ""}}}, _name_class(text)),
            (None, {"tree": {"a": {"tree": {"b": {"tree": {text: {"blob": "01"}}}}}}},
             _name_class(text)),
        ]  # fmt: skip
        for mt, content, want in cases:
            i += 1
            reply = _send(impl, runtime, i, content, mt)
            assert _outcome(reply) == want, (
                f"wit-send mt={mt!a} content={content!a}: expected {want}, got {reply}"
            )
            if want == "ok":
                assert reply.result["message"] == _message_id(content, mt), (ascii(text), reply)
        state = {text: "00", "b": "01"}
        want = "bad-request" if text == "wit" else _name_class(text)
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor="counter", state=state)
        assert _outcome(reply) == want, f"wit-genesis state {state!a}: expected {want}, got {reply}"
        if want == "ok":
            assert reply.result["actor"] == _test_actor("counter", state), (ascii(text), reply)


def _deep(depth: int, inner: dict[str, Any]) -> dict[str, Any]:
    for _ in range(depth):
        inner = {"tree": {"a": inner}}
    return inner


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8")
@pytest.mark.inputs("largest", "past-largest")
def test_descriptions_nest_16_deep_and_no_deeper(impl: Implementation, runtime: str) -> None:
    """A blob at depth 16 is sent; at 17 the description is ``bad-request`` — even when
    the deepest description is also an empty tree or has a bad name (pass 1 first)."""
    inners: list[dict[str, Any]] = [{"blob": "00"}, {"blob": "", "headers": {"k": "v"}}]
    for n, inner in enumerate(inners):
        ok = _deep(16, inner)
        reply = _send(impl, runtime, n, ok, "m")
        assert reply.ok and reply.result["message"] == _message_id(ok, "m"), reply
        reply = _send(impl, runtime, 10 + n, _deep(17, inner), "m")
        assert _outcome(reply) == "bad-request", f"17 levels: expected bad-request, got {reply}"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"tree": {}}, 16, "invalid-object"),
        ({"tree": {"a/b": {"blob": ""}}}, 15, "invalid-name"),
    ]
    for n, (inner, depth, want) in enumerate(cases):
        reply = _send(impl, runtime, 20 + n, _deep(depth, inner), "m")
        assert _outcome(reply) == want, f"{inner} at depth {depth}: expected {want}, got {reply}"
        reply = _send(impl, runtime, 30 + n, _deep(depth + 1, inner), "m")
        assert _outcome(reply) == "bad-request", f"{inner} one level deeper: {reply}"


WRONG_CANONICAL = [
    r
    for r in tc.wrong_rules("canonical")
    if tc.separating_pair("canonical", r, where=tc.is_valid_name)
]


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8")
@pytest.mark.inputs(
    "order:utf8", "order:codepoint", "order:utf16", "order:casefold", "order:signed-bytes",
    "order:length-first-codepoints", "order:length-first-utf16", "order:canonical-utf16",
    "order:canonical-casefold", "order:canonical-signed-bytes",
)  # fmt: skip
@pytest.mark.parametrize("rule", WRONG_CANONICAL)
def test_tree_entries_are_built_in_canonical_order(
    impl: Implementation, runtime: str, rule: str
) -> None:
    """Two entries, one holding a bad name (``invalid-name``), the other an empty tree
    (``invalid-object``): the one first in canonical order decides; ``rule`` would
    pick the other."""
    pair = tc.separating_pair("canonical", rule, where=tc.is_valid_name)
    assert pair is not None
    first, second = pair
    bad_name = {"tree": {"a/": {"blob": "00"}}}
    empty: dict[str, Any] = {"tree": {}}
    for n, (a, b, want) in enumerate(
        ((bad_name, empty, "invalid-name"), (empty, bad_name, "invalid-object"))
    ):
        for order in ((first, second), (second, first)):
            values = {first: a, second: b}
            content = {"tree": {name: values[name] for name in order}}
            reply = _send(impl, runtime, n, content, "m")
            assert _outcome(reply) == want, (
                f"wit-send of {content!a}: {first!a} comes before {second!a} in canonical order "
                f"(ENC-010; {rule} puts them the other way): expected {want}, got {reply}"
            )


# --- ADP-009.4: encode never reports too-deep ------------------------------------------------


def _arrays(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.4")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("depth", [31, 32, 33])
def test_encode_judges_deep_values_by_their_field(impl: Implementation, depth: int) -> None:
    """A value of 31, 32 or 33 nested arrays (the object's map makes one more level) fails
    the rule of its field — never ``too-deep``."""
    zero = "00" * 32
    cases = [
        ({"type": "blob", "data": "", "x": _arrays(depth)}, "invalid-object"),
        ({"type": "blob", "data": _arrays(depth)}, "invalid-object"),
        ({"type": "blob", "data": "", "headers": {"h": _arrays(depth)}}, "invalid-object"),
        ({"type": "tree", "entries": {"a": _arrays(depth)}}, "invalid-id"),
        ({"type": "message", "content": _arrays(depth)}, "invalid-id"),
        ({"type": "mailbox", "entries": {zero: _arrays(depth)}}, "invalid-id"),
    ]
    for description, want in cases:
        reply = impl.call("encode", check=False, object=description)
        assert _outcome(reply) == want, (
            f"encode with {depth} nested arrays: expected {want}, got {reply}"
        )


# --- ADP-014: actor names, mt, query names, max_steps, candidates in id order ----------------


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_actor_names_mt_and_query_names_of_every_class(impl: Implementation, runtime: str) -> None:
    """``actor`` is the data of the ``wit`` blob, whatever the text (a lone surrogate is
    ``bad-request``: it has no UTF-8); any text is an ``mt`` (a lone surrogate is
    ``invalid-utf8``); a counter answers only the query ``count`` (and ``wut``)."""
    counter = str(impl.call("wit-genesis", runtime=runtime, actor="counter").result["actor"])
    assert counter == _test_actor("counter")
    assert impl.call("wit-run", runtime=runtime, max_steps=10).ok
    assert (
        impl.call("wit-query", runtime=runtime, actor=counter, name="count").result["data"]
        == b"0".hex()
    )
    for i, text in enumerate(ALL):
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor=text)
        if _lone(text):
            assert _outcome(reply) == "bad-request", (ascii(text), reply)
        else:
            assert reply.ok and reply.result["actor"] == _test_actor(text), (ascii(text), reply)
        reply = _send(impl, runtime, i, {"blob": ""}, text)
        if _lone(text):
            assert _outcome(reply) == "invalid-utf8", (ascii(text), reply)
        else:
            assert reply.ok and reply.result["message"] == _message_id({"blob": ""}, text), (
                ascii(text),
                reply,
            )
            query = impl.call("wit-query", check=False, runtime=runtime, actor=counter, name=text)
            assert _outcome(query) == "unknown-query", (ascii(text), query)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("actors", [1, 3])
def test_a_call_adopting_exactly_max_steps_is_not_quiescent(
    impl: Implementation, actors: int
) -> None:
    for max_steps, quiescent in ((actors, False), (actors + 1, True)):
        runtime = str(impl.call("wit-open").result["runtime"])
        for k in range(actors):
            impl.call("wit-genesis", runtime=runtime, actor="counter", state={"n": f"{k:02x}"})
        reply = impl.call("wit-run", runtime=runtime, max_steps=max_steps)
        assert len(reply.result["steps"]) == actors, reply
        assert reply.result["quiescent"] is quiescent, (
            f"{actors} steps adopted with max_steps {max_steps}: quiescent must be {quiescent}"
        )
        impl.call("wit-close", runtime=runtime)


def _straddling(ids: list[str]) -> None:
    """The binary ids lie on both sides of 0x80: signed bytes order them differently."""

    def signed(i: str) -> tuple[int, ...]:
        return tuple(b - 256 if b >= 128 else b for b in bytes.fromhex(i))

    assert sorted(ids) != sorted(ids, key=signed), ids


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_candidates_run_in_ascending_id_order_across_0x80(
    impl: Implementation, runtime: str
) -> None:
    states = [{"n": f"{k:02x}"} for k in range(6)]
    actors = [_test_actor("counter", s) for s in states]
    _straddling(actors)
    for state in reversed(states):
        impl.call("wit-genesis", runtime=runtime, actor="counter", state=state)
    reply = impl.call("wit-run", runtime=runtime, max_steps=100)
    adopted = [actor for actor, _ in reply.result["steps"]]
    assert adopted == sorted(actors), (
        f"candidates must run in ascending id order, unsigned bytes (ADP-014, ID-005): "
        f"expected {[a[:4] for a in sorted(actors)]}, got {[a[:4] for a in adopted]}"
    )


# --- ADP-015: reasons, ref names and erased blobs -------------------------------------------


def _rt(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(impl.call("rt-open", path=str(path)).result["runtime"])


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty",
    "order:signed-bytes", "order:canonical-signed-bytes",
)  # fmt: skip
def test_reasons_ref_names_and_erased_blobs(impl: Implementation, tmp_path: Path) -> None:
    """``reason`` is any non-empty text (empty or a lone surrogate: ``bad-request``);
    ``rt-ref`` refuses any name but REF-001's; ``rt-verify`` lists the erased blobs in
    ascending id order, unsigned."""
    runtime = _rt(impl, tmp_path / "rt")
    datas = [f"{k:02x}" for k in range(8)]
    state = {f"e{k}": d for k, d in enumerate(datas)}
    blobs = [g.object_id(g.Blob(data=bytes.fromhex(d))).hex() for d in datas]
    _straddling(blobs)
    actor = str(
        impl.call("rt-genesis", runtime=runtime, actor="counter", state=state).result["actor"]
    )
    assert actor == _test_actor("counter", state)
    assert impl.call("rt-run", runtime=runtime, max_steps=10).result["steps"]
    for k, text in enumerate(ALL):
        reply = impl.call(
            "rt-erase", check=False, runtime=runtime, blob=blobs[k % len(blobs)], reason=text
        )
        want = "bad-request" if text == "" or _lone(text) else "ok"
        assert _outcome(reply) == want, (
            f"rt-erase with reason {text!a}: expected {want}, got {reply}"
        )
        for name in ("names/" + text, text):
            ref = impl.call("rt-ref", check=False, runtime=runtime, name=name)
            want = "ok" if is_ref_name(name) else "invalid-ref-name"
            assert _outcome(ref) == want, f"rt-ref {name!a}: expected {want}, got {ref}"
    erased = set(blobs[k % len(blobs)] for k, t in enumerate(ALL) if t and not _lone(t))
    verified = impl.call("rt-verify", runtime=runtime, actor=actor).result
    assert verified["erased"] == sorted(erased), (
        f"erased blobs must be listed in ascending id order (ADP-015): expected "
        f"{[b[:4] for b in sorted(erased)]}, got {[b[:4] for b in verified['erased']]}"
    )
    impl.call("rt-close", runtime=runtime)


# --- ADP-018.4: perf-run's workload and n ---------------------------------------------------

WORKLOADS = ["encode", "counter", "ping-pong"]


@pytest.mark.profile("perf")
@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "past-largest"
)
def test_a_workload_is_one_of_three_exact_names(impl: Implementation) -> None:
    near = [
        "Encode",
        "ENCODE",
        "encode\x00",
        "encode ",
        "pingpong",
        "ping_pong",
        "\u0435ncode",
        "encode\U0001f600",
    ]
    for text in ALL + near:
        reply = impl.call("perf-run", check=False, workload=text, n=1)
        assert _outcome(reply) == "bad-request", (
            f"perf-run workload {text!a}: expected bad-request, got {reply}"
        )
    for workload in WORKLOADS:
        assert impl.call("perf-run", workload=workload, n=1).ok
        for n in (0, 1_000_001, -1):
            reply = impl.call("perf-run", check=False, workload=workload, n=n)
            assert _outcome(reply) == "bad-request", (workload, n, reply)


def _encode_check(n: int) -> str:
    """ADP-018.2's ``encode`` workload: the id of the last tree, computed here."""
    blob = g.Blob(data=str(n - 1).encode())
    return str(g.object_id(g.Tree(entries={"x": g.object_id(blob)})).hex())


@pytest.mark.heavy
@pytest.mark.profile("perf")
@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs("largest")
def test_the_largest_n_is_run(impl: Implementation) -> None:
    """n = 1 000 000 is allowed: run (about 20 s for the reference), its check computed here."""
    reply = impl.call("perf-run", workload="encode", n=1_000_000)
    assert reply.ok and reply.result["check"] == _encode_check(1_000_000), reply


# --- ADP-019: sandbox-run and wit-genesis of a program --------------------------------------


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


def _interpreter(impl: Implementation) -> str:
    return str(impl.call("sandbox-info").result["interpreter"])


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.3")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
def test_sandbox_run_programs_messages_and_limits_of_every_class(
    impl: Implementation, reference: InProcess
) -> None:
    """A program or message holding a lone surrogate is ``bad-request``; any other text
    runs as the reference runs it; ``limits`` has the five names only (any other, of any
    class, is ``bad-request``) and values 1 … 2⁵³ − 1."""
    for text in ALL:
        requests: list[dict[str, Any]] = [
            {"program": p} for p in ("# " + text + "\nprint(1)", text)
        ]
        requests.append({"program": "print(len(open('/input/transition.json').read()) > 0)",
                         "messages": [{"mt": text, text: [text]}]})  # fmt: skip
        for request in requests:
            got = impl.call("sandbox-run", check=False, **request)
            if _lone(text):
                assert _outcome(got) == "bad-request", (ascii(request), got)
                continue
            want = reference.call("sandbox-run", check=False, **request)
            assert got.outcome() == want.outcome(), (ascii(request), got, want)
            if want.ok:
                assert got.result == want.result, (ascii(request), got, want)
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={text: 1})
        assert _outcome(reply) == "bad-request", (ascii(text), reply)
    for name in ("fuel", "memory", "output", "core", "sends"):
        for value in (0, 2**53):
            reply = impl.call("sandbox-run", check=False, program="print(1)", limits={name: value})
            assert _outcome(reply) == "bad-request", (name, value, reply)
    for bad in ("Fuel", "fuel\x00", "fu\u00e9l", "fuel\U0001f600", "", "\ud800"):
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={bad: 1})
        assert _outcome(reply) == "bad-request", (ascii(bad), reply)
    for name in ("output", "core", "sends"):
        reply = impl.call("sandbox-run", program="print(1)", limits={name: 2**53 - 1})
        assert reply.ok and reply.result["stdout"] == b"1\n".hex(), (name, reply)


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.2", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_answered_objects_are_in_ascending_id_order_across_0x80(impl: Implementation) -> None:
    datas = [bytes([k]) for k in range(8)]
    blobs = [g.Blob(data=d) for d in datas]
    tree = g.Tree(entries={f"f{k}": g.object_id(b) for k, b in enumerate(blobs)})
    everything: list[g.GritObject] = [*blobs, tree]
    ids = [g.object_id(o).hex() for o in everything]
    _straddling(ids)
    encodings = {g.object_id(o).hex(): g.encode_object(o).hex() for o in everything}
    objects = [encodings[i] for i in sorted(ids)]
    reply = impl.call(
        "sandbox-run", program="pass", core=g.object_id(tree).hex(), objects=objects[::-1]
    )
    assert reply.ok and reply.result["core"] == g.object_id(tree).hex(), reply
    assert reply.result["objects"] == objects, (
        "objects must be in ascending order of their ids, unsigned (ADP-019.2, ID-005): "
        f"expected {[i[:4] for i in sorted(ids)]}, got "
        f"{[blake3.blake3(bytes.fromhex(o)).hexdigest()[:4] for o in reply.result['objects']]}"
    )


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_a_program_of_every_class_becomes_the_wit_blob(impl: Implementation) -> None:
    """The program's UTF-8 is the ``wit`` blob's data, byte for byte, whatever its class
    (the actor's id computed here); a lone surrogate has no UTF-8: ``bad-request``."""
    held = _interpreter(impl)
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = str(impl.call("wit-open").result["runtime"])
    for text in ALL:
        for program in (text, "# " + text + "\nprint(1)\n"):
            reply = impl.call("wit-genesis", check=False, runtime=runtime, program=program)
            if _lone(text):
                assert _outcome(reply) == "bad-request", (ascii(program), reply)
                continue
            wit = g.Blob(data=program.encode("utf-8"), headers=headers)
            assert reply.ok and reply.result["actor"] == _actor_id(wit, {}), (ascii(program), reply)
    impl.call("wit-close", runtime=runtime)
