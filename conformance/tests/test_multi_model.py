"""The multi-runtime family's model of counts (``suite/runtime/_multi.py``): a head never
moves back, judged in real-time order.  Two reads that overlap may answer in either order
(the later answer may carry the lower count); a read that starts once a count was seen
must not answer below it (RUN-020.2: a query answers from a head at least as new as every
step committed before the request)."""

from __future__ import annotations

import pytest

from gritwit_conformance.suite.runtime._multi import Model

C = "c" * 64


@pytest.mark.req("RUN-020.2")
def test_overlapping_reads_may_answer_in_either_order() -> None:
    model = Model()
    first, second = model.floor(C), model.floor(C)  # both start before either answers
    model.saw_count(C, 50, "rt-query", second)  # the later read answers first …
    model.saw_count(C, 49, "rt-query", first)  # … then the earlier one, lower: not an anomaly
    assert model.anomalies == [] and model.counts[C] == 50


@pytest.mark.req("RUN-020.2")
def test_a_read_started_after_a_count_was_seen_must_not_go_below_it() -> None:
    model = Model()
    model.saw_count(C, 50, "rt-query", model.floor(C))
    model.saw_count(C, 50, "rt-query", model.floor(C))  # equal: fine
    model.saw_count(C, 49, "rt-query", model.floor(C))  # started after 50 was seen
    assert model.anomalies == [f"rt-query: counter {C[:12]} counts 49 after 50 was seen"]
    assert model.counts[C] == 50
