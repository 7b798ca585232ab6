"""A program sends a tree of new blobs (SBX-004.5, SBX-012.5, ADP-019.2).

``tree`` in place of ``data`` in a send of ``/out/sends.json`` names entries, each with its
own ``headers`` and ``data``: ``sandbox-run`` answers it as declared, data as hex, and a
transition queues a message whose content is a new tree of those blobs (what a port
request's content is, PORT-001.2). ``data`` beside ``tree``, a tree without entries and a
name no tree holds are malformed. Every expected value is what the program declared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.teleport._scenarios import sandbox_core

from .._check import call_ok, check_equal, check_type, ok_answer
from ._heads import sent_outside
from ._runs import check_class, failure_class, ran

pytestmark = pytest.mark.profile("sandbox")

OUTSIDE = "00" * 32
#: A port request's shape: headers in one blob, a body in another.
TREE = {
    "headers": {"headers": {"authorization": "Bearer ${secret:k}"}},
    "body": {"data": "dGVh"},  # tea
}


def _program(sends: list[dict[str, Any]]) -> str:
    return f"open('/out/sends.json', 'w').write({json.dumps(sends)!r})\n"


@pytest.mark.req("SBX-012.5", "SBX-004.5", "ADP-019.2")
@pytest.mark.req("ENC-014")
def test_sandbox_run_answers_a_tree_send_as_declared(impl: Implementation) -> None:
    got = ran(impl, _program([{"to": OUTSIDE, "headers": {"mt": "port-request"}, "tree": TREE}]))
    check_equal(
        "ADP-019.2",
        [
            {
                "to": OUTSIDE,
                "headers": {"mt": "port-request"},
                "tree": {
                    "headers": {"headers": {"authorization": "Bearer ${secret:k}"}, "data": ""},
                    "body": {"headers": {}, "data": b"tea".hex()},
                },
            }
        ],
        got.get("sends"),
        "the sends of a program that declared one with a tree: as declared, data as hex",
    )


@pytest.mark.req("SBX-004.5", "SBX-012.5")
@pytest.mark.parametrize(
    "send",
    [
        {"to": OUTSIDE, "data": "", "tree": TREE},
        {"to": OUTSIDE, "tree": [1]},
        {"to": OUTSIDE, "tree": {"a": {"body": ""}}},
        {"to": OUTSIDE, "tree": {"a": {"data": None}}},
    ],
    ids=["data-and-tree", "tree-list", "entry-unknown-key", "entry-data-null"],
)
@pytest.mark.req("CONV-004")
def test_a_malformed_tree_send_is_invalid(impl: Implementation, send: dict[str, Any]) -> None:
    check_class(
        "SBX-004.5",
        "invalid-transition",
        failure_class(impl, _program([send])),
        f"/out/sends.json [{send!r}]: a send has data or tree, never both, and tree is an "
        "object of entries each with headers and data only",
    )


@pytest.mark.profile("sandbox", "runtime")
@pytest.mark.req("SBX-012.5", "SBX-012.2", "SBX-013.1")
@pytest.mark.req("ADP-015", "OBJ-019.1", "WIT-004")
def test_a_transition_queues_a_tree_of_the_declared_blobs(
    impl: Implementation, tmp_path: Path
) -> None:
    interpreter = call_ok(impl, "SBX-012.5", "sandbox-info")["interpreter"]
    runtime = call_ok(impl, "SBX-012.5", "rt-open", path=str(tmp_path))["runtime"]
    try:
        spawner = call_ok(impl, "SBX-012.5", "rt-genesis", runtime=runtime, actor="spawner")
        sends = [{"to": OUTSIDE, "headers": {"mt": "asked"}, "tree": TREE}]
        bad = [{"to": OUTSIDE, "headers": {"mt": "asked"}, "tree": {"a/b": {}}}]
        made = {}
        for name, program in (("good", _program(sends)), ("bad", _program(bad))):
            description, actor = sandbox_core(program, interpreter)
            made[name] = actor
            call_ok(
                impl,
                "SBX-012.5",
                "rt-send",
                runtime=runtime,
                to=spawner["actor"],
                mt="spawn",
                content=description,
            )
        run = call_ok(impl, "SBX-012.5", "rt-run", runtime=runtime, max_steps=20)
        check_equal(
            ("SBX-012.5", "SBX-013.1"),
            [[made["bad"], "invalid-transition"]],
            run["failures"],
            "the failures: the actor whose send names a tree entry 'a/b' (OBJ-011.2) fails "
            "invalid-transition, the other none",
        )
        ((headers, content),) = sent_outside(impl, runtime, made["good"])
        check_equal("SBX-012.5", {"mt": "asked"}, headers, "the queued message's headers")
        tree = check_type("SBX-012.5", content, g.Tree, expected="a tree as the content")
        entries = {}
        for name, oid in sorted(tree.entries.items()):
            data = ok_answer(
                impl.call("rt-object", runtime=runtime, id=oid.hex()), "ADP-015", "rt-object"
            )
            entry = g.decode_object(bytes.fromhex(data["bytes"]))
            entry = check_type("SBX-012.5", entry, g.Blob, expected=f"the entry {name} a blob")
            entries[name] = (dict(entry.headers), entry.data)
        check_equal(
            "SBX-012.5",
            {"body": ({}, b"tea"), "headers": ({"authorization": "Bearer ${secret:k}"}, b"")},
            entries,
            "the content's entries: each a blob of its declared headers and data",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
