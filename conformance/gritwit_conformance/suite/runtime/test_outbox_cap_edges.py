"""WIT-009.6's cap on both edges, in the default run: a merge of exactly 65,536 entries is
made, one of 65,537 is not (WIT-009.6, WIT-009.5).

``test_outbox_chain.py`` puts every other limit of WIT-009.5 on both sides, and its
``heavy`` test this one too, with two fanouts and 131,073 messages, so the default run
(which leaves out ``heavy``) never reaches the cap. Here one ``fanout`` does it with
98,305: 32,768 fresh recipients, then 32,768 more and one of the first (own entries of
65,537 together but a union of exactly 65,536, the top more than half the base: merged,
one mailbox of 65,536), then 32,767 of the old ones and one fresh (the top has 32,768
entries, exactly half the base's, so only the cap refuses: the union would be 65,537).
Each step's outbox is compared with the chain the rule builds, computed from the spec
(``_outbox_model.Model``), by id.

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
from .._outbox_model import MERGE_CAP, fresh_id
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
