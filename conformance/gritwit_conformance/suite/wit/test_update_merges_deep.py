"""The default update merges at every depth (WIT-013.4).

WIT-013.4: an entry of the update replaces the entry of the same name, "except that two
trees of the same name are merged recursively". The wit profile tested the merge one
level down only; a merge that recurses once (two trees at the top merged, their own
sub-trees replaced whole) was caught only through Wasm images. Here an echo actor's core
carries trees three levels deep, and one update is sent per case. Each expected core is
written out below from the rule, entry by entry, and compared by id with the core of
the step the update made (``wit-head``, ``wit-object``). Both sides: trees meeting trees
at depth 2, 3 and 4 are merged; a blob meeting a tree, or a tree meeting a blob, at
depth 2 is replaced, not merged; a name new at depth 3 is added.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, check_type

pytestmark = pytest.mark.profile("wit")

WIT = {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}}  # writes no entry (WIT-019.1)


def _t(**entries: Any) -> dict[str, Any]:
    """A tree in ``wit-send``'s form."""
    return {"tree": entries}


def _b(data: str) -> dict[str, Any]:
    return {"blob": data}


#: The genesis core: ``cfg`` holds a blob, a tree ``deep``, which holds a tree ``deeper``,
#: which holds a tree ``deepest``.
CORE = _t(
    wit=WIT,
    cfg=_t(
        a=_b("01"),
        deep=_t(
            x=_b("01"),
            y=_b("02"),
            deeper=_t(p=_b("01"), q=_b("02"), deepest=_t(m=_b("01"), n=_b("02"))),
        ),
    ),
    top=_b("05"),
)

#: name → (the update's tree, the core after it, written from WIT-013.4)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "merged-at-depth-2": (
        _t(cfg=_t(deep=_t(x=_b("09")))),
        _t(
            wit=WIT,
            cfg=_t(
                a=_b("01"),
                deep=_t(
                    x=_b("09"),
                    y=_b("02"),
                    deeper=_t(p=_b("01"), q=_b("02"), deepest=_t(m=_b("01"), n=_b("02"))),
                ),
            ),
            top=_b("05"),
        ),
    ),
    "merged-at-depth-3": (
        _t(cfg=_t(deep=_t(deeper=_t(q=_b("09"))))),
        _t(
            wit=WIT,
            cfg=_t(
                a=_b("01"),
                deep=_t(
                    x=_b("01"),
                    y=_b("02"),
                    deeper=_t(p=_b("01"), q=_b("09"), deepest=_t(m=_b("01"), n=_b("02"))),
                ),
            ),
            top=_b("05"),
        ),
    ),
    "merged-at-depth-4-and-at-2": (
        _t(cfg=_t(deep=_t(y=_b("08"), deeper=_t(deepest=_t(n=_b("09"), o=_b("03")))))),
        _t(
            wit=WIT,
            cfg=_t(
                a=_b("01"),
                deep=_t(
                    x=_b("01"),
                    y=_b("08"),
                    deeper=_t(
                        p=_b("01"), q=_b("02"), deepest=_t(m=_b("01"), n=_b("09"), o=_b("03"))
                    ),
                ),
            ),
            top=_b("05"),
        ),
    ),
    "new-name-at-depth-3": (
        _t(cfg=_t(deep=_t(z=_b("07")))),
        _t(
            wit=WIT,
            cfg=_t(
                a=_b("01"),
                deep=_t(
                    x=_b("01"),
                    y=_b("02"),
                    z=_b("07"),
                    deeper=_t(p=_b("01"), q=_b("02"), deepest=_t(m=_b("01"), n=_b("02"))),
                ),
            ),
            top=_b("05"),
        ),
    ),
    "blob-replaces-a-tree-at-depth-2": (
        _t(cfg=_t(deep=_b("07"))),
        _t(wit=WIT, cfg=_t(a=_b("01"), deep=_b("07")), top=_b("05")),
    ),
    "tree-replaces-a-blob-at-depth-2": (
        _t(cfg=_t(a=_t(k=_b("07")))),
        _t(
            wit=WIT,
            cfg=_t(
                a=_t(k=_b("07")),
                deep=_t(
                    x=_b("01"),
                    y=_b("02"),
                    deeper=_t(p=_b("01"), q=_b("02"), deepest=_t(m=_b("01"), n=_b("02"))),
                ),
            ),
            top=_b("05"),
        ),
    ),
}


def _object(value: dict[str, Any]) -> g.GritObject:
    """``wit-send``'s form as an object: the expected core, built without the merge."""
    if "tree" in value:
        return g.Tree(entries={k: g.object_id(_object(v)) for k, v in value["tree"].items()})
    headers = dict(value.get("headers", {}))
    return g.Blob(data=bytes.fromhex(value["blob"]), headers=headers)


def _core_of(impl: Implementation, runtime: str, actor: str) -> str:
    rule = "WIT-013.4"  # the head whose core the merge made
    step_id = call_ok(impl, rule, "wit-head", runtime=runtime, actor=actor)["step"]
    data = call_ok(impl, rule, "wit-object", runtime=runtime, id=step_id)["bytes"]
    step = check_type(
        rule,
        g.decode_object(bytes.fromhex(data)),
        g.Step,
        expected="a step",
        what="the actor's head",
    )
    return step.core.hex()


@pytest.mark.req("WIT-013.4", "WIT-013.2", "WIT-019.1")
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_default_update_merges_trees_at_every_depth(impl: Implementation, case: str) -> None:
    update, expected = CASES[case]
    runtime = str(call_ok(impl, "WIT-013.4", "wit-open")["runtime"])
    actor = g.object_id(_object(CORE)).hex()
    call_ok(impl, "WIT-013.4", "wit-send", runtime=runtime, to=actor, mt="genesis", content=CORE)
    first = call_ok(impl, "WIT-013.4", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        "WIT-013.4",
        [[actor], []],
        [[a for a, _ in first["steps"]], first["failures"]],
        "the genesis run's [actors of its steps, failures]",
    )
    call_ok(impl, "WIT-013.4", "wit-send", runtime=runtime, to=actor, mt="update", content=update)
    run = call_ok(impl, "WIT-013.2", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        "WIT-013.2",
        [[actor], []],
        [[a for a, _ in run["steps"]], run["failures"]],
        f"{case}: the update run's [actors of its steps, failures]: one step, alone",
    )
    core = _core_of(impl, runtime, actor)
    want = g.object_id(_object(expected)).hex()
    check_equal(
        "WIT-013.4",
        want,
        core,
        f"{case}: the core after the update, trees of the same name merged at every "
        "depth and any other entry of the same name replaced",
    )
