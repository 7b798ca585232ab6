"""An update its runtime refuses is read and answered, not left pending (SBX-006.19).

SBX-006.17 refuses an update whose new core a ``python-wasi`` actor's runs could not
mount.  The refusal is a function of the core and the runtime's limits, so retrying it
refuses it again; left pending, the update would stay first in line for good (WIT-013.2)
and no later message would ever run, a clear of the failed mark included.  Here the
update is read by a step that keeps the last core and answers its sender ``mt: "error"``
with ``{"actor", "error": "too-large", "update"}``; the next message then runs on the
kept core, in the same run, with no failed attempt and no failed mark.

Checked through the executor (the Wit layer) and a runtime with a small core limit
(SBX-007.7), the issue's shape: a sandboxed actor, a refused update, then a message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aio import run

from gritwit import Blob, GritObject, Step, Tree, object_id
from gritwit.runtime import Runtime
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.store import Store
from gritwit.wit import OUTSIDE, mailbox_entries, pending

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)

#: The runtime's core limit here (SBX-007.7): small, so the update past it is small.
LIMIT = 4000


def _core(size: int) -> tuple[Tree, tuple[GritObject, ...]]:
    """A ``python-wasi`` core holding one file of ``size`` bytes: its program writes nothing."""
    from gritwit.adapter._sandbox import program_core

    return program_core("print(1)\n", {"s": Blob(data=b"s" * size)})


def _update(extra: int) -> tuple[Tree, Blob]:
    """An update adding a file that takes a core of 10 bytes to ``LIMIT + extra``."""
    more = Blob(data=b"u" * (LIMIT - 10 + extra))
    return Tree(entries={"u": object_id(more)}), more


def _answer(store: Store, step_id: Any) -> list[tuple[str, dict[str, str]]]:
    """What the step ``step_id`` has sent to the outside: ``(mt, JSON content)``, oldest first."""
    step = store.get_object(step_id)
    assert isinstance(step, Step)
    box = mailbox_entries(store, step.outbox)
    found = []
    for item in pending(store, box.get(OUTSIDE), None):
        blob = store.get_object(item.message.content)
        assert isinstance(blob, Blob)
        found.append((item.mt or "", json.loads(blob.data)))
    return found


@needs_interpreter
@pytest.mark.req("SBX-006.19", "SBX-006.17", "WIT-013.2", "WIT-013.4")
def test_a_refused_update_is_read_and_the_next_message_runs_on_the_kept_core() -> None:
    """Through the executor: the update past the bound is read by a step whose core is the
    last core; the step answers the outside ``error`` naming the actor, ``too-large`` and
    the update's message; a message sent after the update is read by the next step."""
    from gritwit.sandbox import SandboxLimits, SandboxWits
    from gritwit.wit import Executor

    store = Store.memory()
    ex = Executor(store, sandbox=SandboxWits(SandboxLimits(core_bytes=LIMIT)))
    core, objects = _core(10)
    actor = ex.genesis(core, objects)
    assert not ex.run_until_quiescent().failures
    first = ex.head(actor)
    update, more = _update(1)
    store.put_object(more)
    sent = ex.inject(actor, store.put_object(update), {"mt": "update"})
    note = ex.inject(actor, store.put_object(Blob(data=b"n")), {"mt": "note"})
    report = ex.run_until_quiescent()
    assert not report.failures, (
        f"an update SBX-006.17 refuses is read, not failed (SBX-006.19): {report.failures}"
    )
    assert len(report.steps) == 2, (
        f"one step reads the refused update, the next the note (SBX-006.19): {report.steps}"
    )
    refusal = report.steps[0][1]
    assert ex.core(actor) == core, "the actor keeps its last core (SBX-006.17, SBX-006.19)"
    assert not ex.pending_for(actor), "neither the update nor the note is still pending"
    assert _answer(store, refusal) == [
        ("error", {"actor": actor.hex(), "error": "too-large", "update": sent.hex()})
    ], "the refusal's step answers the update's sender with its class (SBX-006.19)"
    refused_step = store.get_object(refusal)
    assert isinstance(refused_step, Step) and refused_step.previous == first
    assert note != sent


@needs_interpreter
@pytest.mark.req("SBX-006.19", "SBX-006.17", "SBX-007.7", "RUN-004.4", "RUN-025.3")
def test_a_runtime_steps_past_a_refused_update_with_no_failed_mark() -> None:
    """Through a runtime of core limit ``LIMIT``: an update one byte past it, then a
    message.  One run adopts both steps, records no failed attempt and marks nothing;
    the update at the limit after it is adopted (the kept core is the one it merges into)."""

    async def go() -> None:
        store = Store.memory()
        rt = Runtime(store, max_core_bytes=LIMIT, first_backoff=0)
        core, objects = _core(10)
        actor = await rt.genesis(core, objects)
        assert not (await rt.run_until_quiescent()).failures
        update, more = _update(1)
        await rt.send(actor, object_id(update), {"mt": "update"}, objects=(update, more))
        note = Blob(data=b"n")
        await rt.send(actor, object_id(note), {"mt": "note"}, objects=(note,))
        report = await rt.run_until_quiescent()
        assert not report.failures and not rt.failures, (
            f"a refused update is no failed transition (SBX-006.19): {rt.failures}"
        )
        assert rt.failed(actor) is None, "the actor is not marked failed (SBX-006.19)"
        assert [a for a, _ in report.steps] == [actor, actor], (
            f"the refused update and the note each take a step (SBX-006.19): {report.steps}"
        )
        head = store.get_object(rt.head(actor))  # type: ignore[arg-type]
        assert isinstance(head, Step) and head.core == object_id(core), (
            "the actor keeps its last core (SBX-006.17)"
        )
        fits, fitting = _update(0)
        await rt.send(actor, object_id(fits), {"mt": "update"}, objects=(fits, fitting))
        report = await rt.run_until_quiescent()
        assert not report.failures and len(report.steps) == 1, report
        head = store.get_object(rt.head(actor))  # type: ignore[arg-type]
        assert isinstance(head, Step)
        assert "u" in store.get_object(head.core).entries, (  # type: ignore[union-attr]
            "an update at the limit, after the refused one, is merged into the kept core"
        )

    run(go())
