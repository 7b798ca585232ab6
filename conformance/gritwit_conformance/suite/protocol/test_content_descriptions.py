"""Content descriptions over every input class: their texts, their depth, the order of the
tree entries they build, and ``encode`` judging deep values by their field (ADP-004.8,
ADP-009.4).  Helpers: :mod:`._protocol_texts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import SuiteBug, call_ok, check_equal, check_outcome, ok_answer
from ._protocol_texts import ALL, _lone, _message_id, _send, _test_actor


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- ADP-004.8: names, headers, mt and state names of every class ---------------------------


def _name_class(s: str) -> str:
    if _lone(s):
        return "invalid-utf8"
    return "ok" if tc.is_valid_name(s) else "invalid-name"


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("CONV-004")
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
            check_outcome("ADP-004.8", reply, want, f"wit-send mt={mt!a} content={content!a}")
            if want == "ok":
                check_equal(
                    "ADP-004.8",
                    _message_id(content, mt),
                    reply.result.get("message"),
                    f"the id of the message of {text!a}",
                )
        state = {text: "00", "b": "01"}
        want = "bad-request" if text == "wit" else _name_class(text)
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor="counter", state=state)
        check_outcome("ADP-004.8", reply, want, f"wit-genesis of counter with the state {state!a}")
        if want == "ok":
            check_equal(
                "ADP-004.8",
                _test_actor("counter", state),
                reply.result.get("actor"),
                f"the id of the counter with the state name {text!a}",
            )


def _deep(depth: int, inner: dict[str, Any]) -> dict[str, Any]:
    for _ in range(depth):
        inner = {"tree": {"a": inner}}
    return inner


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.8")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_descriptions_nest_16_deep_and_no_deeper(impl: Implementation, runtime: str) -> None:
    """A blob at depth 16 is sent; at 17 the description is ``bad-request`` — even when
    the deepest description is also an empty tree or has a bad name (pass 1 first)."""
    inners: list[dict[str, Any]] = [{"blob": "00"}, {"blob": "", "headers": {"k": "v"}}]
    for n, inner in enumerate(inners):
        ok = _deep(16, inner)
        reply = _send(impl, runtime, n, ok, "m")
        sent = ok_answer(reply, "ADP-004.8", f"wit-send of {inner} 16 levels deep")
        check_equal(
            "ADP-004.8",
            _message_id(ok, "m"),
            sent["message"],
            f"the id of the message of {inner} 16 levels deep",
        )
        reply = _send(impl, runtime, 10 + n, _deep(17, inner), "m")
        check_outcome("ADP-004.8", reply, "bad-request", f"wit-send of {inner} 17 levels deep")
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"tree": {}}, 16, "invalid-object"),
        ({"tree": {"a/b": {"blob": ""}}}, 15, "invalid-name"),
    ]
    for n, (inner, depth, want) in enumerate(cases):
        reply = _send(impl, runtime, 20 + n, _deep(depth, inner), "m")
        check_outcome("ADP-004.8", reply, want, f"wit-send of {inner} at depth {depth}")
        reply = _send(impl, runtime, 30 + n, _deep(depth + 1, inner), "m")
        check_outcome("ADP-004.8", reply, "bad-request", f"wit-send of {inner} one level deeper")


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
@pytest.mark.req("ENC-010")
@pytest.mark.req("CONV-004")
def test_tree_entries_are_built_in_canonical_order(
    impl: Implementation, runtime: str, rule: str
) -> None:
    """Two entries, one holding a bad name (``invalid-name``), the other an empty tree
    (``invalid-object``): the one first in canonical order decides; ``rule`` would
    pick the other."""
    pair = tc.separating_pair("canonical", rule, where=tc.is_valid_name)
    if pair is None:
        raise SuiteBug(f"suite bug: no pair of names that {rule} orders apart from ENC-010")
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
            check_outcome(
                "ENC-010",
                reply,
                want,
                f"wit-send of {content!a}: {first!a} comes before {second!a} in "
                f"canonical order ({rule} puts them the other way)",
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
@pytest.mark.req("CONV-004")
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
        check_outcome("ADP-009.4", reply, want, f"encode with {depth} nested arrays")
