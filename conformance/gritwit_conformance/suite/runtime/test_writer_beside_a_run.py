"""Another writer acts while a run's steps are not yet committed: nothing lost is read.

The construction of ``test_stale_index``: two adapter processes open one store
(ADP-015), runtimes ``a`` and ``b``, two writers (RUN-002). ``a``'s run reaches a
``sleepy`` actor whose ``nap`` takes seconds (WIT-030); the rounds of ``rt-run`` take
actors in ascending id order (ADP-014), so a ``fanout`` F whose id is below the sleepy
actor's has its turn first. F reads a ``fanout`` naming a second actor R and queues
``fanned`` to R; R reads it. A runtime that groups its commits (RUN-017) holds both
steps uncommitted while the nap lasts, R's built on F's (RUN-017.3). Meanwhile ``b``
runs F itself, one step (``max_steps`` 1), and moves F's head: at ``a``'s commit,
F's step loses its swap (RUN-002.2), and so must every step built on it (RUN-017.4).

Each check holds under any interleaving of the two processes and in either commit
mode; only whether ``a`` really held an open group when ``b`` wrote depends on ``b``
finishing within the nap, which leaves ``b`` seconds for two commands.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail
from .._writers import second as second  # the second writer's fixture
from .test_stale_index import A_LIMIT, B_LIMIT, NAP

pytestmark = pytest.mark.profile("runtime")


def _object(side: Implementation, runtime: str, oid: str) -> g.GritObject:
    return g.decode_object(
        bytes.fromhex(call_ok(side, "ADP-015", "rt-object", runtime=runtime, id=oid)["bytes"])
    )


def _entry(side: Implementation, runtime: str, box: g.ObjectId | None, key: str) -> str | None:
    """The entry for actor ``key`` of mailbox ``box`` (text form), or ``None``."""
    if box is None:
        return None
    mailbox = _object(side, runtime, box.hex())
    if not isinstance(mailbox, g.Mailbox):
        fail("ADP-015", expected="a mailbox", came=mailbox, what="the mailbox")
    found = mailbox.entries.get(g.ObjectId.from_hex(key))
    return None if found is None else found.hex()


def _steps(side: Implementation, runtime: str, actor: str) -> list[g.Step]:
    """``actor``'s adopted steps, its head first, through ``previous``."""
    head = call_ok(side, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"]
    steps: list[g.Step] = []
    while head is not None:
        step = _object(side, runtime, head)
        if not isinstance(step, g.Step):
            fail("ADP-015", expected="a step", came=step, what="the step")
        steps.append(step)
        head = None if step.previous is None else step.previous.hex()
    return steps


def _sent(side: Implementation, runtime: str, sender: str, recipient: str) -> set[str]:
    """Every message ``sender``'s adopted history put in its outbox for ``recipient`` (WIT-004)."""
    sent: set[str] = set()
    for step in _steps(side, runtime, sender):
        message = _entry(side, runtime, step.outbox, recipient)
        while message is not None and message not in sent:
            sent.add(message)
            found = _object(side, runtime, message)
            if not isinstance(found, g.Message):
                fail("ADP-015", expected="a message", came=found)
            message = None if found.previous is None else found.previous.hex()
    return sent


def _read(side: Implementation, runtime: str, recipient: str, sender: str) -> list[str]:
    """The last message from ``sender`` each adopted step of ``recipient`` had read, head first."""
    read = [_entry(side, runtime, step.inbox, sender) for step in _steps(side, runtime, recipient)]
    return [m for m in read if m is not None]


def _fanout_below(side: Implementation, runtime: str, below: str) -> str:
    """A ``fanout`` whose id sorts before ``below``'s: its turn in a round comes first."""
    for salt in range(64):
        state = {"salt": f"{salt:02x}"}
        actor = str(
            call_ok(side, "ADP-015", "rt-genesis", runtime=runtime, actor="fanout", state=state)[
                "actor"
            ]
        )
        if actor < below:
            return actor
    raise AssertionError("64 fanouts, none with an id below the sleepy actor's")


def _fan(to: str, n: str) -> dict[str, Any]:
    """A ``fanout``'s content: one entry naming ``to`` (WIT-021.1), and ``n`` to tell it apart."""
    return {"tree": {"n": {"blob": n.encode().hex()}, "to": {"blob": to.encode().hex()}}}


def _open_group_then_b(
    impl: Implementation,
    second: Implementation,
    tmp_path: Path,
    recipient: str,
    b_signals: bool,
) -> tuple[str, str, str, list[dict[str, Any]]]:
    """``a``'s run with F's step (and R's, built on it) open while ``b`` runs F once.

    ``b_signals``: ``b`` first signals F another ``fanout`` (WIT-004), superseding the
    one ``a`` queued, so that ``b``'s step of F differs from ``a``'s; else ``b`` runs F
    on what ``a`` queued: the very step ``a`` built (ID-001). Returns ``a``, F, R
    and ``a``'s answers (empty if its run failed).
    """
    a = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path), time_limit=A_LIMIT)["runtime"]
    sleepy = str(call_ok(impl, "ADP-015", "rt-genesis", runtime=a, actor="sleepy")["actor"])
    fan = _fanout_below(impl, a, sleepy)
    to = str(call_ok(impl, "ADP-015", "rt-genesis", runtime=a, actor=recipient)["actor"])
    call_ok(impl, "ADP-015", "rt-run", runtime=a, max_steps=200)  # the geneses
    nap = str(NAP).encode().hex()
    call_ok(impl, "ADP-015", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": nap})
    call_ok(impl, "ADP-015", "rt-send", runtime=a, to=fan, mt="fanout", content=_fan(to, "1"))

    b = call_ok(
        second, "ADP-015", "rt-open", path=str(tmp_path), time_limit=B_LIMIT, first_delay=0
    )["runtime"]
    answers: list[dict[str, Any]] = []
    run_a = threading.Thread(
        target=lambda: answers.append(call_ok(impl, "ADP-015", "rt-run", runtime=a, max_steps=50))
    )
    run_a.start()
    try:
        run_a.join(timeout=0.3)  # a's run has started: F first, then R, then the nap
        if b_signals:
            other = _fan(to, "2")
            call_ok(
                second,
                "ADP-015",
                "rt-send",
                runtime=b,
                to=fan,
                mt="fanout",
                content=other,
                signal=True,
            )
        call_ok(second, "ADP-015", "rt-run", runtime=b, max_steps=1)  # F's step, committed at once
    finally:
        run_a.join(timeout=60)
    value = run_a.is_alive()
    check(
        "ADP-015",
        not value,
        expected="nothing (empty)",
        came=value,
        what="a's rt-run did not end within 60 s",
    )
    check("ADP-015", answers, expected="a value, not empty", came=answers, what="a's rt-run failed")
    return a, fan, to, answers


@pytest.mark.slow
@pytest.mark.req("RUN-017.4", "RUN-017.3", "RUN-002.2", "WIT-004", "WIT-005", "ADP-015")
def test_a_step_built_on_a_lost_step_is_lost_too(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """R never reads a ``fanned`` that F's adopted history did not send (RUN-017.4).

    ``b`` signals F a second ``fanout``, so its step of F reads that one alone and
    queues a different ``fanned`` to R. ``a``'s step of F, which read the first, loses
    its swap; ``a``'s step of R read the ``fanned`` that lost step sent, a message
    never sent, and must be lost with it. A runtime that commits a step built on a
    lost one leaves in R's history a message no step of F ever sent.
    """
    a, fan, to, answers = _open_group_then_b(impl, second, tmp_path, "counter", True)
    call_ok(
        impl, "RUN-017.4", "rt-run", runtime=a, max_steps=50
    )  # whatever is left: the check is of history
    sent = _sent(impl, a, fan, to)
    read = _read(impl, a, to, fan)
    check(
        "RUN-017.4",
        read,
        expected="a value, not empty",
        came=read,
        what=f"R read nothing from F, which sent {sent}: {answers}",
    )
    never = [m for m in read if m not in sent]
    check(
        ("RUN-017.4", "RUN-017.3"),
        not never,
        expected="nothing (empty)",
        came=never,
        what=f"R's history read {never} from F, which F's adopted history never sent "
        f"(sent: {sorted(sent)}): a step built on a lost step was committed "
        f"(RUN-017.4, RUN-017.3): {answers}",
    )


@pytest.mark.slow
@pytest.mark.req("RUN-017.4", "RUN-002.3", "ID-001", "RUN-006", "ADP-015")
def test_a_lost_step_built_again_the_same_can_be_built_on(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """A lost step rebuilt from the same inputs is adopted, and what follows it too.

    ``b``'s step of F is the very step ``a`` built (same head, same messages: ID-001),
    and R is an ``echo``. ``a``'s step of F loses its swap all the same (its expected
    head is no longer the head), so R's step that read its ``fanned`` is lost with it;
    built again from the committed heads, R's step is the same step as before (it reads
    the same ``fanned`` from the same head). F must then read R's ``echo`` — a step
    built on that step — and the run end quiescent (RUN-006). A runtime that still
    counts R's step as lost after it was built again refuses every transition built on
    it, and its run never ends.
    """
    a, fan, to, answers = _open_group_then_b(impl, second, tmp_path, "echo", False)
    call_ok(impl, "RUN-017.4", "rt-run", runtime=a, max_steps=50)  # whatever is left
    fanned = _entry(impl, a, _steps(impl, a, fan)[0].outbox, to)
    echoed = _entry(impl, a, _steps(impl, a, to)[0].outbox, fan)
    if fanned is None:
        fail("RUN-017.4", expected="a value", came=fanned, what=f"no fanned or no echo: {answers}")
    if echoed is None:
        fail("RUN-017.4", expected="a value", came=echoed, what=f"no fanned or no echo: {answers}")
    check_equal(
        "RUN-017.4", fanned, _read(impl, a, to, fan)[0], f"R did not read F's fanned: {answers}"
    )
    check_equal(
        "RUN-017.4", echoed, _read(impl, a, fan, to)[0], f"F did not read R's echo: {answers}"
    )
    check_equal(
        "RUN-017.4", [], call_ok(impl, "RUN-017.4", "rt-run", runtime=a, max_steps=50)["steps"]
    )  # nothing left
