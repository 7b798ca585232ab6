"""The idle snapshot with two and three senders (RUN-012.1, ADP-014 step 2b).

RUN-012.1 counts an actor idle when *the last pending message of each sender* is the one
an attempt of it in the current run saw. It was tested with one sender; here the actor
``W`` has messages from three: the outside and two ``fanout`` actors ``A`` < ``B``, both
ordered before ``W`` so that each round runs them first (ADP-014 step 2). ``W`` has no
genesis, so an attempt of it finds its messages waiting (WIT-012.2) and leaves its
snapshot ``[outside's, A's first, B's first]``. One of ``A`` or ``B`` (the *mover*) has a
second ``fanout`` from the outside queued behind a duplicate genesis, which it reads
alone in the next round (WIT-012.5), so it sends ``W`` its second ``fanned`` in the third
round, after ``W``'s snapshot was taken in the first:

* ``max_steps`` 3 ends the call after the mover's duplicate genesis: what is pending for
  ``W`` is what it saw, so ``W`` is idle and ``rt-evict`` archives it;
* ``max_steps`` 4 ends it right after the mover's second ``fanned``, before ``W``'s turn:
  one sender's last pending message differs from the snapshot, the other two are the
  same, so ``W`` is busy and ``rt-evict`` keeps it.

The mover is the lower sender and the higher one in turn, so a snapshot that keeps only
the first or only the last sender, the set of senders or their count, is caught.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from ._forks import genesis_core

pytestmark = pytest.mark.profile("runtime")


def _waiting_actor(above: str) -> str:
    """An ``echo`` core's id (never given a genesis) ordered after ``above``."""
    for tag in range(1000):
        core = g.Tree(
            entries={
                "wit": g.object_id(g.Blob(data=b"echo", headers={"runtime": "test-actor"})),
                "tag": g.object_id(g.Blob(data=b"RUN-012.1 %d" % tag)),
            }
        )
        actor = g.object_id(core).hex()
        if actor > above:
            return actor
    raise AssertionError("no tag gives an id above both senders")  # 2**-1000 odds


def _ids(run: dict[str, object]) -> list[str]:
    return [str(actor) for actor, _ in run["steps"]]  # type: ignore[attr-defined]


@pytest.mark.req("RUN-012.1", "ADP-014", "ADP-015", "WIT-012.2", "WIT-012.5", "WIT-021.1")
@pytest.mark.parametrize("mover", ["lower", "higher"])
@pytest.mark.parametrize("max_steps", [3, 4], ids=["same-pending", "one-sender-moved"])
def test_the_idle_snapshot_holds_each_senders_last_message(
    impl: Implementation, tmp_path: Path, mover: str, max_steps: int
) -> None:
    runtime = str(call_ok(impl, "RUN-012.1", "rt-open", path=str(tmp_path))["runtime"])
    try:
        senders = sorted(g.object_id(genesis_core("fanout", {"t": t})).hex() for t in ("00", "01"))
        for t in ("00", "01"):
            call_ok(
                impl, "RUN-012.1", "rt-genesis", runtime=runtime, actor="fanout", state={"t": t}
            )
        made = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=20)
        check_equal("RUN-012.1", senders, sorted(_ids(made)))
        check(
            "RUN-012.1",
            made["quiescent"],
            expected="a value, not empty",
            came=made,
            what="made's quiescent",
        )
        waiting = _waiting_actor(senders[-1])
        names = {"to": {"blob": waiting.encode().hex()}}
        moving = senders[0] if mover == "lower" else senders[1]
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=waiting,
            mt="x",
            content={"blob": "01"},
        )
        for sender in senders:
            call_ok(
                impl,
                "RUN-012.1",
                "rt-send",
                runtime=runtime,
                to=sender,
                mt="fanout",
                content={"tree": names},
            )
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=moving,
            mt="genesis",
            content={"blob": "02"},
        )
        again = {"to": {"blob": waiting.encode().hex()}, "again": {"blob": "03"}}
        call_ok(
            impl,
            "RUN-012.1",
            "rt-send",
            runtime=runtime,
            to=moving,
            mt="fanout",
            content={"tree": again},
        )
        run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=max_steps)
        # round 1: A and B forward to W, which finds no genesis (its snapshot); round 2:
        # the mover reads the duplicate genesis alone; round 3: it forwards again
        expected = [*senders, moving, moving][:max_steps]
        check_equal(
            ("ADP-014", "WIT-012.5"),
            expected,
            _ids(run),
            f"rt-run max_steps={max_steps}: expected the steps of {expected} in that order "
            f"(ADP-014 rounds, WIT-012.5), got {run}",
        )
        check(
            ("ADP-014", "WIT-012.5"),
            not run["quiescent"],
            expected="quiescent false",
            came=run["quiescent"],
            what=f"rt-run max_steps={max_steps}: expected the steps of {expected} in that order "
            f"(ADP-014 rounds, WIT-012.5), got {run}",
        )
        evicted = [
            str(a) for a in call_ok(impl, "RUN-012.1", "rt-evict", runtime=runtime)["evicted"]
        ]
        if max_steps == 3:
            check(
                "RUN-012.1",
                waiting in evicted,
                expected=f"W {waiting} among the evicted: it has pending exactly the last message "
                "of each of its three senders that its attempt saw, so it is idle",
                came=evicted,
                what="rt-evict",
            )
        else:
            check(
                "RUN-012.1",
                waiting not in evicted,
                expected=f"W {waiting} kept: the {mover} of W's two actor senders sent it a new "
                "message after its attempt, so that sender's last pending message is not the "
                "one W saw and W is busy (each sender's last message)",
                came=evicted,
                what="rt-evict",
            )
    finally:
        impl.call("rt-close", runtime=runtime)
