"""A step that lost its swap counts toward its run's bytes (RUN-023.1, RUN-023.2).

RUN-023.1 counts as a run's added bytes the steps whose objects it stores: those it
adopts *and* those that lost their compare-and-swap to another writer, whose objects
stay. ``test_runtime_disk.py`` checks the count over adopted steps; here one is lost.

The construction of ``test_stale_index``'s lost swap, in step mode (RUN-017.1): two
adapter processes open one store (ADP-015), runtimes ``a`` and ``b``. ``b``'s run starts
first, a ``sleepy`` actor's long ``nap`` pending (WIT-030); ``a``'s starts a moment
later, a short ``nap`` pending too, so its transition reads both and ends later:
``b`` moves the head first and ``a``'s swap loses (RUN-002.2). ``a`` builds the
transition again from ``b``'s head (RUN-002.3): it reads the short nap alone, and
its step S adds only S's own encoding, since the core (``slept`` set to the short
nap's content) and the inbox (the outside's entry at the short nap) are the lost
step's, stored already (RUN-022.1). A counter whose id sorts after the sleepy actor's
has an ``inc`` pending; ``b`` stops after one step (``max_steps`` 1), before it.

``a`` is opened with ``max_run_bytes`` one more than S's bytes, which the suite sizes
itself (a step of ``core``, ``type``, ``actor``, ``inbox`` and ``previous``: its
encoding's length does not depend on the ids). The lost step's objects and S's reach
it, so the call stops before the counter's turn, ``quiescent: false`` (RUN-023.2,
RUN-023.3); a runtime that counts S alone runs the counter too. Should ``a`` win the
swap instead, its one step adds its own core and inbox besides, and reaches the bound
as well: the check holds under any interleaving.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from .._writers import inc
from .._writers import second as second  # the second writer's fixture
from .test_stale_index import A_LIMIT, NAP, _counter_after

pytestmark = pytest.mark.profile("runtime")

#: The encoded length of a step with ``core``, ``type``, ``actor``, ``inbox`` and
#: ``previous`` (OBJ-015, ENC-014): every id is 32 bytes, so any such step's.
_ZERO = g.ObjectId(bytes(32))
STEP_BYTES = len(g.encode_object(g.Step(core=_ZERO, actor=_ZERO, inbox=_ZERO, previous=_ZERO)))


@pytest.mark.slow
@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3", "RUN-002.2", "RUN-002.3", "ADP-015")
def test_a_step_that_lost_its_swap_counts_toward_max_run_bytes(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    setup = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path), commit="step")["runtime"]
    sleepy = str(call_ok(impl, "ADP-015", "rt-genesis", runtime=setup, actor="sleepy")["actor"])
    counter = _counter_after(impl, setup, sleepy)
    call_ok(impl, "ADP-015", "rt-run", runtime=setup, max_steps=200)  # the geneses
    nap = str(NAP).encode().hex()
    call_ok(impl, "RUN-002.2", "rt-send", runtime=setup, to=sleepy, mt="nap", content={"blob": nap})
    inc(impl, setup, counter, "1", clause="RUN-023.2")
    call_ok(impl, "ADP-015", "rt-close", runtime=setup)

    bound = STEP_BYTES + 1
    a = call_ok(
        impl,
        "RUN-023.2",
        "rt-open",
        path=str(tmp_path),
        time_limit=A_LIMIT,
        commit="step",
        max_run_bytes=bound,
    )["runtime"]
    b = call_ok(
        second, "RUN-002.2", "rt-open", path=str(tmp_path), time_limit=A_LIMIT, commit="step"
    )["runtime"]
    answers: dict[str, dict[str, Any]] = {}
    runs = [
        threading.Thread(
            target=lambda: answers.update(
                b=call_ok(second, "RUN-002.2", "rt-run", runtime=b, max_steps=1)
            )
        ),
        threading.Thread(
            target=lambda: answers.update(
                a=call_ok(impl, "RUN-023.2", "rt-run", runtime=a, max_steps=50)
            )
        ),
    ]
    runs[0].start()  # b reads the long nap
    try:
        runs[0].join(timeout=0.3)
        short = b"10".hex()
        call_ok(
            impl, "RUN-002.2", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": short}
        )
        runs[1].start()  # a reads the long nap and the short one, and ends later
    finally:
        for thread in runs:
            thread.join(timeout=60)
    alive = [thread for thread in runs if thread.is_alive()]
    check("RUN-002.2", not alive, expected="both rt-runs ended", came=alive, what="within 60 s")
    check_equal("RUN-002.2", ["a", "b"], sorted(answers), "the rt-runs that answered a value")
    ours = answers["a"]
    ran = [actor for actor, _ in ours["steps"]]
    check(
        ("RUN-023.1", "RUN-023.2"),
        counter not in ran and ours["quiescent"] is False,
        expected=f"max_run_bytes {bound}, one byte more than the sleepy actor's last step "
        f"adds: its transition's objects reach it whether its swap was lost (the lost "
        f"step's objects count too, RUN-023.1) or won, so the call ends before the "
        f"counter's turn, quiescent: false",
        came=ours,
        what="a's rt-run",
    )
    rest = call_ok(impl, "RUN-023.2", "rt-run", runtime=a, max_steps=50)
    check_equal(
        "RUN-023.2",
        [counter],
        [actor for actor, _ in rest["steps"]],
        f"the next rt-run counts from zero and runs the counter: {rest}",
    )
