"""Clearing a failed mark for any actor, whichever share runs it (RUN-025.1, RUN-021.3).

"A runtime given a share clears any actor": running is divided, clearing is not. Two
runtimes of one process on one directory, shares 0/2 and 1/2 (as
``test_shares.py``'s), each run a ``failing`` actor of their own share until it is marked
failed; then each clears the *other* share's actor. Each clear answers true and deletes
the mark (read back through both runtimes), a second clear answers false, and the
runtime that runs each actor runs it again with a fresh count of attempts (RUN-025.3).
The actors are chosen by the ``seed`` entry of their genesis core so that each is in
the share named, and in the other by every other plausible reading of an id's share.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, ok_answer
from .._shares import share_of

pytestmark = [pytest.mark.profile("runtime"), pytest.mark.feature("shares")]

TEST_ACTOR = {"runtime": "test-actor"}
#: The attempts of RUN-004.3 before an actor is marked failed.
ATTEMPTS = 5
#: Other readings of an id's share than RUN-021's first 8 bytes, big-endian.
MISREADINGS: tuple[Callable[[str], int], ...] = (
    lambda actor: int(actor[-16:], 16) % 2,
    lambda actor: int.from_bytes(bytes.fromhex(actor[:16]), "little") % 2,
    lambda actor: int(actor[:8], 16) % 2,
)


def _chosen(k: int) -> tuple[dict[str, str], str]:
    """A ``failing`` actor's genesis state putting it in share ``k``/2 alone: (state, id)."""
    wit = g.object_id(g.Blob(data=b"failing", headers=TEST_ACTOR))
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        core = g.Tree(
            entries={"wit": wit, "seed": g.object_id(g.Blob(data=bytes.fromhex(state["seed"])))}
        )
        actor = g.object_id(core).hex()
        if share_of(actor, 2) == k and all(wrong(actor) != k for wrong in MISREADINGS):
            return state, actor
    raise AssertionError("unreachable")


class Share:
    """One runtime of the process, with a share of 2."""

    def __init__(self, impl: Implementation, path: Path, k: int) -> None:
        self.impl, self.k = impl, k
        reply = impl.call("rt-open", path=str(path), share=[k, 2])
        self.handle = str(ok_answer(reply, "RUN-021", f"rt-open with share [{k}, 2]")["runtime"])

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        return call_ok(self.impl, "ADP-015", cmd, runtime=self.handle, **args)

    def mark(self, actor: str) -> object:
        return self.call("rt-ref", name=f"names/failed/{actor}")["target"]

    def clear(self, actor: str) -> object:
        return self.call("rt-clear", actor=actor)

    def run(self) -> dict[str, Any]:
        return self.call("rt-run", max_steps=100)


@pytest.mark.req("RUN-025.1", "RUN-021.3", "RUN-025.3", "RUN-004.4")
@pytest.mark.req("RUN-021", "ADP-015")
def test_each_share_clears_the_other_shares_failed_actor(
    impl: Implementation, tmp_path: Path
) -> None:
    zero, one = Share(impl, tmp_path, 0), Share(impl, tmp_path, 1)
    (state0, f0), (state1, f1) = _chosen(0), _chosen(1)
    check_equal(
        "RUN-021",
        f1,
        zero.call("rt-genesis", actor="failing", state=state1)["actor"],
        "the genesis's actor",
    )
    check_equal(
        "RUN-021",
        f0,
        one.call("rt-genesis", actor="failing", state=state0)["actor"],
        "the genesis's actor",
    )
    for runtime, actor in ((zero, f0), (one, f1)):
        answer = runtime.run()
        check(
            "RUN-004.4",
            answer["failures"] and [a for a, _ in answer["failures"]] == [actor],
            expected=f"the run of share {runtime.k}/2 to mark {actor} failed",
            came=answer,
        )
    for clearer, actor in ((zero, f1), (one, f0)):
        other = one if clearer is zero else zero
        check(
            "RUN-004.4",
            other.mark(actor) is not None,
            expected=f"{actor} marked failed",
            came="no mark",
        )
        cleared = clearer.clear(actor)
        check_equal(
            ("RUN-025.1", "RUN-021.3"),
            {"cleared": True},
            cleared,
            f"the runtime of share {clearer.k}/2 clears any actor: clearing {actor}, marked and "
            f"of share {other.k}/2",
        )
        for reader in (zero, one):
            check(
                "RUN-025.1",
                reader.mark(actor) is None,
                expected=f"cleared through share {clearer.k}/2, no mark of {actor}, read "
                f"through share {reader.k}/2",
                came=reader.mark(actor),
            )
        again = clearer.clear(actor)
        check_equal("RUN-025.1", {"cleared": False}, again, f"a second clear of {actor}")
    for runtime, actor in ((zero, f0), (one, f1)):
        answer = runtime.run()
        check_equal(
            "RUN-025.3",
            [[actor, "failed"]] * ATTEMPTS,
            answer["attempts"],
            f"cleared by the other share's runtime, {actor} runs again in share {runtime.k}/2 "
            f"with {ATTEMPTS} fresh attempts",
        )
        check(
            "RUN-004.4",
            runtime.mark(actor) is not None,
            expected=f"{actor} marked failed again",
            came="no mark",
        )
