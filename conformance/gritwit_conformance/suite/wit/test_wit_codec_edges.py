"""Object rules reached through the Wit commands (OBJ-017.1: built objects follow decoding's rules).

``wit-send`` builds a blob or tree from its content description and a message with the
header ``mt``; ``wit-genesis`` builds a core tree from its ``state`` names. No codec
command builds headers or tree names from in-memory values, so these are where an
implementation's constructors are checked: an empty header name, a header that is
not text, a lone surrogate in a name or a value, a tree or state name that breaks
OBJ-011 — each must be refused with the class a decoder reports for those bytes, and
refusing must store and send nothing (the next message gets the id the reference
gives it). Every answer is compared with the reference adapter run in-process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response, parse_response

from .._check import ok_answer, same_answer, suite_premise

pytestmark = pytest.mark.profile("wit")


class _Reference:
    """The reference adapter in-process: the oracle for a sequence of wit commands."""

    def __init__(self) -> None:
        from gritwit.adapter import ReferenceAdapter

        self._adapter = ReferenceAdapter()

    def call(self, cmd: str, **args: Any) -> Response:
        request = json.loads(json.dumps({"seq": 0, "cmd": cmd, **args}))
        return parse_response(json.dumps(self._adapter.handle(request)), 0, cmd)


class _Pair:
    """The implementation and the reference, each with its own runtime, driven in step."""

    def __init__(self, impl: Implementation) -> None:
        self.impl, self.ref = impl, _Reference()
        opened = ok_answer(impl.call("wit-open"), "ADP-014", "a runtime opened")
        self.runtime = {"impl": opened["runtime"], "ref": "w1"}
        ref = self.ref.call("wit-open")
        suite_premise(ref.ok and ref.result.get("runtime") == "w1", "the reference opens w1")

    def call(self, what: str, cmd: str, **args: Any) -> Response:
        """``cmd`` on both sides: the implementation answers as the reference does, which
        OBJ-017.1 fixes (an object built by a command follows decoding's rules)."""
        got = self.impl.call(cmd, check=False, runtime=self.runtime["impl"], **args)
        want = self.ref.call(cmd, runtime=self.runtime["ref"], **args)
        same_answer("OBJ-017.1", got, want, what)
        return want


def _echo(pair: _Pair) -> str:
    reply = pair.call("genesis of echo", "wit-genesis", actor="echo")
    suite_premise(reply.ok, "the reference starts echo")
    return str(reply.result.get("actor"))


BLOB = {"blob": "00"}
# (content or mt, clauses): each a send the reference refuses, next to the one it accepts.
SENDS = [
    pytest.param(
        {"blob": "00", "headers": {"": "x"}},
        None,
        id="header-empty-name",
        marks=pytest.mark.req("OBJ-006.2"),
    ),
    pytest.param(
        {"blob": "00", "headers": {"a": ""}},
        None,
        id="header-empty-value",
        marks=pytest.mark.req("OBJ-006.4"),
    ),
    pytest.param(
        {"blob": "00", "headers": {"a": 5}},
        None,
        id="header-number-value",
        marks=pytest.mark.req("OBJ-006.3"),
    ),
    pytest.param(
        {"blob": "00", "headers": {"a": "\ud800"}},
        None,
        id="header-value-surrogate",
        marks=pytest.mark.req("ENC-008.1"),
    ),
    pytest.param(
        {"blob": "00", "headers": {"\udfff": "x"}},
        None,
        id="header-name-surrogate",
        marks=pytest.mark.req("ENC-008.1"),
    ),
    pytest.param(BLOB, "\udc00", id="mt-surrogate", marks=pytest.mark.req("ENC-008.1")),
    pytest.param(BLOB, "", id="mt-empty-value", marks=pytest.mark.req("OBJ-006.4")),
    pytest.param(
        {"tree": {"a/b": BLOB}}, None, id="tree-name-slash", marks=pytest.mark.req("OBJ-011.2")
    ),
    pytest.param(
        {"tree": {"a\x00": BLOB}}, None, id="tree-name-nul", marks=pytest.mark.req("OBJ-011.2")
    ),
    pytest.param(
        {"tree": {"..": BLOB}}, None, id="tree-name-dotdot", marks=pytest.mark.req("OBJ-011.3")
    ),
    pytest.param(
        {"tree": {"": BLOB}}, None, id="tree-name-empty", marks=pytest.mark.req("OBJ-011.1")
    ),
    pytest.param(
        {"tree": {"\ud800x": BLOB}},
        None,
        id="tree-name-surrogate",
        marks=pytest.mark.req("ENC-008.1"),
    ),
    pytest.param(
        {"tree": {"ok": {"tree": {"/": BLOB}}}},
        None,
        id="nested-tree-name-slash",
        marks=pytest.mark.req("OBJ-011.2"),
    ),
]


@pytest.mark.req("OBJ-017.1", "ADP-014")
@pytest.mark.parametrize(("content", "mt"), SENDS)
def test_wit_send_builds_objects_under_the_rules_of_decoding(
    impl: Implementation, content: dict[str, Any], mt: str | None
) -> None:
    pair = _Pair(impl)
    actor = _echo(pair)
    args: dict[str, Any] = {"to": actor, "content": content}
    if mt is not None:
        args["mt"] = mt
    pair.call(f"wit-send {json.dumps(args)}", "wit-send", **args)
    # a refused send stored and sent nothing: the next message is the same on both sides
    pair.call("a valid send after it", "wit-send", to=actor, mt="x", content=BLOB)


NAMES = [
    pytest.param("a/b", id="slash", marks=pytest.mark.req("OBJ-011.2")),
    pytest.param("\x00", id="nul", marks=pytest.mark.req("OBJ-011.2")),
    pytest.param(".", id="dot", marks=pytest.mark.req("OBJ-011.3")),
    pytest.param("", id="empty", marks=pytest.mark.req("OBJ-011.1")),
    pytest.param("a" * 255, id="255-bytes", marks=pytest.mark.req("OBJ-011.1")),
    pytest.param("é" * 128, id="256-bytes", marks=pytest.mark.req("OBJ-011.1")),
    pytest.param("x\udbff", id="surrogate", marks=pytest.mark.req("ENC-008.1")),
]


@pytest.mark.req("OBJ-017.1", "ADP-014")
@pytest.mark.parametrize("name", NAMES)
def test_wit_genesis_state_names_follow_the_tree_name_rules(
    impl: Implementation, name: str
) -> None:
    pair = _Pair(impl)
    pair.call(
        f"genesis with state name {name!r:.40}", "wit-genesis", actor="echo", state={name: "01"}
    )
    _echo(pair)
