"""An update its runtime refuses is read and answered, not left pending (SBX-006.19).

SBX-006.17 refuses an update whose merged core a ``python-wasi`` actor's runs could not
mount (``too-large``).  The refusal is a function of the core and the runtime's limits,
so a retry refuses it again; a runtime that fails the update's transition leaves it
first in its sender's line (WIT-013.2), and no later message of the actor ever runs,
after a clear of the failed mark too.  So the update is read by a step that keeps the
last core, and that step answers the update's sender (here the outside) ``mt: "error"``
with a blob naming the actor, ``too-large`` and the update message.

The runtime's core limit is set small with ``rt-open`` (SBX-007.7): 1 001 bytes, a core
of 10 and an update of 992 (one byte past) then of 991 (at the limit).  Written against
``gritwit_conformance.wrong.runtime_refused_update_stays_pending`` and
``runtime_refused_update_unanswered``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail, ok_answer
from ._heads import failed_mark, head_core, refusal_expected, sent_outside

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime")]

LIMIT = 1001
#: Reads nothing, writes nothing under ``/core`` and sends nothing: a run keeps its core.
PROGRAM = "print(1)\n"
HEADERS = {"runtime": "python-wasi", "sandbox": "1"}
#: The core's one file: 10 bytes, so an update adding ``LIMIT - 10`` bytes is at the limit.
FILE = b"s" * 10


def _call(impl: Implementation, cmd: str, **args: Any) -> Any:
    """``cmd``'s answer, checked ok under the runtime protocol's clause (ADP-015)."""
    return ok_answer(impl.call(cmd, **args), "ADP-015", cmd)


def _genesis(impl: Implementation, runtime: str) -> str:
    """A ``python-wasi`` actor whose core is its program and ``s`` (10 bytes)."""
    interpreter = str(_call(impl, "sandbox-info")["interpreter"])
    headers = {**HEADERS, "interpreter": interpreter}
    wit = g.Blob(data=PROGRAM.encode(), headers=headers)
    core = g.Tree(entries={"wit": g.object_id(wit), "s": g.object_id(g.Blob(data=FILE))})
    actor = g.object_id(core).hex()
    content = {
        "tree": {
            "wit": {"blob": PROGRAM.encode().hex(), "headers": headers},
            "s": {"blob": FILE.hex()},
        }
    }
    _call(impl, "rt-send", runtime=runtime, to=actor, mt="genesis", content=content)
    return actor


def _update(impl: Implementation, runtime: str, actor: str, size: int) -> str:
    """Send an update adding ``u`` of ``size`` bytes (WIT-013.4); its message id."""
    content = {"tree": {"u": {"blob": (b"u" * size).hex()}}}
    sent = _call(impl, "rt-send", runtime=runtime, to=actor, mt="update", content=content)
    return str(sent["message"])


@pytest.mark.req("SBX-006.19", "SBX-006.17", "SBX-007.7", "WIT-013.2", "WIT-013.4")
@pytest.mark.req("RUN-004.3", "RUN-004.4", "ADP-015", "OBJ-019.1", "WIT-004", "WIT-002")
@pytest.mark.inputs("past-largest")
def test_a_refused_update_is_read_answered_and_the_next_message_runs(
    impl: Implementation, tmp_path: Path
) -> None:
    """An update one byte past the core limit, then a message: one ``rt-run`` adopts two
    steps with no failed attempt and no failed mark; the head keeps the genesis core; the
    actor has answered the outside once, ``error`` naming the refused update; and an
    update at the limit sent after it merges into the kept core."""
    tmp_path.joinpath("rt").mkdir()
    opened = _call(impl, "rt-open", path=str(tmp_path / "rt"), first_delay=0, max_core_bytes=LIMIT)
    runtime = str(opened["runtime"])
    try:
        actor = _genesis(impl, runtime)
        run = _call(impl, "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            "SBX-007.7",
            {"failures": [], "steps": 1},
            {"failures": run["failures"], "steps": len(run["steps"])},
            f"the genesis run: a core of 10 bytes is within the core limit of {LIMIT}",
        )
        refused = _update(impl, runtime, actor, LIMIT - 10 + 1)
        _call(impl, "rt-send", runtime=runtime, to=actor, mt="note", content={"blob": "6e"})
        run = _call(impl, "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("SBX-006.19", "SBX-006.17"),
            {"attempts": [], "failures": []},
            {"attempts": run["attempts"], "failures": run["failures"]},
            "the run of an update whose merged core is one byte past the core limit: refused "
            "too-large by a step that reads it, not by a failed transition",
        )
        check_equal(
            ("SBX-006.19", "WIT-013.2"),
            [actor, actor],
            [stepped for stepped, _ in run["steps"]],
            "the actors stepped: the refused update read by one step, the message after it "
            "by the next, in the same run",
        )
        check_equal(
            ("SBX-006.19", "RUN-004.4"),
            None,
            failed_mark(impl, runtime, actor),
            "the failed mark after a refused update",
        )
        check_equal(
            ("SBX-006.19", "SBX-006.17"),
            actor,
            head_core(impl, runtime, actor),
            "the head's core: the genesis core, whose id is the actor's, kept",
        )
        answers = sent_outside(impl, runtime, actor)
        expected = refusal_expected(actor, refused)
        check(
            "SBX-006.19",
            answers == [expected],
            expected=f"one message to the outside: headers {expected[0]} and the blob "
            f"{expected[1].data!r} with headers {dict(expected[1].headers)}",
            came=lambda: f"{answers}",
            what="what the refused update's step answered its sender",
        )
        _update(impl, runtime, actor, LIMIT - 10)
        run = _call(impl, "rt-run", runtime=runtime, max_steps=10)
        genesis = g.decode_object(
            bytes.fromhex(_call(impl, "rt-object", runtime=runtime, id=actor)["bytes"])
        )
        if not isinstance(genesis, g.Tree):
            fail("WIT-002", expected="a tree", came=genesis, what=f"the actor's core {actor}")
        merged = g.Tree(
            entries={**genesis.entries, "u": g.object_id(g.Blob(data=b"u" * (LIMIT - 10)))}
        )
        check_equal(
            ("SBX-006.19", "WIT-013.4"),
            {"failures": [], "core": g.object_id(merged).hex()},
            {"failures": run["failures"], "core": head_core(impl, runtime, actor)},
            "an update at the core limit sent after the refused one: merged into the kept core",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
