"""A group member lost to another writer is run again in the same run (RUN-017.4,
RUN-002.3, RUN-012.1).

Another writer moves an actor's head while its step waits in the open group: the
member's swap loses, and the run must build the actor's transition again on the new
head before it answers quiescent.  Two things a lost member left behind must not stop
that: the routing index rebuilt from the heads has to mark the actor (its messages
are still pending), and the provisional adoption's *idle snapshot* (left by a step that
read nothing, RUN-012.1) has to be forgotten, since the step it describes was never
adopted.  The other writer here is the test itself, swapping the head to a copy of the
step the member was built on (same core, inbox and outbox), just before the group
commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, _group, history
from gritwit.store import Store, head_ref
from gritwit.wit import TEST_ACTORS, TransitionInput, TransitionOutput, test_actor_core


def _moved_before_the_first_commit(
    actor: g.ObjectId, monkeypatch: pytest.MonkeyPatch
) -> list[g.ObjectId]:
    """Make the first group commit holding a member of ``actor`` lose it: another writer
    moves the head first.  Returns the other writer's step (once it is made)."""
    real = _group.CommitGroup.commit
    made: list[g.ObjectId] = []

    def race_then_commit(self: _group.CommitGroup, store: Store, wake: bool = True) -> Any:
        if not made and any(m.actor == actor for m in self.members):
            head = store.get_ref(head_ref(actor))
            step = store.get_object(head)  # type: ignore[arg-type]
            assert isinstance(step, g.Step)
            other = g.Step(
                actor=actor, core=step.core, previous=head, inbox=step.inbox, outbox=step.outbox
            )
            made.append(store.put_object(other))
            store.cas_ref(head_ref(actor), head, made[0])  # the other writer wins
        return real(self, store, wake)

    monkeypatch.setattr(_group.CommitGroup, "commit", race_then_commit)
    return made


@pytest.mark.req("RUN-017.4", "RUN-002.3", "RUN-018.1")
def test_a_lost_member_whose_messages_are_pending_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.memory()
    rt = Runtime(store)
    counter = run(rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"lost")})))
    run(rt.run_until_quiescent())
    one = g.Blob(data=b"1")
    run(rt.send(counter, g.object_id(one), {"mt": "inc"}, objects=[one]))
    made = _moved_before_the_first_commit(counter, monkeypatch)
    report = run(rt.run_until_quiescent())
    assert made, "the counter's member met the other writer's swap"
    assert report.quiescent, report
    assert rt.group_losses >= 1, "RUN-017.4: the member was lost"
    assert rt.query(counter, "count").data == b"1", (
        "RUN-017.4, RUN-002.3: the lost member's message was run again in the same run"
    )
    assert [sid for sid, _ in history(store, counter)][1] == made[0], (
        "the step run again is built on the other writer's"
    )


def _idler() -> Callable[[TransitionInput], TransitionOutput]:
    """A Wit that reads its messages on its first transition only; each later one
    writes how many steps it has made into its core and reads nothing."""

    def wit(inp: TransitionInput) -> TransitionOutput:
        steps = 0 if inp.last_step is None else int(_entry(inp, "steps") or b"0") + 1
        blob = g.Blob(data=str(steps).encode())
        entries = {**inp.core.entries, "steps": g.object_id(blob)}
        read = {s: len(items) for s, items in inp.pending.items()} if steps == 0 else {}
        return TransitionOutput(core=g.Tree(entries=entries), read=read, new_objects=(blob,))

    return wit


def _entry(inp: TransitionInput, name: str) -> bytes | None:
    oid = inp.core.entries.get(name)
    blob = None if oid is None else inp.objects.get_object(oid)
    return blob.data if isinstance(blob, g.Blob) else None


@pytest.mark.req("RUN-017.4", "RUN-012.1", "RUN-018.1")
def test_a_lost_member_that_read_nothing_is_not_left_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.memory()
    rt = Runtime(store, actors={**TEST_ACTORS, "idler": _idler()})
    idler = run(rt.genesis(*test_actor_core("idler")))
    run(rt.run_until_quiescent())
    note = g.Blob(data=b"unread")
    run(rt.send(idler, g.object_id(note), {"mt": "note"}, objects=[note]))
    made = _moved_before_the_first_commit(idler, monkeypatch)
    report = run(rt.run_until_quiescent())
    assert made, "the idler's member met the other writer's swap"
    assert report.quiescent, report
    steps = [sid for sid, _ in history(store, idler)]
    assert len(steps) == 3 and steps[1] == made[0], (
        "RUN-017.4, RUN-012.1: the idler's step that read nothing was lost, so it is not "
        "idle: its transition is run again on the other writer's step "
        f"(history of {len(steps)} steps, the other writer's second: {made[0] in steps[1:2]})"
    )
