"""Signals that set nine outbox entries to the messages they hold already change nothing:
the step's outbox is the last one's, over a chain of three levels too (WIT-009.1).

A signal names no ``previous`` (WIT-004), so a signal of the same content and headers
to the same recipient is the very message its outbox entry names: setting the entry to
it changes no entry. WIT-009.5's *D* is then empty and the new step keeps the last
step's outbox (WIT-009.1), however the entries are looked up: here the last outbox is
a chain of three mailboxes, the nine entries in its bottom level, so a builder that
compares the sends with the map (rather than walking the levels key by key, as for a
few keys) must read the map through every level (OBJ-019.1). The test actors never
signal (WIT-028.5), so a Wasm Wit does (WASM-012.3), and the chain comes in a bundle
(``rt-import`` takes it as it is, RUN-009).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, fail
from ..wasm._calls import Lowering, module

pytestmark = pytest.mark.profile("runtime", "wasm")  # a Wasm actor: both profiles (ADP-006)

IMPORTS = {"msg_count": 0, "mark_read": 1, "send": 7}
DATA = b"same signal"
CONTENT = g.Blob(data=DATA)  # WASM-012.1: a new blob holding the data, no headers
RECIPIENTS = [g.ObjectId(hashlib.sha256(b"WIT-009.1 signalled %d" % i).digest()) for i in range(9)]


def _module() -> bytes:
    """A step that reads its one message and signals DATA, no headers, to each recipient."""
    lowering = Lowering()
    body = ["(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))"]
    body += lowering.calls([("send", [r.hex().encode(), b"", DATA, 1]) for r in RECIPIENTS])
    return module(IMPORTS, lowering, {"step": body})


def _bundle() -> tuple[bytes, g.ObjectId, g.ObjectId]:
    """The actor's one step, its outbox a chain of three levels (one entry, one entry,
    and the nine signals at the bottom), bundled; the actor's id and the outbox's."""
    wit = g.Blob(data=_module(), headers={"runtime": "wasm", "abi": "1"})  # WASM-001
    core = g.Tree(entries={"wit": g.object_id(wit)})
    actor = g.object_id(core)
    signal = g.Message(content=g.object_id(CONTENT))  # no previous, no headers (WIT-004)
    others = [g.Message(content=g.object_id(CONTENT), headers={"mt": f"level {i}"}) for i in (1, 2)]
    bottom = g.Mailbox(entries={r: g.object_id(signal) for r in RECIPIENTS})
    middle = g.Mailbox(
        entries={g.ObjectId(b"\x21" * 32): g.object_id(others[0])}, base=g.object_id(bottom)
    )
    top = g.Mailbox(
        entries={g.ObjectId(b"\x22" * 32): g.object_id(others[1])}, base=g.object_id(middle)
    )
    head = g.Step(actor=actor, core=actor, outbox=g.object_id(top))
    objects: list[g.GritObject] = [wit, core, CONTENT, signal, *others, bottom, middle, top, head]
    encoded = {g.object_id(o): g.encode_object(o) for o in objects}
    order = sorted(encoded, key=lambda oid: oid.digest)
    data = g.encode_value(
        ["gritwit-bundle/1", actor.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )
    return data, actor, g.object_id(top)


@pytest.mark.req("WIT-009.1", "WIT-009.5", "WIT-004", "WASM-012.3", "OBJ-019.1", "RUN-009")
@pytest.mark.req("ADP-015", "WIT-007.1")  # its checks name them too
def test_nine_signals_repeating_their_entries_keep_a_chained_outbox(
    impl: Implementation, tmp_path: Path
) -> None:
    bundle, actor, outbox = _bundle()
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path / "rt"), first_delay=0)["runtime"]
    )
    try:
        call_ok(impl, "RUN-009", "rt-import", runtime=runtime, bundle=bundle.hex())
        call_ok(
            impl,
            "ADP-015",
            "rt-send",
            runtime=runtime,
            to=actor.hex(),
            mt="go",
            content={"blob": ""},
        )
        run = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("WIT-009.1", "WASM-012.3"),
            {"stepped": [actor.hex()], "failures": []},
            {"stepped": [a for a, _ in run["steps"]], "failures": run["failures"]},
            "the actors stepped: the Wasm actor reads the outside's message and signals",
        )
        found = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=run["steps"][0][1])
        step = g.decode_object(bytes.fromhex(str(found["bytes"])))
        if not isinstance(step, g.Step):
            fail("WIT-007.1", expected="a step", came=step, what="the actor's new step")
        check_equal(
            ("WIT-009.1", "WIT-009.5", "OBJ-019.1"),
            outbox.hex(),
            None if step.outbox is None else step.outbox.hex(),
            "the new step's outbox: nine signals set nine entries of the bottom level of a "
            "chain of three to the messages they name already, so no entry changes and the "
            "step keeps the last outbox",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
