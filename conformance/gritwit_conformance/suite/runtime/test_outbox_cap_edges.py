"""WIT-009.6's cap on both edges, in the default run: a merge of exactly 65,536 entries is
made, one of 65,537 is not (WIT-009.6, WIT-009.5).

``test_outbox_chain.py`` puts every other limit of WIT-009.5 on both sides, and its
``heavy`` test this one too, with two fanouts and 131,073 messages, so the default run
(which leaves out ``heavy``) never reaches the cap. Here one ``fanout`` does it with
98,305: 32,768 fresh recipients, then 32,768 more and one of the first (own entries of
65,537 together but a union of exactly 65,536, the top more than half the base: merged,
one mailbox of 65,536), then 32,767 of the old ones and one fresh (the top has 32,768
entries, exactly half the base's, so only the cap refuses: the union would be 65,537).
The cap binds a small last outbox too, which is merged whatever the top's size: a base of
256 entries under 65,281 fresh recipients (a union of 65,537) stays a base, under 65,280
(exactly 65,536) it is merged. Each step's outbox is compared with the chain the rule
builds, computed from the spec (``_outbox_model.Model``), by id.

A step that queues 32,768 messages is long for an implementation whose test actors run
slower than the reference's (the Node example's took 18 to 45 s on a loaded machine, past
RUN-005's default bound of 5 s, and was marked failed): the runtime is opened with a
bound of :data:`TIME_LIMIT` seconds, so the verdict does not depend on the machine's
load (ADP-012), only on the outbox each step builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import suite_premise
from .._outbox_model import MERGE_CAP, SMALL_BASE, fresh_id
from ._forks import Rt
from .test_outbox_chain import Fanout

pytestmark = pytest.mark.profile("runtime")

HALF = MERGE_CAP // 2
#: Seconds a transition may run here (``rt-open``'s ``time_limit``, RUN-005).
TIME_LIMIT = 600.0


class _Patient(Rt):
    """A runtime as :class:`Rt` opens one, whose transitions may run :data:`TIME_LIMIT`."""

    def __init__(self, impl: Implementation, path: Path, *, clause: str) -> None:
        self.impl, self.clause = impl, clause
        path.mkdir(exist_ok=True)
        opened = self._ok("rt-open", path=str(path), time_limit=TIME_LIMIT)
        self.handle = str(opened["runtime"])


@pytest.mark.slow
@pytest.mark.req("WIT-009.6", "WIT-009.5")
def test_a_merge_of_65_536_is_made_and_one_of_65_537_is_not(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = _Patient(impl, tmp_path / "rt", clause="WIT-009.6")
    try:
        fanout = Fanout(rt, "0c")
        fanout.fan([fresh_id(i) for i in range(HALF)])
        # one old recipient among them: own entries of 32,769 and 32,768, 65,537 together,
        # a union of exactly 65,536 (the cap counts the union's keys, not the two sizes)
        fanout.fan([fresh_id(0), *(fresh_id(i) for i in range(HALF, MERGE_CAP))])
        suite_premise(
            fanout.model.shape() == [MERGE_CAP],
            f"the suite's model merges a union of exactly {MERGE_CAP}: {fanout.model.shape()}",
        )
        again = [fresh_id(i) for i in range(1, HALF)] + [fresh_id(MERGE_CAP)]
        fanout.fan(again)
        suite_premise(
            fanout.model.shape() == [HALF, MERGE_CAP],
            f"the suite's model keeps a union of {MERGE_CAP + 1} a chain: {fanout.model.shape()}",
        )
    finally:
        rt.close()


@pytest.mark.slow
@pytest.mark.req("WIT-009.6", "WIT-009.5")
def test_a_small_last_outbox_is_merged_within_the_cap_and_not_past_it(
    impl: Implementation, tmp_path: Path
) -> None:
    """A last outbox of 256 entries (at most 256: merged into the top whatever the top's
    size) is merged only while the union stays within 65,536 (WIT-009.6): one ``fanout``
    writes to 256 fresh recipients, then to 65,281 more (a union of 65,537): the new top of
    65,281 stands over the 256, a chain of two; another writes to 256, then to 65,280
    more (exactly 65,536): one mailbox. An implementation that judges a small base's
    merge by the base alone, or by anything but the union, makes one mailbox past the
    cap, or a chain where the rule merges."""
    rt = _Patient(impl, tmp_path / "rt", clause="WIT-009.6")
    try:
        past = Fanout(rt, "0d")
        past.fan([fresh_id(i) for i in range(SMALL_BASE)])
        past.fan([fresh_id(i) for i in range(SMALL_BASE, MERGE_CAP + 1)])
        suite_premise(
            past.model.shape() == [MERGE_CAP + 1 - SMALL_BASE, SMALL_BASE],
            f"the suite's model keeps a union of {MERGE_CAP + 1} a chain: {past.model.shape()}",
        )
        within = Fanout(rt, "0e")
        within.fan([fresh_id(i) for i in range(SMALL_BASE)])
        within.fan([fresh_id(i) for i in range(SMALL_BASE, MERGE_CAP)])
        suite_premise(
            within.model.shape() == [MERGE_CAP],
            f"the suite's model merges a union of exactly {MERGE_CAP}: {within.model.shape()}",
        )
    finally:
        rt.close()
