"""Messages to ids no actor has, and the outbox's bound (WIT-009.4).

* a message a sandboxed actor sends to an id no actor has stays in its outbox, pending,
  and is delivered when an actor with that id starts;
* an outbox's map keeps an entry for every recipient ever written to: k steps of
  ``PER`` sends to fresh ids leave k * ``PER`` entries (read along its ``base`` chain,
  OBJ-019.1; what each step stores is WIT-009.5's, ``test_outbox_chain.py``);
* one mailbox is one object: about 167 000 recipients fit in ENC-013's 16 MiB, a few
  hundred more do not (``too-large``): the most one transition can send to new
  recipients (WIT-009.6).
"""

from __future__ import annotations

import hashlib

import pytest
from fresh_sender import fresh_sender

from gritwit._codec import encode_object, object_id
from gritwit._errors import TooLarge
from gritwit._ids import ObjectId
from gritwit._objects import Blob, Mailbox, Step
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.store import Store
from gritwit.wit import mailbox_entries

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)


def _sender(store: Store, per: int) -> tuple[object, ObjectId]:
    from gritwit.adapter._sandbox import program_core
    from gritwit.sandbox import SandboxWits
    from gritwit.wit import Executor

    ex = Executor(store, sandbox=SandboxWits())
    core, objects = program_core(fresh_sender(per), {})
    actor = ex.genesis(core, objects)
    assert not ex.run_until_quiescent().failures
    return ex, actor


def _outbox(store: Store, ex: object, actor: ObjectId) -> dict[ObjectId, ObjectId]:
    step = store.get_object(ex.head(actor))  # type: ignore[attr-defined]
    assert isinstance(step, Step)
    return mailbox_entries(store, step.outbox)  # the map, along base (OBJ-019.1)


@needs_interpreter
@pytest.mark.req("WIT-009.4", "WIT-012.2")
def test_a_message_to_an_id_no_actor_has_waits_for_that_actor() -> None:
    """The sender queues ``inc`` to a counter's id before that counter exists: the entry
    stays in its outbox, and the counter's first transition, at its genesis, reads it."""
    from gritwit.wit import test_actor_core

    store = Store.memory()
    ex, sender = _sender(store, 0)
    counter_core, code = test_actor_core("counter")
    counter = object_id(counter_core)
    empty = store.put_object(Blob(data=b""))
    ex.inject(sender, empty, {"mt": "tell", "to": counter.hex()})  # type: ignore[attr-defined]
    assert not ex.run_until_quiescent().failures  # type: ignore[attr-defined]
    assert ex.head(counter) is None  # type: ignore[attr-defined]
    assert counter in _outbox(store, ex, sender)
    ex.genesis(counter_core, code)  # type: ignore[attr-defined]
    assert not ex.run_until_quiescent().failures  # type: ignore[attr-defined]
    core = ex.core(counter)  # type: ignore[attr-defined]
    count = store.get_object(core.entries["count"])
    assert isinstance(count, Blob) and count.data == b"1"


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("WIT-009.4", "WIT-009.1", "OBJ-019.1")
def test_every_recipient_ever_written_stays_in_the_outbox() -> None:
    """5 steps of 100 sends to fresh ids: after step k the outbox's map holds 100 * k
    entries (the last step's recipients among them), past 256 read along its chain."""
    per, steps = 100, 5
    store = Store.memory()
    ex, sender = _sender(store, per)
    empty = store.put_object(Blob(data=b""))
    seen: set[ObjectId] = set()
    for k in range(1, steps + 1):
        ex.inject(sender, empty, {"mt": "go"})  # type: ignore[attr-defined]
        assert not ex.run_until_quiescent().failures  # type: ignore[attr-defined]
        box = _outbox(store, ex, sender)
        fresh = {
            ObjectId.from_hex(hashlib.sha256(b"%d:%d" % (k - 1, i)).hexdigest()) for i in range(per)
        }
        seen |= fresh
        assert set(box) == seen, k


def _mailbox(count: int) -> Mailbox:
    digest = ObjectId(b"\x01" * 32)
    return Mailbox(
        entries={ObjectId(hashlib.sha256(b"%d" % i).digest()): digest for i in range(count)}
    )


@pytest.mark.req("WIT-009.4", "WIT-009.6", "ENC-013")
def test_one_outbox_holds_about_167_000_recipients() -> None:
    """An outbox of 167 000 recipients encodes within 16 MiB; one of 167 800 does not."""
    assert len(encode_object(_mailbox(167_000))) <= 16 << 20
    with pytest.raises(TooLarge):
        encode_object(_mailbox(167_800))
