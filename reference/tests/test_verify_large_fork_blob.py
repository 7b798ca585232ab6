"""A fork's ``fork`` entry read again when the walk did not keep it (RUN-010.2, RUN-008.2).

``verify_actor`` keeps what its walk reads but blobs past ``KEPT_BLOB_BYTES``, which a
check that needs one reads from the store again. The one such check is the child's
first step: its core's ``fork`` entry must name the parent and the step it continues.
RUN-008.2's blob is about 150 bytes, far under the threshold, so only a ``fork`` entry
of another form (here the same JSON object with a member of padding) is past it: the
verdict must not depend on whether the walk kept it.
"""

from __future__ import annotations

import json

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, _verify, verify_actor
from gritwit.runtime._fork import FORK_ENTRY
from gritwit.store import Store, head_ref
from gritwit.wit import test_actor_core


def _child_with_padded_fork(store: Store) -> g.ObjectId:
    """A counter with two steps, and a child of its first step whose ``fork`` entry is a
    JSON object naming the parent and the step, padded past ``KEPT_BLOB_BYTES``."""
    rt = Runtime(store)

    async def counter() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        await rt.run_until_quiescent()
        blob = g.Blob(data=b"1")
        await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
        await rt.run_until_quiescent()
        return actor

    parent = run(counter())
    head = store.get_ref(head_ref(parent))
    assert head is not None
    step = store.get_object(head)
    assert isinstance(step, g.Step) and step.previous is not None
    at = step.previous
    record = {"actor": parent.hex(), "step": at.hex(), "padding": "x" * 8192}
    fork_blob = g.Blob(
        data=json.dumps(record, sort_keys=True).encode(),
        headers={"content-type": "application/json"},
    )
    assert len(fork_blob.data) > _verify.KEPT_BLOB_BYTES
    at_step = store.get_object(at)
    assert isinstance(at_step, g.Step)
    core = store.get_object(at_step.core)
    assert isinstance(core, g.Tree)
    entries = dict(core.entries)
    entries[FORK_ENTRY] = store.put_object(fork_blob)
    child = store.put_object(g.Tree(entries=entries))
    first = g.Step(actor=child, core=child, previous=at, inbox=at_step.inbox)
    store.cas_ref(head_ref(child), None, store.put_object(first))
    return child


@pytest.mark.req("RUN-010.2", "RUN-010.1", "RUN-008.2")
def test_a_fork_entry_past_the_kept_size_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's history verifies whole with the padded fork entry read again, the same
    report as when the walk keeps every blob it reads."""
    store = Store.memory()
    child = _child_with_padded_fork(store)
    checked = verify_actor(store, child)
    monkeypatch.setattr(_verify, "KEPT_BLOB_BYTES", 10**9)
    kept = verify_actor(store, child)
    assert kept.ok, kept.problems  # the entry names the parent and the step
    assert checked == kept
