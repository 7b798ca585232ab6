"""The outside's outbox as 16 mailboxes, by the recipient's digit (RUN-003.2, RUN-003.4, RUN-003.5).

A send from the outside to *R* swaps ``names/outside-outbox/<h>``, ``<h>`` the 16th hex
digit of *R*'s text form, and no other ref: sends to recipients of different digits
touch different refs, so runtimes sending for different shares (RUN-021) do not take
turns at one. A store written before the change holds the outside's outbox under the
one ref ``names/outside-outbox``: a runtime reads a recipient's entry there when its
mailbox has none, never writes that ref, and chains its next message to the recipient
from the old entry (WIT-004) -- so what was sent before is read once, not twice, and not
lost. The old layout is built here by a second process writing through the store
profile alone (ADP-010.6), as a runtime of the old layout would have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail
from .._store_writer import TEST_ACTOR, StoreWriter, genesis, salted_core
from .._writers import count_of, inc
from .._writers import second as second  # the store writer's process
from ._multi import OUTSIDE_REF, outside_ref

pytestmark = pytest.mark.profile("runtime")

#: The outside's 16 mailbox refs (RUN-003.4) and its old ref (RUN-003.5).
REFS = (OUTSIDE_REF, *(f"{OUTSIDE_REF}/{digit}" for digit in "0123456789abcdef"))


def _refs(impl: Implementation, rt: str) -> dict[str, str | None]:
    """The targets of the outside's refs, the old one among them."""
    return {
        name: call_ok(impl, "RUN-003", "rt-ref", runtime=rt, name=name)["target"] for name in REFS
    }


def _moved(before: dict[str, str | None], after: dict[str, str | None]) -> set[str]:
    return {name for name in REFS if before[name] != after[name]}


def _object(impl: Implementation, rt: str, oid: str | g.ObjectId) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    return g.decode_object(
        bytes.fromhex(call_ok(impl, "RUN-003", "rt-object", runtime=rt, id=text)["bytes"])
    )


def _salts() -> tuple[int, int]:
    """Salts of two counters whose ids differ in their 16th hex digit (RUN-003.4)."""
    digits = {salt: g.object_id(salted_core("counter", salt)).hex()[15] for salt in range(16)}
    for salt, digit in digits.items():
        for other in range(salt + 1, 16):
            if digits[other] != digit:
                return salt, other
    raise AssertionError("16 counters with one digit")  # pragma: no cover


def _mailboxes_hold_their_digits(
    impl: Implementation, rt: str, refs: dict[str, str | None]
) -> None:
    for name, target in refs.items():
        if name == OUTSIDE_REF or target is None:
            continue
        box = _object(impl, rt, target)
        if not isinstance(box, g.Mailbox):
            fail(
                "ADP-015",
                expected="a mailbox",
                came=box,
                what=f"{name} names {target}, not a mailbox",
            )
        strays = [r.hex() for r in box.entries if outside_ref(r.hex()) != name]
        check(
            "RUN-003.4",
            not strays,
            expected="nothing (empty)",
            came=strays,
            what=f"{name} holds entries for {strays}, recipients of other digits: the outside's "
            "entry for a recipient lives only in its digit's mailbox",
        )


@pytest.mark.req("RUN-003.2", "RUN-003.4", "RUN-003.5", "WIT-004", "ADP-015")
def test_a_send_swaps_its_recipients_mailbox_and_no_other(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = str(call_ok(impl, "RUN-003.2", "rt-open", path=str(tmp_path))["runtime"])
    one, two = _salts()
    first = genesis(impl, rt, "counter", one, clause="RUN-003.2")
    refs = _refs(impl, rt)
    check_equal(
        ("RUN-003.4", "RUN-003.2", "RUN-003.5"),
        {outside_ref(first)},
        _moved(dict.fromkeys(REFS), refs),
        f"after the genesis of {first} the outside's refs are {refs}: only its mailbox "
        f"{outside_ref(first)} may be set (RUN-003.2, RUN-003.4; the old ref is never "
        "written, RUN-003.5)",
    )
    second_counter = genesis(impl, rt, "counter", two, clause="RUN-003.2")
    after = _refs(impl, rt)
    check_equal(
        "RUN-003.4",
        {outside_ref(second_counter)},
        _moved(refs, after),
        f"a send to {second_counter} moved {sorted(_moved(refs, after))}, not its mailbox "
        f"{outside_ref(second_counter)} alone",
    )
    call_ok(impl, "RUN-003.2", "rt-run", runtime=rt, max_steps=100)
    sent = {}
    for actor, amount in ((first, "3"), (second_counter, "4")):
        before = _refs(impl, rt)
        sent[actor] = inc(impl, rt, actor, amount, clause="RUN-003.2")
        after = _refs(impl, rt)
        mine = outside_ref(actor)
        check_equal(
            "RUN-003.4",
            {mine},
            _moved(before, after),
            f"the send to {actor} moved {sorted(_moved(before, after))}, not {mine} alone",
        )
        box = _object(impl, rt, str(after[mine]))
        if not isinstance(box, g.Mailbox):
            fail("RUN-003.4", expected="a mailbox", came=box, what="the box")
        check_equal("RUN-003.4", sent[actor], box.entries[g.ObjectId.from_hex(actor)].hex())
        message = _object(impl, rt, sent[actor])
        previous = _object(impl, rt, str(before[mine]))
        if not isinstance(message, g.Message):
            fail("RUN-003.2", expected="a message", came=message, what="the message")
        if not isinstance(previous, g.Mailbox):
            fail("RUN-003.4", expected="a mailbox", came=previous, what="the previous")
        check_equal(
            "WIT-004",
            previous.entries[g.ObjectId.from_hex(actor)],
            message.previous,
            "the send does not continue the outside's chain to its recipient",
        )
    _mailboxes_hold_their_digits(impl, rt, _refs(impl, rt))
    call_ok(impl, "RUN-003.2", "rt-run", runtime=rt, max_steps=100)
    check_equal("RUN-003.2", b"3", count_of(impl, rt, first, clause="RUN-003.2"))
    check_equal("RUN-003.2", b"4", count_of(impl, rt, second_counter, clause="RUN-003.2"))
    value = _refs(impl, rt)[OUTSIDE_REF]
    check("RUN-003.2", value is None, expected="nothing (null)", came=value)


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("RUN-003.5", "RUN-003.4", "WIT-004", "WIT-005", "RUN-007.2", "ADP-010.6")
def test_a_store_of_the_old_layout_is_read_once_and_chained_on(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """The genesis and an ``inc 5`` under the old ref, read by the runtime; an ``inc 2``
    under it unread; then the runtime sends ``inc 7`` (chained after the ``inc 2``) and
    ``inc 1`` (after the ``inc 7``): the count is 15, each message read once."""
    rt = str(call_ok(impl, "RUN-003.5", "rt-open", path=str(tmp_path))["runtime"])
    writer = StoreWriter(second, tmp_path)
    salt = _salts()[0]
    core = salted_core("counter", salt)
    writer.put(g.Blob(data=b"counter", headers=TEST_ACTOR))
    writer.put(g.Blob(data=bytes([salt])))
    actor = writer.put(core)
    chain = [writer.put(g.Message(content=actor, headers={"mt": "genesis"}))]

    def old_send(amount: bytes) -> None:  # a runtime of the old layout (RUN-003.5)
        content = writer.put(g.Blob(data=amount))
        chain.append(
            writer.put(g.Message(content=content, previous=chain[-1], headers={"mt": "inc"}))
        )
        old = writer.ref(OUTSIDE_REF)
        value = writer.cas(OUTSIDE_REF, old, writer.put(g.Mailbox(entries={actor: chain[-1]})))
        check("RUN-003.5", value, expected="a value, not empty", came=value)

    old_send(b"5")
    call_ok(impl, "RUN-003.5", "rt-run", runtime=rt, max_steps=100)
    check_equal(
        "RUN-003.5",
        b"5",
        count_of(impl, rt, actor.hex(), clause="RUN-003.5"),
        "the genesis and inc under the old ref names/outside-outbox were not read once: a "
        "recipient's entry is read there when its mailbox has none",
    )
    old_send(b"2")
    old = writer.ref(OUTSIDE_REF)
    seven = inc(impl, rt, actor.hex(), "7", clause="RUN-003.5")
    message = _object(impl, rt, seven)
    if not isinstance(message, g.Message):
        fail(
            ("RUN-003.5", "WIT-004"),
            expected="a message",
            came=message,
            what=f"the first send to {actor} after the change has previous {message}, not the old "
            f"ref's entry {chain[-1]}: it must chain from it",
        )
    check_equal(
        ("RUN-003.5", "WIT-004"),
        chain[-1],
        message.previous,
        f"the first send to {actor} after the change has previous {message}, not the old "
        f"ref's entry {chain[-1]}: it must chain from it",
    )
    check_equal("RUN-003.5", old, writer.ref(OUTSIDE_REF), "the old ref was written")
    mine = _refs(impl, rt).get(outside_ref(actor.hex()))
    if not isinstance(mine, str):
        fail(
            "RUN-003.4",
            expected="a string",
            came=mine,
            what=f"after a send to {actor}, its mailbox {outside_ref(actor.hex())} is not set: the "
            "entry for a recipient is in its digit's mailbox",
        )
    box = _object(impl, rt, mine)
    if not isinstance(box, g.Mailbox):
        fail(
            "RUN-003.4",
            expected="a mailbox",
            came=box,
            what=f"the mailbox {outside_ref(actor.hex())} holds {box}, not the send {seven}",
        )
    check_equal(
        "RUN-003.4",
        seven,
        box.entries[actor].hex(),
        f"the mailbox {outside_ref(actor.hex())} holds {box}, not the send {seven}",
    )
    call_ok(impl, "RUN-003.5", "rt-run", runtime=rt, max_steps=100)
    check_equal(
        "RUN-003.5",
        b"14",
        count_of(impl, rt, actor.hex(), clause="RUN-003.5"),
        "an old or new message lost or read twice",
    )
    one = inc(impl, rt, actor.hex(), "1", clause="RUN-003.5")
    message = _object(impl, rt, one)
    if not isinstance(message, g.Message):
        fail("RUN-003.5", expected="a message", came=message, what="the message")
    if message.previous is None:
        fail("RUN-003.5", expected="a value", came=message.previous, what="message's previous")
    check_equal(
        "RUN-003.5", seven, message.previous.hex(), "the mailbox's entry comes before the old one's"
    )
    call_ok(impl, "RUN-003.5", "rt-run", runtime=rt, max_steps=100)
    check_equal("RUN-003.5", b"15", count_of(impl, rt, actor.hex(), clause="RUN-003.5"))
    check_equal(
        "RUN-003.5", [], call_ok(impl, "RUN-003.5", "rt-run", runtime=rt, max_steps=100)["steps"]
    )
    check_equal("RUN-003.5", old, writer.ref(OUTSIDE_REF))


def _one_digit() -> tuple[int, int]:
    """Salts of two counters whose ids share their 16th hex digit: one mailbox (RUN-003.4)."""
    seen: dict[str, int] = {}
    for salt in range(256):
        digit = g.object_id(salted_core("counter", salt)).hex()[15]
        if digit in seen:
            return seen[digit], salt
        seen[digit] = salt
    raise AssertionError("256 counters with distinct digits")  # pragma: no cover


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("RUN-003.5", "RUN-003.4", "WIT-004", "WIT-005", "RUN-007.2", "ADP-010.6")
@pytest.mark.req("ADP-015")
def test_a_recipient_its_mailbox_lacks_is_read_from_the_old_ref(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """Two counters of one digit, both sent to under the old ref. Once the runtime sent to
    the second, their digit's mailbox is set and holds the second's entry alone; the
    first's entry is still the old ref's (RUN-003.5: read there when the mailbox "is unset
    or has no entry for *R*"): its unread ``inc 2`` under the old ref is read, and the
    runtime's next send to it chains from that ``inc 2``."""
    rt = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    writer = StoreWriter(second, tmp_path)
    writer.put(g.Blob(data=b"counter", headers=TEST_ACTOR))
    actors = []
    chains: dict[g.ObjectId, list[g.ObjectId]] = {}
    for salt in _one_digit():
        writer.put(g.Blob(data=bytes([salt])))
        actor = writer.put(salted_core("counter", salt))
        actors.append(actor)
        chains[actor] = [writer.put(g.Message(content=actor, headers={"mt": "genesis"}))]
    first, other = actors

    def old_send(to: g.ObjectId, amount: bytes) -> None:  # a runtime of the old layout
        content = writer.put(g.Blob(data=amount))
        message = g.Message(content=content, previous=chains[to][-1], headers={"mt": "inc"})
        chains[to].append(writer.put(message))
        latest = {actor: chain[-1] for actor, chain in chains.items()}
        old = writer.ref(OUTSIDE_REF)
        check(
            "ADP-010.6",
            writer.cas(OUTSIDE_REF, old, writer.put(g.Mailbox(entries=latest))),
            expected="the other writer's ref-cas of the outside ref (old layout) to swap",
            came="no swap",
        )

    old_send(first, b"5")
    old_send(other, b"3")
    call_ok(impl, "ADP-015", "rt-run", runtime=rt, max_steps=100)
    counts = (
        count_of(impl, rt, first.hex(), clause="RUN-003.5"),
        count_of(impl, rt, other.hex(), clause="RUN-003.5"),
    )
    check_equal("RUN-003.5", (b"5", b"3"), counts, "two counters sent to under the old ref count")
    old_send(first, b"2")  # unread, under the old ref
    old = writer.ref(OUTSIDE_REF)
    inc(impl, rt, other.hex(), "4", clause="RUN-003.5")
    mailbox = _refs(impl, rt).get(outside_ref(first.hex()))
    if mailbox is None:  # the send kept its digit no mailbox of its own (RUN-003.4)
        fail(
            "RUN-003.4",
            expected=f"after a send to {other} the ref {outside_ref(first.hex())} set",
            came="no such ref",
        )
    box = _object(impl, rt, str(mailbox))
    check(
        "RUN-003.4",
        isinstance(box, g.Mailbox) and set(box.entries) == {other},
        expected=f"after a send to {other} alone its digit's mailbox to hold its entry alone",
        came=str(box),
        what="the box",
    )
    call_ok(impl, "ADP-015", "rt-run", runtime=rt, max_steps=100)
    counts = (
        count_of(impl, rt, first.hex(), clause="RUN-003.5"),
        count_of(impl, rt, other.hex(), clause="RUN-003.5"),
    )
    check_equal(
        "RUN-003.5",
        (b"7", b"7"),
        counts,
        f"the counts: {first.hex()}'s digit's mailbox is set but has no entry for it, so its "
        "entry is the old ref's, whose unread inc 2 is read",
    )
    one = inc(impl, rt, first.hex(), "1", clause="RUN-003.5")
    message = _object(impl, rt, one)
    check(
        ("RUN-003.5", "WIT-004"),
        isinstance(message, g.Message) and message.previous == chains[first][-1],
        expected=f"the send to {first.hex()} to chain from the old ref's entry "
        f"{chains[first][-1]}: its digit's mailbox has no entry for it",
        came=f"previous {getattr(message, 'previous', None)}",
    )
    call_ok(impl, "ADP-015", "rt-run", runtime=rt, max_steps=100)
    check_equal(
        "RUN-003.5",
        b"8",
        count_of(impl, rt, first.hex(), clause="RUN-003.5"),
        "the count: no message lost or read twice",
    )
    check_equal(
        "RUN-003.5", old, writer.ref(OUTSIDE_REF), "the old ref after the runs (never written)"
    )
