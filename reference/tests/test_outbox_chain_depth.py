"""A step's outbox is built in work linear in what it merges, however deep the chain (WIT-009.7).

An import takes a bundle's outbox chain as it is (RUN-009): a hand-built chain of
100 000 mailboxes of one entry each is a legal 16 MB bundle.  WIT-009.5 then merges the
sender's next *D* down the chain while the levels are small, up to 65 536 entries
(WIT-009.6).  A builder that copies and re-sorts the growing union at each level it
merges is quadratic in the levels: minutes of CPU for that one step, failed
``time-limit`` at every attempt.

* operations counted, not time: over a chain of 4 096 one-entry levels, the builder's
  hashes and comparisons of keys stay within 40 per level (the quadratic builder made
  millions), and its mailbox is WIT-009.5's;
* the same through a runtime: a chain of 2 000 levels imported, the echo's next step
  adopted, its outbox the union of all 2 001 entries without ``base``;
* heavy: 100 000 levels, as found; the next step adopted with no failed attempt, and the
  import's and the step's process CPU printed.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from gritwit import Blob, Mailbox, Message, ObjectId, Step, object_id
from gritwit._maps import raw_of
from gritwit.runtime import Runtime, export_bundle
from gritwit.store import Store, head_ref
from gritwit.wit import MERGE_CAP, OutboxChain, build_outbox, test_actor_core


class _Counted(str):
    """A key that counts its hashes and comparisons: the builder's work, without a clock."""

    __slots__ = ()
    ops = 0

    def __hash__(self) -> int:
        _Counted.ops += 1
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        _Counted.ops += 1
        return str.__eq__(self, other)

    def __lt__(self, other: str) -> bool:
        _Counted.ops += 1
        return str.__lt__(self, other)


def _key(i: int) -> str:
    return _Counted(i.to_bytes(4, "big").hex() + "00" * 28)


@pytest.mark.req("WIT-009.7", "WIT-009.5", "WIT-009.6")
def test_a_chain_of_one_entry_levels_is_merged_in_linear_work() -> None:
    levels = 4096
    chain = OutboxChain(
        tuple(ObjectId(i.to_bytes(4, "big") + bytes(28)) for i in range(levels)),
        tuple({_key(i + 1): bytes([i % 256]) * 32} for i in range(levels)),
    )
    _Counted.ops = 0
    box = build_outbox(chain, {_key(0): b"\xff" * 32})
    work = _Counted.ops
    assert box is not None and box.base is None
    entries = raw_of(box.entries)
    assert list(entries) == sorted(_key(i) for i in range(levels + 1)), (
        "every level is small, so WIT-009.5 merges the whole chain into one mailbox"
    )
    assert entries[_key(0)] == b"\xff" * 32 and entries[_key(7)] == bytes([6]) * 32
    assert work <= 40 * levels, (
        f"merging {levels} one-entry levels took {work} hashes and comparisons of keys: "
        f"more than 40 a level, so not linear in what it merges (WIT-009.7)"
    )


def _chained(store: Store, levels: int) -> ObjectId:
    """An echo actor whose head's outbox is a hand-made chain of ``levels`` mailboxes of
    one entry each (recipients no actor has, each sent the one message), as an import
    would take it: 100 000 levels are a bundle of about 16 MB (ENC-013)."""
    core, objects = test_actor_core("echo")
    for obj in (*objects, core):
        store.put_object(obj)
    actor = object_id(core)
    content = store.put_object(Blob(data=b"x"))
    message = store.put_object(Message(content=content))  # one message: the bundle's 16 MiB
    base: ObjectId | None = None
    for i in range(levels):
        recipient = ObjectId((i + 1).to_bytes(4, "big") + bytes(28))
        base = store.put_object(Mailbox(entries={recipient: message}, base=base))
    step = store.put_object(Step(actor=actor, core=actor, outbox=base))
    store.cas_ref(head_ref(actor), None, step)
    return actor


def _next_step(levels: int) -> tuple[Any, Mailbox, float, float]:
    """Import the chain of ``levels`` into a fresh runtime (default limits), send the echo
    one message from the outside and run: the run's report, the new head's outbox and
    the CPU seconds of the import and of the run."""
    source = Store.memory()
    actor = _chained(source, levels)
    bundle = export_bundle(source, actor)
    store = Store.memory()
    rt = Runtime(store)
    started = time.process_time()
    rt.import_bundle(bundle)
    imported = time.process_time() - started

    async def go() -> Any:
        ping = Blob(data=b"ping")
        await rt.send(actor, object_id(ping), {"mt": "ping"}, objects=(ping,))
        return await rt.run_until_quiescent()

    started = time.process_time()
    report = asyncio.run(go())
    ran = time.process_time() - started
    head = store.get_object(rt.head(actor))  # type: ignore[arg-type]
    assert isinstance(head, Step) and head.outbox is not None
    outbox = store.get_object(head.outbox)
    assert isinstance(outbox, Mailbox)
    return report, outbox, imported, ran


@pytest.mark.req("WIT-009.7", "WIT-009.5", "RUN-009")
def test_a_runtime_steps_over_an_imported_chain_of_2000_levels() -> None:
    report, outbox, _, _ = _next_step(2000)
    assert not report.failures and len(report.steps) == 1, report
    assert outbox.base is None and len(outbox.entries) == 2001, (
        "the echo's reply to the outside merged with every one-entry level (WIT-009.5)"
    )


@pytest.mark.heavy
@pytest.mark.req("WIT-009.7", "WIT-009.6", "RUN-009", "RUN-005.1")
def test_a_runtime_steps_over_an_imported_chain_of_100_000_levels() -> None:
    """The chain as found: 100 000 levels.  The next step merges 65 536 entries (the cap,
    WIT-009.6) over the rest of the chain, within the default time limit: no attempt
    fails (before: 315 s of CPU without finishing)."""
    report, outbox, imported, ran = _next_step(100_000)
    assert not report.failures and len(report.steps) == 1, report
    assert len(outbox.entries) == MERGE_CAP and outbox.base is not None
    load = os.getloadavg()[0]
    print(f"100 000 levels: import {imported:.1f} s CPU, step {ran:.1f} s CPU, load {load:.1f}")
