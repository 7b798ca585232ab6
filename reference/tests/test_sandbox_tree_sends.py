"""A sandboxed program sends a tree of blobs (SBX-004.5, SBX-012.5).

A port request's content is a tree with the entries ``headers`` and ``body`` (PORT-001.2),
which a program that could send only a blob could never ask for. These run the real
interpreter (``pip install 'gritwit[sandbox]'``); without it they skip, saying so.
"""

from __future__ import annotations

import json

import pytest

import gritwit as g
from gritwit.sandbox import (
    INSTALL_HINT,
    SandboxLimits,
    SandboxWits,
    interpreter_path,
    run_python,
    wit_blob,
)
from gritwit.sandbox import interpreter_id as held_interpreter
from gritwit.wit import Executor, mailbox_map

pytestmark = [pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)]

LIMITS = SandboxLimits(fuel=2_000_000_000, memory_bytes=64 << 20)
TO = "11" * 32


def _program(sends: object) -> str:
    return f"open('/out/sends.json', 'w').write({json.dumps(sends)!r})\n"


def _actor(store: g.Store, source: str) -> tuple[Executor, g.ObjectId]:
    ex = Executor(store, sandbox=SandboxWits(LIMITS))
    core = g.Tree(entries={"wit": store.put_object(wit_blob(source, held_interpreter()))})
    return ex, ex.genesis(core)


@pytest.mark.req("SBX-012.5", "SBX-004.5", "PORT-001.2")
def test_a_send_with_a_tree_queues_a_tree_of_blobs_with_their_headers_and_data() -> None:
    store = g.Store.memory()
    tree = {
        "headers": {"headers": {"authorization": "Bearer ${secret:model_key}"}},
        "body": {"data": "eyJhIjogMX0="},  # {"a": 1}
        "empty": {},
    }
    ex, actor = _actor(
        store, _program([{"to": TO, "headers": {"mt": "port-request"}, "tree": tree}])
    )
    report = ex.run_until_quiescent()
    assert not report.failures, report.failures
    step_id = ex.head(actor)
    assert step_id is not None
    head = store.get_object(step_id)
    assert isinstance(head, g.Step)
    sent = store.get_object(mailbox_map(store, head.outbox)[g.ObjectId.from_hex(TO)])
    assert isinstance(sent, g.Message) and sent.headers == {"mt": "port-request"}, sent
    content = store.get_object(sent.content)
    assert isinstance(content, g.Tree), f"SBX-012.5: expected a tree as content, got {content!r}"
    got = {}
    for name, oid in content.entries.items():
        blob = store.get_object(oid)
        assert isinstance(blob, g.Blob), f"SBX-012.5: entry {name} should be a blob"
        got[name] = (dict(blob.headers), blob.data)
    assert got == {
        "headers": ({"authorization": "Bearer ${secret:model_key}"}, b""),
        "body": ({}, b'{"a": 1}'),
        "empty": ({}, b""),
    }, "SBX-012.5: each entry a blob of that entry's headers and data"


@pytest.mark.req("SBX-004.5", "SBX-012.5", "SBX-013.1")
@pytest.mark.parametrize(
    "send",
    [
        {"to": TO, "data": "", "tree": {}},  # data beside tree
        {"to": TO, "tree": []},  # not an object
        {"to": TO, "tree": {}},  # a tree without entries (OBJ-010)
        {"to": TO, "tree": {"a/b": {}}},  # a name no tree holds (OBJ-011.2)
        {"to": TO, "tree": {"a": {"body": ""}}},  # an entry key it does not know
        {"to": TO, "tree": {"a": {"data": None}}},  # null is no omission
        {"to": TO, "tree": {"a": {"headers": {"": "x"}}}},  # a header no blob carries
    ],
    ids=[
        "data-and-tree",
        "tree-list",
        "no-entries",
        "slash-name",
        "unknown-key",
        "null-data",
        "empty-header",
    ],
)
def test_a_malformed_tree_send_fails_the_transition_invalid_transition(send: object) -> None:
    store = g.Store.memory()
    ex, actor = _actor(store, _program([send]))
    report = ex.run_until_quiescent()
    classes = [f.error_class for f in report.failures]
    assert classes == ["invalid-transition"], f"SBX-004.5: {send!r} expected invalid-transition"
    assert ex.head(actor) is None


@pytest.mark.req("SBX-012.5", "ADP-019.2")
def test_sandbox_run_answers_a_tree_send_with_its_entries_as_hex() -> None:
    store = g.Store.memory()
    send = {
        "to": TO,
        "headers": {"mt": "m"},
        "tree": {"body": {"data": "aGk=", "headers": {"k": "v"}}},
    }
    result = run_python(_program([send]), store=store, limits=LIMITS)
    assert [s.described() for s in result.sends] == [
        {
            "to": TO,
            "headers": {"mt": "m"},
            "tree": {"body": {"headers": {"k": "v"}, "data": "6869"}},
        }
    ]
