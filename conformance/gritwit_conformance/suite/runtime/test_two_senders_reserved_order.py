"""Two senders' duplicate geneses are read in ascending sender id order (ADP-014 step 2c,
WIT-012.5, ID-005).

An actor with a step whose oldest pending message from some sender is a genesis reads
that message alone, the first such sender in id order. Here each of ``K`` counters
``R`` has exactly two senders, the outside (id ``00…00``, first) and a ``spawner``
``S`` of its own, and both have a duplicate genesis pending for it: the spawner's sent
first, the outside's after. The counters' ids are above every spawner's, so one
``rt-run`` of ``max_steps`` ``K`` runs the spawners only, and the next runs each counter
once: each must read the outside's genesis, whatever order the two were sent in, and
leave the spawner's pending. An implementation that orders two senders in some other
way (an unordered set's, a hash's) reads the spawner's first for about half of them,
and for all ``K`` in id order only by chance (about ``2**-K``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._forks import OUTSIDE, Rt, described, genesis_core, wit_blob

pytestmark = pytest.mark.profile("runtime")

#: Counters, each with its own spawner.
K = 12


def _states(name: str, high: bool, count: int) -> list[str]:
    """``count`` ``n`` states whose ``name`` core id is at or above ``80…`` (``high``),
    else below it and above ``00…``."""
    found: list[str] = []
    for i in range(1 << 16):
        n = i.to_bytes(2, "big").hex()
        first = g.object_id(genesis_core(name, {"n": n})).digest[0]
        if (first >= 0x80) == high and first > 0:
            found.append(n)
            if len(found) == count:
                return found
    raise AssertionError(f"no {count} {name} states")  # pragma: no cover


def _core_content(name: str, n: str) -> dict[str, object]:
    """The content description of the core ``rt-genesis`` builds for ``name`` (ADP-014)."""
    core = genesis_core(name, {"n": n})
    blob = g.Blob(data=bytes.fromhex(n))
    objects: dict[g.ObjectId, g.GritObject] = {
        g.object_id(wit_blob(name)): wit_blob(name),
        g.object_id(blob): blob,
    }
    return described(core, objects)


@pytest.mark.req("ADP-014", "WIT-012.5", "ID-005", "WIT-005", "WIT-002")
def test_of_two_senders_duplicate_geneses_the_outsides_is_read_first(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Rt(impl, tmp_path, clause="ADP-014")
    try:
        spawned = _states("counter", True, K)
        counters = [
            str(rt("rt-genesis", actor="counter", state={"n": n})["actor"]) for n in spawned
        ]
        spawners = [
            str(rt("rt-genesis", actor="spawner", state={"n": n})["actor"])
            for n in _states("spawner", False, K)
        ]
        check(
            "ADP-014",
            max(spawners) < min(counters),
            expected="every spawner's id below every counter's",
            came=(max(spawners), min(counters)),
            what="the actors' ids (a premise of the rounds' order)",
        )
        rt.quiesce()
        for spawner, n in zip(spawners, spawned, strict=True):
            rt("rt-send", to=spawner, mt="spawn", content=_core_content("counter", n))
        sent = rt("rt-run", max_steps=K)
        check_equal(
            "ADP-014",
            sorted(spawners),
            [str(actor) for actor, _ in sent["steps"]],
            "the first run's steps: each spawner once, in id order, before any counter",
        )
        outside: dict[str, str] = {}
        for counter, n in zip(counters, spawned, strict=True):
            content = _core_content("counter", n)
            outside[counter] = str(
                rt("rt-send", to=counter, mt="genesis", content=content)["message"]
            )
        read = rt("rt-run", max_steps=K)
        check_equal(
            "WIT-012.5",
            sorted(counters),
            [str(actor) for actor, _ in read["steps"]],
            "the second run's steps: each counter once, in id order",
        )
        wrong = []
        for counter, spawner in zip(counters, spawners, strict=True):
            head = rt.head(counter)
            step = rt.step(head) if head is not None else None
            inbox = rt.mailbox(step.inbox) if step is not None else {}
            took = inbox.get(OUTSIDE)
            theirs = g.ObjectId.from_hex(spawner) in inbox
            if took is None or took.hex() != outside[counter] or theirs:
                wrong.append(counter[:8])
        check_equal(
            ("ADP-014", "WIT-012.5", "ID-005"),
            [],
            wrong,
            "the counters whose step read the spawner's genesis, or not the outside's, "
            "where the outside (id 00…00) is the first of the two senders",
        )
    finally:
        rt.close()
