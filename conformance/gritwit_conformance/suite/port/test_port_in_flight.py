"""The requests in flight are the port party's core; a fork copies none and a revert
withdraws none (PORT-007.1, PORT-007.3, PORT-007.4).

The layout the suite expects is computed from PORT-007.1 and the ids it read itself: the
request's id from the courier's outbox (PORT-001.3) and the courier's from ``rt-genesis``.
Since ``rt-run`` ends only once every request it accepted is answered (ADP-024.2), the
table is read from the port party's history: the step that accepted a request holds it,
the step that answered it holds it no more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
from ._ported import PORT, Ported, allowed_courier
from ._world import World

pytestmark = pytest.mark.profile("port")

#: A request in flight, as PORT-007.1 lays it out (TIM-006.2's layout): two hex digits →
#: the next two → name → message id.
Table = dict[str, dict[str, dict[str, str]]]


def _tree(rt: Ported, oid: g.ObjectId, what: str) -> g.Tree:
    found = rt.obj(oid.hex())
    if not isinstance(found, g.Tree):
        fail("PORT-007.1", expected="a tree", came=found, what=what)
    return found


def _cores(rt: Ported) -> list[g.Tree]:
    """The core of every step of the port party, its head's first."""
    out: list[g.Tree] = []
    last = rt.head(PORT)
    while last is not None:
        step = rt.obj(last)
        if not isinstance(step, g.Step):
            fail("OBJ-020.1", expected="a step", came=step, what=f"the port party's step {last}")
        out.append(_tree(rt, step.core, f"the core of the port party's step {last}"))
        last = None if step.previous is None else step.previous.hex()
    return out


def _table(rt: Ported, core: g.Tree) -> Table:
    """A core's ``requests`` entry read as PORT-007.1 lays it out (empty when absent):
    each of its first two levels must be a tree; the third level's values are ids."""
    if "requests" not in core.entries:
        return {}
    top = _tree(rt, core.entries["requests"], "the port party's requests entry")
    table: Table = {}
    for first, first_id in top.entries.items():
        level = _tree(rt, first_id, f"the requests entry {first}")
        table[first] = {
            second: {
                name: oid.hex()
                for name, oid in _tree(
                    rt, second_id, f"the requests entry {first}/{second}"
                ).entries.items()
            }
            for second, second_id in level.entries.items()
        }
    return table


@pytest.mark.req("PORT-007.1", "PORT-007", "OBJ-020.1")
def test_the_requests_in_flight_are_the_port_partys_core(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        request = rt.request(courier, f"{world.base}/slow?ms=50")
        cores = _cores(rt)
        check_equal(
            "PORT-007.1",
            ["wit"],
            sorted(cores[0].entries) if cores else None,
            "the entries of the port party's head core, nothing in flight",
        )
        tables = [t for t in (_table(rt, c) for c in reversed(cores)) if t]
        want = {request[:2]: {request[2:4]: {request + courier: request}}}
        check_equal(
            "PORT-007.1",
            [want],
            tables,
            "the requests in flight of each port step's core, oldest first",
        )


@pytest.mark.req("PORT-007.3", "PORT-007", "RUN-008.5")
def test_a_fork_copies_no_request_of_its_parent(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        rt.request(courier, f"{world.base}/once")
        head = rt.head(courier) or ""
        child = str(
            rt.ok("ADP-015", "rt-fork", actor=courier, step=head, state={"seed": "aa"})["actor"]
        )
        rt.run("ADP-024.2")
        check_equal(
            "PORT-007.3",
            None,
            rt.outbox_entry(child, PORT),
            "the child's outbox entry for the port party",
        )
        check_equal(
            "PORT-007.3",
            [],
            [a.headers for a in rt.answers(child)],
            "what the port party sent the child",
        )
        check_equal("PORT-007.3", 1, len(world.hits("/once")), "requests the world got")


@pytest.mark.req("PORT-007.4", "PORT-007", "RUN-024.4")
def test_a_revert_withdraws_no_request(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        genesis = rt.head(courier) or ""
        url = f"{world.base}/again"
        first = rt.request(courier, url)
        rt.ok("ADP-015", "rt-revert", actor=courier, step=genesis)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-007.4",
            first,
            rt.outbox_entry(courier, PORT),
            "the courier's outbox entry for the port party after the revert (still sent)",
        )
        check_equal("PORT-007.4", 1, len(world.hits("/again")), "requests the world got")
        # The same request asked again is a new message, chained after the first
        # (RUN-024.4): sent and answered, not taken for the one already read.
        second = rt.request(courier, url)
        check_equal(
            "PORT-007.4",
            2,
            len(world.hits("/again")),
            f"requests the world got once asked again (request {second[:12]})",
        )
        got = [a.headers.get("port-id") for a in rt.answers(courier)]
        check_equal("PORT-007.4", [first, second], got, "the requests the courier was answered")
