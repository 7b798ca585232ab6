"""Wit behaviours the spec once left open, now settled.

* the presence check of a new core is recursive: an absent object anywhere below a
  created or linked tree fails the transition (WIT-007.4);
* a frozen core's protected entries *change* only when their ids do: setting one to
  the object it already names is no change (WIT-016).
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from ..wasm._calls import Call, Lowering, module

ZERO = "00" * 32


def _hex(text: str) -> str:
    return text.encode().hex()


# --- WIT-007.4: presence below trees --------------------------------------------------------

ARITY = {"msg_count": 0, "mark_read": 1, "core_set": 6, "core_link": 4}
ABSENT = g.object_id(g.Blob(data=b"WIT-007.4: stored nowhere")).hex().encode()
#: a tree `wit-send` stores with its entries (present, with everything below it)
SENT_TREE = {"tree": {"x": {"blob": "01"}, "y": {"tree": {"z": {"blob": "02"}}}}}
SENT_TREE_ID = (
    g.object_id(
        g.Tree(
            entries={
                "x": g.object_id(g.Blob(data=b"\x01")),
                "y": g.object_id(g.Tree(entries={"z": g.object_id(g.Blob(data=b"\x02"))})),
            }
        )
    )
    .hex()
    .encode()
)
PRESENT = g.object_id(g.Blob(data=b"\x01")).hex().encode()


def _wasm(calls: list[Call]) -> bytes:
    """A step that reads every message and makes ``calls`` (their results dropped)."""
    lowering = Lowering()
    body = ["(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))"]
    body += lowering.calls(calls)
    return module(ARITY, lowering, {"step": body})


#: name → calls whose new core holds an absent object below a tree (True) or not (False)
BELOW: dict[str, tuple[list[Call], bool]] = {
    "absent-two-below-a-created-tree": (
        [("core_set", [b"t/u/x", b"y", b""]), ("core_link", [b"t/u/l", ABSENT])],
        True,
    ),
    "absent-four-deep": ([("core_link", [b"a/b/c/d/l", ABSENT])], True),
    "absent-below-a-linked-tree": (
        [("core_link", [b"t", SENT_TREE_ID]), ("core_link", [b"t/y/l", ABSENT])],
        True,
    ),
    "present-four-deep": ([("core_link", [b"a/b/c/d/l", PRESENT])], False),
    "a-linked-tree-with-its-entries": ([("core_link", [b"t", SENT_TREE_ID])], False),
    "present-below-a-linked-tree": (
        [("core_link", [b"t", SENT_TREE_ID]), ("core_link", [b"t/y/l", PRESENT])],
        False,
    ),
}


@pytest.mark.profile("wit", "wasm")
@pytest.mark.req("WIT-007.4", "WIT-007.3", "WASM-013.2", "WASM-011.4")
@pytest.mark.parametrize("name", sorted(BELOW))
def test_presence_is_checked_at_any_depth_below_the_core(impl: Implementation, name: str) -> None:
    calls, absent = BELOW[name]
    runtime = str(call_ok(impl, "WIT-007.4", "wit-open")["runtime"])
    try:
        # store the tree (and the blob 01) that some cases link
        call_ok(impl, "WIT-007.4", "wit-send", runtime=runtime, to=ZERO, content=SENT_TREE)
        made = call_ok(impl, "WIT-007.4", "wit-genesis", runtime=runtime, module=_wasm(calls).hex())
        actor = str(made["actor"])
        run = call_ok(impl, "WIT-007.4", "wit-run", runtime=runtime, max_steps=5)
        if absent:
            check_equal(
                "WIT-007.4",
                [[actor, "invalid-transition"]],
                run["failures"],
                f"{name}: the failures of a step whose new core has an absent object below a tree",
            )
            head = call_ok(impl, "WIT-007.4", "wit-head", runtime=runtime, actor=actor)
            check_equal(
                "WIT-007.4",
                None,
                head.get("step"),
                f"{name}: wit-head's step after the failed genesis transition (none adopted)",
            )
        else:
            check_equal(
                "WIT-007.4",
                [[], [actor]],
                [run["failures"], [a for a, _ in run["steps"]]],
                f"{name}: the run's [failures, actors of its steps], every object present",
            )
    finally:
        impl.call("wit-close", runtime=runtime)


# --- WIT-016: no change is no change ---------------------------------------------------------

WIT_UPDATER = {"blob": _hex("updater"), "headers": {"runtime": "test-actor"}}
REPLACE = {"blob": _hex("replace"), "headers": {"runtime": "test-actor"}}


def _frozen_updater(impl: Implementation, runtime: str) -> str:
    made = call_ok(
        impl, "WIT-016", "wit-genesis", runtime=runtime, actor="updater", state={"frozen": "01"}
    )
    return str(made["actor"])


def _send_and_run(
    impl: Implementation, runtime: str, actor: str, mt: str, content: dict[str, Any]
) -> dict[str, Any]:
    call_ok(impl, "WIT-016", "wit-send", runtime=runtime, to=actor, mt=mt, content=content)
    return call_ok(impl, "WIT-016", "wit-run", runtime=runtime, max_steps=5)


#: name → (mt, content, whether the frozen core refuses it)
FROZEN_CASES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "set-code-to-its-own-name": ("set-code", {"blob": _hex("updater")}, False),
    "set-code-to-another-name": ("set-code", {"blob": _hex("counter")}, True),
    "update-with-the-same-wit": ("update", {"tree": {"wit": WIT_UPDATER}}, False),
    "update-with-the-same-frozen": ("update", {"tree": {"frozen": {"blob": "01"}}}, False),
    "update-with-both-and-more": (
        "update",
        {"tree": {"wit": WIT_UPDATER, "frozen": {"blob": "01"}, "note": {"blob": "02"}}},
        False,
    ),
    "update-same-data-other-headers": (
        "update",
        {
            "tree": {
                "wit": {"blob": _hex("updater"), "headers": {"runtime": "test-actor", "v": "2"}}
            }
        },
        True,
    ),
    "update-another-frozen": ("update", {"tree": {"frozen": {"blob": "02"}}}, True),
    "replace-keeping-them": (
        "update",
        {"tree": {"wit_update": REPLACE, "wit": WIT_UPDATER, "frozen": {"blob": "01"}}},
        False,
    ),
    "replace-dropping-frozen": (
        "update",
        {"tree": {"wit_update": REPLACE, "wit": WIT_UPDATER}},
        True,
    ),
}


@pytest.mark.profile("wit")
@pytest.mark.req("WIT-016", "WIT-023.2", "WIT-013.4")
@pytest.mark.parametrize("name", sorted(FROZEN_CASES))
def test_a_frozen_entry_set_to_the_object_it_names_is_unchanged(
    impl: Implementation, name: str
) -> None:
    mt, content, refused = FROZEN_CASES[name]
    for first in (True, False):  # in the genesis transition, then in a later one
        runtime = str(call_ok(impl, "WIT-016", "wit-open")["runtime"])
        try:
            actor = _frozen_updater(impl, runtime)
            if not first:
                start = call_ok(impl, "WIT-016", "wit-run", runtime=runtime, max_steps=5)
                check(
                    "WIT-016",
                    start["failures"] == [] and len(start["steps"]) == 1,
                    expected=f"{name}: the frozen updater's genesis adopted: one step, no "
                    "failure (a frozen entry in the genesis core changes nothing)",
                    came=start,
                    what="wit-run before the message",
                )
            run = _send_and_run(impl, runtime, actor, mt, content)
            when = f"{name} ({'genesis' if first else 'later'} transition)"
            # a set-code that changes wit is WIT-023.2's rule; an update's, WIT-016's
            rule = "WIT-023.2" if mt == "set-code" else "WIT-016"
            if refused:
                check_equal(rule, [[actor, "frozen-core"]], run["failures"], f"{when}: failures")
            else:
                check(
                    "WIT-016",
                    run["failures"] == [] and run["steps"],
                    expected=f"{when}: a step and no failure: an entry set to the object it "
                    "already names is not changed",
                    came=run,
                )
                # the actor still runs as an updater: its wit is the same
                wut = call_ok(
                    impl, "WIT-016", "wit-query", runtime=runtime, actor=actor, name="wut"
                )
                check(
                    "WIT-016",
                    b'"name":"updater"' in bytes.fromhex(wut["data"]),
                    expected=f"{when}: wut names updater (its wit unchanged)",
                    came=wut,
                )
        finally:
            impl.call("wit-close", runtime=runtime)
