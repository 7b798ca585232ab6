"""A message in the level under the top of a chained outbox is routed by a runtime
(WIT-010.1, OBJ-019.1), before and after a restart (RUN-003.1).

The map of an outbox is its levels' entries, the upper replacing the lower (OBJ-019.1),
and what is pending from a sender is read from that map (WIT-005). A ``fanout`` queues
to 257 ids no actor has yet (WIT-009.4), one of them an ``echo``'s to come, then to one
more: past 256 recipients the new outbox is a top of one over the 257 (WIT-009.5), so
the message to the echo stands in the level under the top. When the echo starts, its
first transition reads it. The Wit profile's ``test_outbox_levels.py`` checks this of
``wit-run``; here a runtime does it, once as it ran the fanout and once after
``rt-close`` and ``rt-open`` on the same store, where it finds what is pending from the
heads alone (RUN-003.1). A runtime that takes a chained outbox's top for its map never
routes the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, suite_premise
from .._outbox_model import SMALL_BASE, fresh_id
from ._forks import Rt, genesis, genesis_core
from .test_outbox_chain import Fanout

pytestmark = pytest.mark.profile("runtime")

#: The echo that starts late: its core's id is a recipient of the fanout's first step.
ECHO_STATE = {"n": b"WIT-009.5 lower level, runtime".hex()}


@pytest.mark.req("WIT-010.1", "WIT-005", "OBJ-019.1", "WIT-009.4", "WIT-009.5", "RUN-003.1")
@pytest.mark.req("WIT-009.6", "WIT-002", "ID-004", "RUN-008.2")  # its helpers' checks name them
@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_a_message_in_the_level_under_the_top_is_routed_by_a_runtime(
    impl: Implementation, tmp_path: Path, restart: bool
) -> None:
    """The fanout queues to 257 recipients, the echo's id among them, then to one more:
    its outbox is a top of one over the 257. Then (after a restart, for ``restarted``)
    the echo starts: its first step's inbox entry for the fanout is the fanout's message
    to it, found in the lower level of the fanout's outbox (OBJ-019.1)."""
    path = tmp_path / "rt"
    rt = Rt(impl, path, clause="WIT-010.1")
    try:
        fanout = Fanout(rt, "0b1e")
        echo = g.object_id(genesis_core("echo", ECHO_STATE)).hex()
        fanout.fan([echo, *(fresh_id(40_000 + i) for i in range(SMALL_BASE))])
        fanout.fan([fresh_id(41_000)])
        suite_premise(
            fanout.model.shape() == [1, SMALL_BASE + 1],
            f"the suite's model keeps a top of one over 257: {fanout.model.shape()}",
        )
        sent = fanout.model.map()[echo]
        if restart:
            rt.close()
            rt = Rt(impl, path, clause="RUN-003.1")
        started = genesis(rt, "echo", ECHO_STATE)
        suite_premise(started.actor == echo, f"the echo's id is its core's: {started.actor}")
        rt.run()
        head = rt.head(echo)
        inbox = {} if head is None else rt.mailbox(rt.step(head).inbox)
        entry = inbox.get(g.ObjectId.from_hex(fanout.actor.actor))
        check_equal(
            ("WIT-010.1", "OBJ-019.1", "WIT-005", "RUN-003.1"),
            sent,
            None if entry is None else entry.hex(),
            "the echo's inbox entry for the fanout after it ran"
            f"{' (the runtime restarted first)' if restart else ''}: the fanout's message to "
            "it, its outbox entry in the level under the top of a chain of [1, 257]",
        )
    finally:
        rt.close()
