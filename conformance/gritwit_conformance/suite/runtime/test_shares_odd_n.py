"""Shares of an ``n`` that does not divide 16 (RUN-021).

The other share tests use ``n`` = 2 and 4. For an ``n`` dividing 16, the first 16 hex
digits of an id read as a number leave the same remainder as their last digit — the
digit that picks the outside's mailbox (RUN-003.4) — so a runtime that took an actor's
share from that one digit, or from any of the id's last bits, passes them all. Here
``n`` is 7, 12 and 1000 (and ``k`` its first, a middle and its last value): one
runtime opened with share ``k/n`` gets the geneses of a counter in the share that every
such misreading puts outside, and of counters outside it, one for each misreading that
puts it inside (where that reading can give ``k``), and its run adopts the step of the
one in its share alone (RUN-021.1, RUN-021.2).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from .._shares import share_of
from .test_shares import MISREADINGS, genesis, genesis_core, head, open_share, run

#: Shares are a feature an implementation claims in hello (ADP-005.7).
pytestmark = [pytest.mark.profile("runtime"), pytest.mark.feature("shares")]

#: Readings that agree with RUN-021's whenever ``n`` divides 16, or a power of two, each
#: with the largest number it reads: the mailbox digit (RUN-003.4), the last byte of the
#: first 8, the first 8 bytes' low 32 bits.
NARROW: tuple[tuple[Callable[[str, int], int], int], ...] = (
    (lambda actor, n: int(actor[15], 16) % n, 0xF),
    (lambda actor, n: int(actor[14:16], 16) % n, 0xFF),
    (lambda actor, n: int(actor[8:16], 16) % n, 0xFFFF_FFFF),
)


def _seeds() -> Iterator[tuple[dict[str, str], str]]:
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        yield state, g.object_id(genesis_core("counter", state)).hex()


def _mine(k: int, n: int) -> tuple[dict[str, str], str]:
    """A counter in share ``k/n`` that every narrow reading and misreading puts outside."""
    for state, actor in _seeds():
        readings = (*(wrong for wrong, _ in NARROW), *MISREADINGS)
        if share_of(actor, n) == k and all(wrong(actor, n) != k for wrong in readings):
            return state, actor
    raise AssertionError("unreachable")  # pragma: no cover


def _others(k: int, n: int) -> list[tuple[dict[str, str], str]]:
    """For each narrow reading that can give ``k``, a counter outside share ``k/n`` that
    the reading puts inside (the mailbox digit cannot give 999 of 1000, for one)."""
    found = []
    for wrong, largest in NARROW:
        if k > largest:  # it never gives k: the counter in the share catches it
            continue
        for state, actor in _seeds():
            if share_of(actor, n) != k and wrong(actor, n) == k:
                found.append((state, actor))
                break
    return found


@pytest.mark.req(
    "RUN-021", "RUN-021.1", "RUN-021.2", "RUN-021.4", "RUN-006.2", "ADP-015", "WIT-002"
)
@pytest.mark.parametrize(
    "share",
    [[0, 7], [3, 7], [6, 7], [5, 12], [11, 12], [0, 1000], [999, 1000]],
    ids=lambda s: f"{s[0]}-of-{s[1]}",
)
def test_a_share_of_an_n_not_dividing_16_runs_its_own_actors_alone(
    impl: Implementation, tmp_path: Path, share: list[int]
) -> None:
    k, n = share
    runtime = open_share(impl, tmp_path, share)
    try:
        (mine_state, mine), others = _mine(k, n), _others(k, n)
        check_equal("RUN-021", mine, genesis(impl, runtime, "counter", mine_state))
        for state, other in others:
            check_equal("RUN-021", other, genesis(impl, runtime, "counter", state))
        run(impl, runtime, share, [mine, *(o for _, o in others)], [mine])
        for _, other in others:
            value = head(impl, runtime, other)
            check(
                ("RUN-021", "RUN-021.1"),
                value is None,
                expected="nothing (null)",
                came=value,
                what=f"{other} is in share {share_of(other, n)}/{n}, not {k}/{n} (RUN-021: the "
                f"first 16 hex digits of its id modulo {n}), yet it has a head",
            )
    finally:
        impl.call("rt-close", runtime=runtime)
