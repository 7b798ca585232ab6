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
    assert reply.ok, f"rt-open sends={sends!r}: {reply.error}"
    return str(reply.result["runtime"])


def _inc(impl: Implementation, rt: str, actor: str, amount: str) -> str:
    content = {"blob": amount.encode().hex()}
    return str(
        impl.call("rt-send", runtime=rt, to=actor, mt="inc", content=content).expect_ok()["message"]
    )


def _count(impl: Implementation, rt: str, actor: str) -> int:
    data = impl.call("rt-query", runtime=rt, actor=actor, name="count").expect_ok()["data"]
    return int(bytes.fromhex(data) or b"0")


def _decoded(impl: Implementation, rt: str, oid: str) -> g.GritObject | None:
    reply = impl.call("rt-object", runtime=rt, id=oid)
    if not reply.ok:
        assert reply.error_class == "not-found", f"rt-object {oid}: {reply.error}"
        return None
    return g.decode_object(bytes.fromhex(reply.result["bytes"]))


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
        assert entry is None or entry.hex() != message, (
            f"rt-send kept message {message} in {ref}, not in the recipient's own mailbox "
            f"{mine}: the outside's outbox is 16 mailboxes, the entry for a recipient only "
            "in its digit's (RUN-003.4)"
        )


def _counter(impl: Implementation, rt: str, tag: str = "00") -> str:
    """A new counter, run once (its genesis); ``tag`` tells two counters apart."""
    actor = str(
        impl.call("rt-genesis", runtime=rt, actor="counter", state={"t": tag}).expect_ok()["actor"]
    )
    assert [a for a, _ in impl.call("rt-run", runtime=rt, max_steps=20).expect_ok()["steps"]] == [
        actor
    ]
    return actor


def _whole(impl: Implementation, rt: str, actor: str, message: str, before: str | None) -> bool:
    """After a restart: ``True`` when the send of ``message`` is whole, ``False`` when it
    is absent (the outbox is still ``before``); anything between fails (RUN-019.1/.2)."""
    now = impl.call("rt-ref", runtime=rt, name=outbox(actor)).expect_ok()["target"]
    if now == before:
        return False
    box = _decoded(impl, rt, now)
    assert isinstance(box, g.Mailbox), f"the outbox {now} is not a stored mailbox: {box}"
    entry = box.entries.get(g.ObjectId.from_hex(actor))
    assert entry is not None and entry.hex() == message, (
        f"after a kill the outbox moved from {before} to {now}, but its entry for {actor} "
        f"is {entry}, not the acknowledged message {message}: a send neither whole nor "
        "absent (RUN-019.1, RUN-019.2)"
    )
    sent = _decoded(impl, rt, message)
    assert isinstance(sent, g.Message), (
        f"the outbox names message {message}, which is not stored after the kill: a send "
        "swapped the outbox before its objects were durable (RUN-019.1, RUN-019.3)"
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
def test_rt_open_validates_sends(
    impl: Implementation, tmp_path: Path, options: dict[str, Any], accepted: bool
) -> None:
    if not impl.call("rt-open", path=str(tmp_path), commit="step").ok:
        pytest.skip(f"{impl.label} has no commit modes (ADP-015)")
    reply = impl.call("rt-open", path=str(tmp_path), **options)
    if accepted:
        assert reply.ok, (
            f"rt-open {options} must be accepted (ADP-015; commit left out: ADP-015.1): "
            f"{reply.error}"
        )
    else:
        assert not reply.ok and reply.error_class == "bad-request", (
            f"rt-open {options} must be bad-request (ADP-015: sends is 'own' or 'group', "
            f"'group' only with commit 'group'), not {reply.result or reply.error}"
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
        ran = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
        assert sorted(a for a, _ in ran["steps"]) == sorted([actor, other]), ran
        assert _count(impl, rt, actor) == total, "a send read twice or never (RUN-019.2)"
    assert impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"] == []
    impl.call("rt-close", runtime=rt).expect_ok()
    rt = _open(impl, tmp_path, sends)
    assert impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"] == [], (
        "after a restart a run adopted steps: a message read before was pending again"
    )
    assert (_count(impl, rt, actor), _count(impl, rt, other)) == (total, 3)
    impl.call("rt-close", runtime=rt).expect_ok()


@pytest.mark.req("RUN-019.1", "RUN-019.2", "RUN-015.1", "RUN-007.1", "ADP-015", "RUN-003.4")
@pytest.mark.parametrize("sends", [None, "own", "group"])
@pytest.mark.req("RUN-019.3")
def test_a_kill_after_an_acknowledged_send_leaves_it_whole_or_absent(
    impl: Implementation, tmp_path: Path, sends: str | None
) -> None:
    """In the own mode (the default) an acknowledged send is durable: whole after a kill
    (RUN-019.1); a grouped one MAY be absent, never partly there (RUN-019.2)."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path, sends)
    actor = _counter(impl, rt)
    before = impl.call("rt-ref", runtime=rt, name=outbox(actor)).expect_ok()["target"]
    message = _inc(impl, rt, actor, "5")
    impl.kill()
    rt = _open(impl, tmp_path, sends)
    whole = _whole(impl, rt, actor, message, before)
    if sends != "group":
        if not whole:
            _kept_elsewhere(impl, rt, actor, message)
        assert whole, (
            f"rt-send answered message {message}, and a kill right after left the outbox at "
            f"{before}: an acknowledged send was not durable (RUN-019.1)"
        )
    ran = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    assert [a for a, _ in ran["steps"]] == ([actor] if whole else []), ran
    assert _count(impl, rt, actor) == (5 if whole else 0)
    assert impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"] == []


@pytest.mark.req("RUN-019.2", "RUN-019.1", "RUN-017.6", "ADP-015")
@pytest.mark.parametrize("sends", [None, "group"])
@pytest.mark.parametrize("adopts", [True, False], ids=["run-adopts", "run-adopts-nothing"])
@pytest.mark.req("RUN-019.3")
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
    ran = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    assert [a for a, _ in ran["steps"]] == ([actor] if adopts else []), ran
    before = impl.call("rt-ref", runtime=rt, name=outbox(actor)).expect_ok()["target"]
    impl.kill()
    rt = _open(impl, tmp_path, sends)
    assert impl.call("rt-ref", runtime=rt, name=outbox(actor)).expect_ok()["target"] == before
    assert _whole(impl, rt, actor, message, None), (
        f"the send of {message} is absent after rt-run answered and a kill: grouped sends "
        "must be committed before a run returns, whether or not it adopted a step (RUN-019.2)"
    )
    assert impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"] == []
    if adopts:
        assert _count(impl, rt, actor) == 5


@pytest.mark.req("RUN-019.4", "RUN-019.2", "RUN-002.4", "WIT-004", "ADP-015")
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
    _inc(impl, a, actor, "5")
    theirs = _inc(impl, b, actor, "7")
    ran = impl.call("rt-run", runtime=a, max_steps=1000).expect_ok()
    assert [x for x, _ in ran["steps"]] == [actor], ran
    assert _count(impl, a, actor) == 12, "a send lost, or read twice (RUN-019.4)"
    box = _decoded(
        impl, a, impl.call("rt-ref", runtime=a, name=outbox(actor)).expect_ok()["target"]
    )
    assert isinstance(box, g.Mailbox)
    chain: list[tuple[str, g.Message]] = []  # the outside's messages to actor, last first
    at: g.ObjectId | None = box.entries[g.ObjectId.from_hex(actor)]
    while at is not None:
        message = _decoded(impl, a, at.hex())
        assert isinstance(message, g.Message), f"{at} in the outside's chain is not stored"
        chain.append((at.hex(), message))
        at = message.previous
    contents = [m.content for _, m in chain[:2]]
    amounts = {g.object_id(g.Blob(data=x)): x for x in (b"5", b"7")}
    assert len(chain) == 3 and sorted(amounts[c] for c in contents) == [b"5", b"7"], (
        f"the outside's chain to {actor} is {[i for i, _ in chain]}: not the genesis then "
        "both sends once each; one writer overwrote the other's outbox (RUN-019.4, WIT-004)"
    )
    assert theirs in [i for i, _ in chain[:2]], "the other writer's send left the chain"
    assert impl.call("rt-run", runtime=b, max_steps=1000).expect_ok()["steps"] == []
    assert _count(impl, b, actor) == 12
