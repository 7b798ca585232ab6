"""Behaviours the spec once left open, now settled.

* ``encode`` judges a deeply nested value by the rule of the field it stands in,
  never ``too-deep`` (ADP-009.4);
* members of a content description other than its own are ignored, except by the
  lone-surrogate pass (ADP-004.9);
* every argument is checked, in table order, before the lone-surrogate pass and the
  object pass run; ``rt-fork`` meets the object pass inside the fork (ADP-004.10);
* ``rt-fork``'s ``state`` bans a ``wit`` entry as ``wit-genesis``'s does (ADP-015).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, check_outcome, ok_answer

ZERO = "00" * 32
LONE = "\ud800"


def _nested(depth: int, inner: Any = None) -> Any:
    """``depth`` nested arrays (``[[…]]``), ``inner`` at the bottom when given."""
    value: Any = [] if inner is None else [inner]
    for _ in range(depth - 1):
        value = [value]
    return value


def _nested_maps(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


# --- ADP-009.4: deep values in encode are judged by their field's rule ---------------------

DEPTHS = [33, 40, 100]
#: name → (description with the deep value at %, the class of the field's own rule)
DEEP_PLACES: dict[str, tuple[Any, str]] = {
    "unknown-field": ({"type": "blob", "data": "", "x": "%"}, "invalid-object"),
    "unknown-field-of-a-tree": ({"type": "tree", "entries": {"a": "0" * 64}, "z": "%"}, ""),
    "blob-data": ({"type": "blob", "data": "%"}, "invalid-object"),
    "header-value": ({"type": "blob", "data": "", "headers": {"k": "%"}}, "invalid-object"),
    "tree-entry": ({"type": "tree", "entries": {"a": "%"}}, "invalid-id"),
    "mailbox-entry": ({"type": "mailbox", "entries": {ZERO: "%"}}, "invalid-id"),
    "message-content": ({"type": "message", "content": "%"}, "invalid-id"),
    "type": ({"type": "%", "data": ""}, "invalid-object"),
}


def _place(template: Any, value: Any) -> Any:
    if template == "%":
        return value
    if isinstance(template, dict):
        return {k: _place(v, value) for k, v in template.items()}
    return template


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.4", "ENC-017.3", "OBJ-016.1", "OBJ-018.9")
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("place", sorted(DEEP_PLACES))
@pytest.mark.req("CONV-004")
def test_encode_judges_a_deep_value_by_its_fields_rule_not_too_deep(
    impl: Implementation, place: str, depth: int
) -> None:
    template, expected = DEEP_PLACES[place]
    # the tree's unknown field: a valid entry, so only the unknown key breaks a rule
    expected = expected or "invalid-object"
    for deep in (_nested(depth), _nested_maps(depth), _nested(depth, "x")):
        reply = impl.call("encode", check=False, object=_place(template, deep))
        check_outcome(
            "ADP-009.4",
            reply,
            expected,
            f"encode with a value {depth} levels deep as its {place}: the field's rule "
            "decides, never too-deep",
        )


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-009.4", "OBJ-018.6")
@pytest.mark.parametrize("place", sorted(DEEP_PLACES))
@pytest.mark.req("CONV-004")
def test_encode_reports_a_lone_surrogate_deep_inside_before_the_fields_rule(
    impl: Implementation, place: str
) -> None:
    template, _ = DEEP_PLACES[place]
    reply = impl.call("encode", check=False, object=_place(template, _nested(40, LONE)))
    check_outcome(
        ("OBJ-018.6", "ADP-009.4"),
        reply,
        "invalid-utf8",
        f"encode with a lone surrogate 40 levels deep as its {place}: the surrogate pass "
        "runs before any field's rule",
    )


# --- ADP-004.9: ignored members of a content description ----------------------------------

#: name → a description with members not its own, the same description without them
IGNORED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "blob-number": ({"blob": "00", "note": 1}, {"blob": "00"}),
    "blob-bad-hex": ({"blob": "00", "x": "zz"}, {"blob": "00"}),
    "blob-with-headers": (
        {"blob": "01", "headers": {"k": "v"}, "tag": {"blob": "zz"}},
        {"blob": "01", "headers": {"k": "v"}},
    ),
    "blob-deep": ({"blob": "", "x": _nested(40)}, {"blob": ""}),
    "tree-headers": (
        {"tree": {"a": {"blob": "00"}}, "headers": 5},
        {"tree": {"a": {"blob": "00"}}},
    ),
    "tree-headers-object": (
        {"tree": {"a": {"blob": "00"}}, "headers": {"k": "v"}},
        {"tree": {"a": {"blob": "00"}}},
    ),
    "nested-entry": (
        {"tree": {"a": {"blob": "00", "null": None}, "b": {"tree": {"c": {"blob": ""}}, "n": []}}},
        {"tree": {"a": {"blob": "00"}, "b": {"tree": {"c": {"blob": ""}}}}},
    ),
    "tree-a-name-that-breaks-OBJ-011": (
        {"tree": {"a": {"blob": "00"}}, "x/y": {"tree": {}}},
        {"tree": {"a": {"blob": "00"}}},
    ),
}


def _first_message(
    impl: Implementation, clause: Clause, cmd_open: str, content: dict[str, Any], **more: Any
) -> Any:
    """The reply to the first ``wit-send`` of a new runtime (its id depends on nothing else);
    ``clause`` is the one the opening breaks if it fails."""
    runtime = str(call_ok(impl, clause, cmd_open)["runtime"])
    try:
        return impl.call("wit-send", check=False, runtime=runtime, to=ZERO, content=content, **more)
    finally:
        impl.call("wit-close", runtime=runtime)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.9", "ADP-004.8", "ADP-014")
@pytest.mark.parametrize("name", sorted(IGNORED))
def test_members_not_its_own_are_ignored_in_a_content_description(
    impl: Implementation, name: str
) -> None:
    with_extra, plain = IGNORED[name]
    got = _first_message(impl, "ADP-014", "wit-open", with_extra, mt="m")
    want = _first_message(impl, "ADP-014", "wit-open", plain, mt="m")
    message = ok_answer(got, "ADP-004.9", f"wit-send of {name}: members not its own ignored")
    control = ok_answer(want, "ADP-014", f"wit-send of {name} without the members not its own")
    check_equal(
        "ADP-004.9",
        control.get("message"),
        message.get("message"),
        f"the message id of wit-send of {name}: the ignored members change nothing, so it is "
        "the id sent without them",
    )


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.9", "ADP-004.8", "ENC-008.1")
@pytest.mark.parametrize(
    "content",
    [
        {"blob": "00", "x" + LONE: 1},
        {"blob": "00", "x": LONE},
        {"blob": "00", "x": {"y": [1, "a" + LONE]}},
        {"tree": {"a": {"blob": "00"}}, "headers": {"k": LONE}},
        {"tree": {"a": {"blob": "00", "n" + LONE: None}}},
    ],
    ids=["name", "value", "deep-value", "tree-headers", "nested-entry"],
)
@pytest.mark.req("CONV-004")
def test_a_lone_surrogate_in_an_ignored_member_is_still_invalid_utf8(
    impl: Implementation, content: dict[str, Any]
) -> None:
    reply = _first_message(impl, "ADP-004.8", "wit-open", content)
    check_outcome(
        ("ADP-004.8", "ADP-004.9"),
        reply,
        "invalid-utf8",
        "wit-send of content with a lone surrogate in a member pass 3 ignores",
    )


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.9", "ADP-002")
def test_an_unknown_request_field_is_ignored_whole_surrogates_included(
    impl: Implementation,
) -> None:
    extra = {"x" + LONE: LONE}
    got = _first_message(impl, "ADP-002", "wit-open", {"blob": "00"}, mt="m", **extra)
    want = _first_message(impl, "ADP-002", "wit-open", {"blob": "00"}, mt="m")
    what = "wit-send with an unknown field whose name and value are lone surrogates"
    message = ok_answer(got, ("ADP-002", "ADP-004.9"), what)
    control = ok_answer(want, "ADP-002", "wit-send without the unknown field")
    check_equal(
        ("ADP-002", "ADP-004.9"),
        control.get("message"),
        message.get("message"),
        f"the message id of {what}: the field is ignored whole, so the id is the one sent "
        "without it",
    )


# --- ADP-004.10: every argument before the lone-surrogate and object passes ----------------

BAD_SIGNALS: list[Any] = ["yes", 1, None, [], {}]
#: name → (wit-send arguments with a fault of pass 2 or 3 in an earlier argument, its class)
EARLIER_FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "mt-surrogate": ({"mt": LONE, "content": {"blob": "00"}}, "invalid-utf8"),
    "header-surrogate": ({"content": {"blob": "00", "headers": {"k": LONE}}}, "invalid-utf8"),
    "entry-surrogate": ({"content": {"tree": {"a" + LONE: {"blob": "00"}}}}, "invalid-utf8"),
    "entry-name": ({"content": {"tree": {"a/b": {"blob": "00"}}}}, "invalid-name"),
    "empty-tree": ({"content": {"tree": {"a": {"tree": {}}}}}, "invalid-object"),
    "header-not-text": ({"content": {"blob": "00", "headers": {"k": 1}}}, "invalid-object"),
    "mt-surrogate-and-name": (
        {"mt": LONE, "content": {"tree": {"a/b": {"blob": "00"}}}},
        "invalid-utf8",
    ),
}


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-004.10", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.10", "ADP-004.6", "ADP-004.8")
@pytest.mark.parametrize("name", sorted(EARLIER_FAULTS))
@pytest.mark.req("CONV-004")
def test_a_later_arguments_fault_wins_over_surrogate_and_object_passes(
    impl: Implementation, runtime: str, name: str
) -> None:
    args, alone = EARLIER_FAULTS[name]
    reply = impl.call("wit-send", check=False, runtime=runtime, to=ZERO, **args)
    # a lone surrogate is pass 2's (ADP-004.8), an object's fault pass 3's
    check_outcome("ADP-004.8", reply, alone, f"wit-send with {name} alone")
    for signal in BAD_SIGNALS:
        reply = impl.call("wit-send", check=False, runtime=runtime, to=ZERO, signal=signal, **args)
        check_outcome(
            "ADP-004.10",
            reply,
            "bad-request",
            f"wit-send with {name} and signal {json.dumps(signal)}: every argument is "
            "checked before the lone-surrogate and object passes",
        )
    # an earlier argument's own fault still comes first
    reply = impl.call("wit-send", check=False, runtime=runtime, to="zz", signal="yes", **args)
    check_outcome(
        ("ADP-004.10", "ADP-004.6"),
        reply,
        "invalid-id",
        f'wit-send with {name}, signal "yes" and to "zz": the earlier argument to fails first',
    )
    # and a later argument's bad shape, in content, after a surrogate in mt
    if "mt" in args:
        bad = {**args, "content": {"blob": "0"}}
        reply = impl.call("wit-send", check=False, runtime=runtime, to=ZERO, **bad)
        check_outcome(
            "ADP-004.10",
            reply,
            "bad-request",
            f"wit-send with {name} and content of odd hex: the argument pass (bad-request) "
            "runs before the lone-surrogate pass",
        )


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-004.10", "ADP-004.8", "RUN-008.9", "ADP-015")
@pytest.mark.req("CONV-004")
def test_rt_send_checks_every_argument_first(impl: Implementation, tmp_path: Path) -> None:
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        for name, (args, _) in sorted(EARLIER_FAULTS.items()):
            reply = impl.call("rt-send", check=False, runtime=runtime, to=ZERO, signal=0, **args)
            check_outcome(
                "ADP-004.10",
                reply,
                "bad-request",
                f"rt-send with {name} and signal 0 (no boolean): every argument is checked "
                "before the lone-surrogate and object passes",
            )
    finally:
        impl.call("rt-close", runtime=runtime)


def _counter(impl: Implementation, runtime: str) -> tuple[str, str]:
    """A counter actor started on ``runtime`` and its head (ADP-015's commands)."""
    actor = str(call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"])
    call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)
    return actor, str(call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"])


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-004.10", "ADP-015", "RUN-008.9", "RUN-008.3", "OBJ-011.2")
@pytest.mark.req("CONV-004")
def test_rt_fork_judges_state_names_inside_the_fork(impl: Implementation, tmp_path: Path) -> None:
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor, head = _counter(impl, runtime)
        other = g.object_id(g.Blob(data=b"no such step")).hex()
        # (step, state, the class, the clause that decides it)
        cases: list[tuple[str, dict[str, str], str, Clause]] = [
            # the step before the state's names
            (other, {"a/b": "00"}, "not-found", ("RUN-008.9", "ADP-004.10")),
            (head, {"a/b": "00"}, "invalid-name", ("OBJ-011.2", "ADP-004.10")),
            # RUN-008.3 first
            (head, {"a/b": "00", "fork": "00"}, "invalid-object", ("RUN-008.3", "RUN-008.9")),
            (head, {"fork": "00", "a/b": "00"}, "invalid-object", ("RUN-008.3", "RUN-008.9")),
            # pass 2 before RUN-008
            (other, {"a/b": "00", "x" + LONE: "00"}, "invalid-utf8", ("ADP-004.10", "ADP-004.8")),
            (head, {"a/b": "00", "x" + LONE: "00"}, "invalid-utf8", ("ADP-004.10", "ADP-004.8")),
            # pass 1 before RUN-008
            (other, {"wit": "00"}, "bad-request", ("ADP-004.10", "ADP-015")),
            (other, {"a" + LONE: "00", "wit": "00"}, "bad-request", ("ADP-004.10", "ADP-015")),
        ]
        for step, state, expected, clause in cases:
            reply = impl.call(
                "rt-fork", check=False, runtime=runtime, actor=actor, step=step, state=state
            )
            which = "the actor's head" if step == head else "a step never stored"
            check_outcome(
                clause, reply, expected, f"rt-fork at {which} with state {json.dumps(state)}"
            )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- ADP-015: rt-fork's state has no wit entry ---------------------------------------------


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-015", "ADP-004.8", "ADP-004.10", "RUN-008.2")
@pytest.mark.parametrize("data", ["00", "", "636f756e746572", "zz"])
@pytest.mark.req("CONV-004")
def test_rt_fork_refuses_a_wit_entry_in_state(
    impl: Implementation, tmp_path: Path, data: str
) -> None:
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor, head = _counter(impl, runtime)
        for state in ({"wit": data}, {"tag": "01", "wit": data}):
            reply = impl.call(
                "rt-fork", check=False, runtime=runtime, actor=actor, step=head, state=state
            )
            check_outcome(
                "ADP-015",
                reply,
                "bad-request",
                f"rt-fork with state {json.dumps(state)}: its state names no wit entry",
            )
        # a step argument that is no id still comes first (the table's order)
        reply = impl.call(
            "rt-fork", check=False, runtime=runtime, actor=actor, step="zz", state={"wit": data}
        )
        check_outcome(
            ("ADP-004.10", "ADP-015"),
            reply,
            "invalid-id",
            'rt-fork with step "zz" and a wit entry in state: the step argument, earlier in '
            "the table, fails first",
        )
        # nothing was forked: the same fork without wit is still a new child
        child = call_ok(
            impl,
            ("RUN-008.2", "ADP-015"),
            "rt-fork",
            runtime=runtime,
            actor=actor,
            step=head,
            state={"t": "01"},
        )
        check(
            ("RUN-008.2", "ADP-015"),
            child.get("actor") != actor,
            expected="a new child's id, not the parent's: the refused forks forked nothing",
            came=child,
            what='rt-fork at the head with state {"t": "01"}',
        )
    finally:
        impl.call("rt-close", runtime=runtime)
