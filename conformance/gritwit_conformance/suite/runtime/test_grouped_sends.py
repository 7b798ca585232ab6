"""Sends from the outside and group commit through the protocol (RUN-019, ADP-015).

``rt-open``'s ``sends`` chooses how an ``rt-send`` is committed: ``"own"`` (the
default) commits each send on its own and answers once it is durable (RUN-019.1);
``"group"`` (only with ``commit`` ``"group"``) may let it join the next run's commit
group, durable once that ``rt-run`` answers, whether or not it adopted a step
(RUN-019.2). An implementation may commit grouped sends on their own: every check
here holds for it too.

The harness SIGKILLs the adapter right after an answer (no close, no flush) and reopens
the directory in a new process. A send is then whole — the recipient's mailbox of the
outside's, ``names/outside-outbox/<h>`` (RUN-003.4), names a
mailbox whose entry for the recipient is the message, and the message is stored — or
absent (the outbox the send started from); its recipient reads it exactly once either
way: the counter's count says how often.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, check_type, error_answer, ok_answer
from ._multi import OUTSIDE_REF, outside_ref

pytestmark = pytest.mark.profile("runtime")


def outbox(actor: str) -> str:
    """The outside's mailbox ref for ``actor`` (RUN-003.4): its 16th hex digit."""
    return outside_ref(actor)


def _open(impl: Implementation, path: Path, sends: str | None) -> str:
    options: dict[str, Any] = {} if sends is None else {"sends": sends, "commit": "group"}
    reply = impl.call("rt-open", path=str(path), **options)
    if not reply.ok and reply.error_class == "bad-request":
        probe = impl.call("rt-open", path=str(path), commit="group")
        if not probe.ok:  # no commit modes at all: what sends needs is missing (ADP-015)
            pytest.skip(f"{impl.label} has no commit mode 'group' (ADP-015)")
    return str(ok_answer(reply, "ADP-015", f"rt-open with sends {sends!r}")["runtime"])


def _inc(impl: Implementation, rt: str, actor: str, amount: str) -> str:
    content = {"blob": amount.encode().hex()}
    reply = impl.call("rt-send", runtime=rt, to=actor, mt="inc", content=content)
    return str(ok_answer(reply, "ADP-015", f"rt-send of inc {amount}")["message"])


def _count(impl: Implementation, rt: str, actor: str) -> int:
    reply = impl.call("rt-query", runtime=rt, actor=actor, name="count")
    data = ok_answer(reply, "ADP-015", "the counter's count query")["data"]
    return int(bytes.fromhex(data) or b"0")


def _steps(impl: Implementation, rt: str) -> list[str]:
    """The actors whose steps one ``rt-run`` adopted."""
    ran = ok_answer(impl.call("rt-run", runtime=rt, max_steps=1000), "ADP-015", "rt-run")
    return [a for a, _ in ran["steps"]]


def _target(impl: Implementation, rt: str, name: str) -> str | None:
    target = ok_answer(impl.call("rt-ref", runtime=rt, name=name), "ADP-015", "rt-ref")["target"]
    return None if target is None else str(target)


def _decoded(impl: Implementation, rt: str, oid: str) -> g.GritObject | None:
    reply = impl.call("rt-object", runtime=rt, id=oid)
    if not reply.ok:
        error_answer(reply, "ADP-015", "not-found", f"rt-object {oid}")
        return None
    return g.decode_object(bytes.fromhex(ok_answer(reply, "ADP-015")["bytes"]))


def _kept_elsewhere(impl: Implementation, rt: str, actor: str, message: str) -> None:
    """A send the recipient's mailbox lacks but another of the outside's refs holds (the
    single old ref, another digit's mailbox) is kept: its fault is the outside's layout
    (RUN-003.4), not durability, and the message says so."""
    mine = outbox(actor)
    others = [OUTSIDE_REF, *(f"{OUTSIDE_REF}/{d}" for d in "0123456789abcdef")]
    for ref in (r for r in others if r != mine):
        got = impl.call("rt-ref", runtime=rt, name=ref)
        target = got.result.get("target") if got.ok else None
        box = _decoded(impl, rt, target) if isinstance(target, str) else None
        entries = box.entries if isinstance(box, g.Mailbox) else {}
        entry = entries.get(g.ObjectId.from_hex(actor))
        check(
            "RUN-003.4",
            entry is None or entry.hex() != message,
            expected=f"the entry for {actor} only in its digit's mailbox {mine}: the "
            "outside's outbox is 16 mailboxes",
            came=f"rt-send kept message {message} in {ref}",
        )


def _counter(impl: Implementation, rt: str, tag: str = "00") -> str:
    """A new counter, run once (its genesis); ``tag`` tells two counters apart."""
    reply = impl.call("rt-genesis", runtime=rt, actor="counter", state={"t": tag})
    actor = str(ok_answer(reply, "ADP-015", "rt-genesis of a counter")["actor"])
    check_equal("ADP-015", [actor], _steps(impl, rt), "the steps of the run after a genesis")
    return actor


def _whole(impl: Implementation, rt: str, actor: str, message: str, before: str | None) -> bool:
    """After a restart: ``True`` when the send of ``message`` is whole, ``False`` when it
    is absent (the outbox is still ``before``); anything between fails (RUN-019.1/.2).

    Absent from the recipient's mailbox but kept in another of the outside's refs, it
    fails as the outside's layout (RUN-003.4), not as durability."""
    now = _target(impl, rt, outbox(actor))
    if now is None or now == before:
        _kept_elsewhere(impl, rt, actor, message)
        return False
    box = check_type(
        "RUN-019.1",
        _decoded(impl, rt, now),
        g.Mailbox,
        expected=f"the outbox {now} a stored mailbox",
    )
    entry = box.entries.get(g.ObjectId.from_hex(actor))
    check(
        ("RUN-019.1", "RUN-019.2"),
        entry is not None and entry.hex() == message,
        expected=f"a send whole or absent after a kill: the outbox moved from {before} to "
        f"{now}, so its entry for {actor} the acknowledged message {message}",
        came=f"the entry {entry.hex() if entry else None}",
    )
    check_type(
        ("RUN-019.1", "RUN-019.3"),
        _decoded(impl, rt, message),
        g.Message,
        expected=f"the message {message} the outbox names stored after the kill (a send "
        "swaps the outbox only once its objects are durable)",
    )
    return True


@pytest.mark.req("ADP-015", "ADP-015.1", "RUN-019.1", "RUN-019.2")
@pytest.mark.parametrize(
    ("options", "accepted"),
    [
        ({"sends": "own"}, True),
        ({"sends": "own", "commit": "step"}, True),
        ({"sends": "group", "commit": "group"}, True),
        ({"sends": "group"}, True),  # commit left out: taken as commit "group" (ADP-015.1)
        ({"sends": "group", "commit": "step"}, False),
        ({"sends": "grouped", "commit": "group"}, False),
        ({"sends": "", "commit": "group"}, False),
        ({"sends": None, "commit": "group"}, False),
        ({"sends": True, "commit": "group"}, False),
        ({"sends": ["group"], "commit": "group"}, False),
    ],
    ids=[
        "own",
        "own-step",
        "group",
        "group-default",
        "group-step",
        "unknown",
        "empty",
        "null",
        "bool",
        "list",
    ],
)
@pytest.mark.req("CONV-004")
def test_rt_open_validates_sends(
    impl: Implementation, tmp_path: Path, options: dict[str, Any], accepted: bool
) -> None:
    if not impl.call("rt-open", path=str(tmp_path), commit="step").ok:
        pytest.skip(f"{impl.label} has no commit modes (ADP-015)")
    reply = impl.call("rt-open", path=str(tmp_path), **options)
    if accepted:
        ok_answer(reply, ("ADP-015", "ADP-015.1"), f"rt-open {options} (commit left out: group)")
    else:
        error_answer(
            reply,
            "ADP-015",
            "bad-request",
            f"rt-open {options} (sends is 'own' or 'group', 'group' only with commit 'group')",
        )


@pytest.mark.req("RUN-019.1", "RUN-019.2", "RUN-015.1", "ADP-015")
@pytest.mark.parametrize("sends", [None, "own", "group"])
def test_sends_and_runs_read_each_message_once(
    impl: Implementation, tmp_path: Path, sends: str | None
) -> None:
    rt = _open(impl, tmp_path, sends)
    actor = _counter(impl, rt)
    other = _counter(impl, rt, "01")
    total = 0
    for amounts in (["1"], ["2", "3"], ["4", "5", "6"]):
        for amount in amounts:
            _inc(impl, rt, actor, amount)
            total += int(amount)
        _inc(impl, rt, other, "1")
        ran = _steps(impl, rt)
        check_equal("RUN-019.2", sorted([actor, other]), sorted(ran), "the actors a run stepped")
        check_equal("RUN-019.2", total, _count(impl, rt, actor), "the count: each send read once")
    check_equal("RUN-019.2", [], _steps(impl, rt), "the steps of a second run")
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")
    rt = _open(impl, tmp_path, sends)
    check_equal(
        "RUN-015.1",
        [],
        _steps(impl, rt),
        "the steps of a run after a restart (a message read before is not pending again)",
    )
    check_equal(
        "RUN-015.1",
        [total, 3],
        [_count(impl, rt, actor), _count(impl, rt, other)],
        "the two counts after a restart",
    )
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")


@pytest.mark.req("RUN-019.1", "RUN-019.2", "RUN-015.1", "RUN-007.1", "ADP-015", "RUN-003.4")
@pytest.mark.parametrize("sends", [None, "own", "group"])
@pytest.mark.req("RUN-019.3")
@pytest.mark.req("CONV-004")
def test_a_kill_after_an_acknowledged_send_leaves_it_whole_or_absent(
    impl: Implementation, tmp_path: Path, sends: str | None
) -> None:
    """In the own mode (the default) an acknowledged send is durable: whole after a kill
    (RUN-019.1); a grouped one MAY be absent, never partly there (RUN-019.2)."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path, sends)
    actor = _counter(impl, rt)
    before = _target(impl, rt, outbox(actor))
    message = _inc(impl, rt, actor, "5")
    impl.kill()
    rt = _open(impl, tmp_path, sends)
    whole = _whole(impl, rt, actor, message, before)
    if sends != "group":
        check(
            "RUN-019.1",
            whole,
            expected=f"the acknowledged send of {message} durable: whole after a kill",
            came=f"the outbox still at {before}",
        )
    want = [actor] if whole else []
    check_equal("RUN-007.1", want, _steps(impl, rt), "the steps of the run after the kill")
    check_equal("RUN-015.1", 5 if whole else 0, _count(impl, rt, actor), "the count")
    check_equal("RUN-015.1", [], _steps(impl, rt), "the steps of a second run")


@pytest.mark.req("RUN-019.2", "RUN-019.1", "RUN-017.6", "ADP-015", "RUN-003.4")
@pytest.mark.parametrize("sends", [None, "group"])
@pytest.mark.parametrize("adopts", [True, False], ids=["run-adopts", "run-adopts-nothing"])
@pytest.mark.req("RUN-019.3")
@pytest.mark.req("CONV-004")
def test_a_send_is_durable_once_the_next_rt_run_answers(
    impl: Implementation, tmp_path: Path, sends: str | None, adopts: bool
) -> None:
    """After ``rt-run`` answered, a kill keeps every send made before it — also when the
    run adopted nothing: a message to an actor that does not exist stays pending."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path, sends)
    actor = _counter(impl, rt)
    if not adopts:  # an id no actor has: nothing reads it, so the run adopts no step
        actor = g.object_id(g.Blob(data=b"no actor has this id")).hex()
    message = _inc(impl, rt, actor, "5")
    check_equal("RUN-017.6", [actor] if adopts else [], _steps(impl, rt), "the run's steps")
    before = _target(impl, rt, outbox(actor))
    impl.kill()
    rt = _open(impl, tmp_path, sends)
    whole = _whole(impl, rt, actor, message, None)
    check(
        "RUN-019.2",
        whole,
        expected=f"the send of {message} whole after rt-run answered and a kill: grouped "
        "sends are committed before a run returns, whether or not it adopted a step",
        came="the send absent",
    )
    check_equal("RUN-019.2", before, _target(impl, rt, outbox(actor)), "the outbox after a kill")
    check_equal("RUN-019.2", [], _steps(impl, rt), "the steps of the run after the kill")
    if adopts:
        check_equal("RUN-019.2", 5, _count(impl, rt, actor), "the count after the kill")


@pytest.mark.req("RUN-019.4", "RUN-019.2", "RUN-002.4", "WIT-004", "ADP-015", "RUN-003.4")
@pytest.mark.req("CONV-004")
def test_a_grouped_send_overtaken_by_another_writer_is_sent_again_once(
    impl: Implementation, tmp_path: Path
) -> None:
    """Runtime ``a`` (grouped sends) sends; runtime ``b`` on the same store sends on its own
    before ``a`` runs, so ``a``'s outbox swap loses at its group's commit (if it grouped
    the send): ``b``'s send must stay, ``a``'s must be made again after it, and the
    counter reads each once. (A runtime that committed ``a``'s send on its own chains
    ``b``'s after it: both orders are right.)"""
    a = _open(impl, tmp_path, "group")
    b = _open(impl, tmp_path, "own")
    actor = _counter(impl, a)
    mine = _inc(impl, a, actor, "5")
    theirs = _inc(impl, b, actor, "7")
    check_equal("RUN-019.4", [actor], _steps(impl, a), "the steps of a's run")
    check_equal("RUN-019.4", 12, _count(impl, a, actor), "the count (a send lost, or read twice)")
    at = _target(impl, a, outbox(actor))
    if at is None:
        _kept_elsewhere(impl, a, actor, mine)
        _kept_elsewhere(impl, a, actor, theirs)
    box = check_type(
        "RUN-003.4",
        None if at is None else _decoded(impl, a, at),
        g.Mailbox,
        expected=f"the outside's mailbox {outbox(actor)} of {actor} a stored mailbox",
    )
    chain: list[tuple[str, g.Message]] = []  # the outside's messages to actor, last first
    entry: g.ObjectId | None = box.entries.get(g.ObjectId.from_hex(actor))
    while entry is not None:
        message = check_type(
            "WIT-004",
            _decoded(impl, a, entry.hex()),
            g.Message,
            expected=f"{entry.hex()} in the outside's chain a stored message",
        )
        chain.append((entry.hex(), message))
        entry = message.previous
    contents = [m.content for _, m in chain[:2]]
    amounts = {g.object_id(g.Blob(data=x)): x for x in (b"5", b"7")}
    check(
        ("RUN-019.4", "WIT-004"),
        len(chain) == 3 and sorted(amounts.get(c, b"?") for c in contents) == [b"5", b"7"],
        expected=f"the outside's chain to {actor} the genesis then both sends once each",
        came=f"the chain {[i for i, _ in chain]} (one writer overwrote the other's outbox)",
    )
    check(
        "RUN-019.4",
        theirs in [i for i, _ in chain[:2]],
        expected=f"the other writer's send {theirs} in the chain",
        came=f"the chain {[i for i, _ in chain]}",
    )
    check_equal("RUN-019.4", [], _steps(impl, b), "the steps of b's run")
    check_equal("RUN-019.4", 12, _count(impl, b, actor), "the count b reads")
