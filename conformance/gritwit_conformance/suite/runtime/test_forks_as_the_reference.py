"""Any fork runs as the reference's does (RUN-008.2, RUN-008.5, RUN-008.7, WIT-005,
ADP-015): generated forks, at any step, with any state, compared whole with
the reference's run.  Helpers: :mod:`._forks`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._drive import SideBySide
from ._forks import Json, Rt, _blob_of, check_child, genesis, replay_to_child, run

pytestmark = pytest.mark.profile("runtime")


# --- any history, against the reference -----------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> Json:
    kind = draw(st.sampled_from(["echo", "counter", "fanout"]))
    batches = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(["inc", "get", "hi"]), st.binary(max_size=2))),
            min_size=1,
            max_size=4,
        )
    )
    names = draw(
        st.lists(
            tc.texts("ascii", "mixed-case", "bmp", "astral", max_size=4, where=tc.is_valid_name),
            max_size=3,
            unique=True,
        )
    )
    state = {n: "ab" for n in names if n not in ("wit", "fork")}
    return {
        "kind": kind,
        "batches": batches,
        "pending": draw(st.booleans()),
        "at": draw(st.integers(0, 10)),
        "state": state,
    }


def _any_fork(rt: Rt, case: Json) -> None:
    parent = genesis(rt, case["kind"], {"tag": "04"}, echo=case["kind"] == "echo")
    target = genesis(rt, "counter", {"tag": "05"}).actor
    if case["kind"] == "fanout":
        parent.others = [target]
    rt.run()
    batches = case["batches"]
    for index, batch in enumerate(batches):
        for mt, data in batch:
            if case["kind"] == "fanout":
                listing = {"t": _blob_of(target), "d": {"blob": data.hex()}}
                parent.send("fanout", {"tree": listing})
            else:
                parent.send(mt, {"blob": data.hex()})
        if index < len(batches) - 1 or not case["pending"]:
            rt.run()
    history = rt.history(parent.actor)
    at = history[case["at"] % len(history)]
    heads = {a: rt.head(a) for a in [parent.actor, *parent.others]}
    child = str(rt("rt-fork", actor=parent.actor, step=at, state=case["state"])["actor"])
    first = check_child(rt, parent.actor, at, child, case["state"])
    check_equal("RUN-008.7", heads, {a: rt.head(a) for a in heads}, "forking moved a head")
    answer = rt.run()
    check(
        "RUN-008.5",
        child not in {a for a, _ in answer["steps"]},
        expected="nothing is the child's",
        came=child,
        what="the child",
    )
    if not case["pending"]:
        check_equal("RUN-008.5", [], answer["steps"], f"no message pending again: {answer}")
    check_equal("ADP-015", first, rt.head(child))
    replay_to_child(rt, parent, at, child, first)


@pytest.mark.req("RUN-008.2", "RUN-008.5", "RUN-008.7", "WIT-005", "ADP-015")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral")
@run
@given(case=histories())
@pytest.mark.req("ID-004", "RUN-008.4", "RUN-008.6", "WIT-002", "WIT-004")
def test_any_fork_runs_as_the_reference_does(impl: Implementation, case: Json) -> None:
    """A random history (batches of messages, the last one maybe left pending), a fork
    at a random step with random state, the parent's queue sent to the child: every
    answer must be the reference's, and the child as RUN-008 fixes it."""
    with tempfile.TemporaryDirectory(prefix="fork-") as top:
        rt = Rt(SideBySide(impl, Path(top), clause="RUN-008.2"), Path("rt"), clause="RUN-008.2")
        try:
            _any_fork(rt, case)
        finally:
            rt.close()
