"""A failure's version marks name only the entries of what its failing assertion cites
(ADP-005.5, issue 44): the cited clauses its message names, and of several entries of
one clause those whose quoted terms the message names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.data._versions import SpecHistory, parse_changes

CHANGES = """# Spec changes

## 0.3.0 (from 0.2.0)

- ADP-015 — changed: `rt-open` takes an optional `share`, `[k, n]` (RUN-021).
- ADP-015 — changed: `rt-open` takes `max_step_bytes` and `max_run_bytes` (RUN-022.2).
- ADP-015 — changed: `rt-open` takes an optional `first_delay`.
- RUN-021, RUN-021.1 — added: shares.
- ADP-014 — newly tested: hostile actors.

## 0.2.0 (from 0.1.0)

- ADP-015 — added: the runtime commands.
"""

IDS = ["ADP-013", "ADP-014", "ADP-015", "RUN-021", "RUN-021.1"]
SHARE = (
    "changed in 0.3.0: ADP-015 changed: `rt-open` takes an optional `share`, `[k, n]` (RUN-021)."
)


def history() -> SpecHistory:
    return SpecHistory(
        current="0.3.0",
        records={
            "0.2.0": frozenset({"ADP-013", "ADP-014", "ADP-015"}),
            "0.3.0": frozenset({"ADP-013", "ADP-014", "ADP-015", "RUN-021", "RUN-021.1"}),
        },
        entries=parse_changes(CHANGES),
    )


@pytest.mark.req("ADP-005.5", "ADP-020.3")
def test_the_marks_are_those_of_the_clause_and_terms_the_failure_names() -> None:
    h = history()
    cited = ["ADP-015", "ADP-014", "RUN-021"]
    everything = h.since(cited, "0.2.0")
    assert len(everything) == 5  # without a message: every entry of every cited clause
    message = "rt-open with share [0, 2] answers the settings {} (ADP-015)"
    assert h.since(cited, "0.2.0", message=message) == [SHARE]
    # a sub-clause named picks its cited clause; other cited clauses are left out
    named = h.since(cited, "0.2.0", message="ran actors outside its share (RUN-021.1)")
    assert named == ["changed in 0.3.0: RUN-021 added: shares."]
    # a message naming none of several cited clauses carries no mark (issue 56): its
    # assertion does not say which rule broke, and every entry of every clause is noise
    assert h.since(cited, "0.2.0", message="assert 1 == 2") == []
    # terms common to several entries (`rt-open`) choose none of them
    common = h.since(["ADP-015"], "0.2.0", message="rt-open failed (ADP-015)")
    assert len(common) == 3


@pytest.mark.req("ADP-005.5")
def test_a_failure_naming_only_an_uncited_or_unchanged_clause_is_marked_by_that_alone() -> None:
    h = history()
    # the message names ADP-013, cited and unchanged: no entry, no mark
    assert h.since(["ADP-015", "ADP-013"], "0.2.0", message="broke ADP-013") == []
    # a clause the message names but the test does not cite gives no mark either
    assert h.since(["ADP-013", "ADP-014"], "0.2.0", message="ADP-015 broke") == []


@pytest.mark.req("ADP-005.5")
def test_a_test_citing_one_clause_marks_a_failure_naming_none() -> None:
    h = history()
    one = h.since(["RUN-021"], "0.2.0", message="assert 1 == 2")
    assert one == ["changed in 0.3.0: RUN-021 added: shares."]
    # a sub-clause named picks its cited lead even among several
    assert h.since(["RUN-021", "ADP-015"], "0.2.0", message="see RUN-021.1") == one


@pytest.mark.req("ADP-005.5")
def test_a_failure_without_a_message_keeps_every_cited_clause() -> None:
    # not a failure the plugin marks (it always passes the report's text): the whole
    # history of the cited clauses, as `gritwit trace` might ask for
    assert len(history().since(["ADP-015", "ADP-014", "RUN-021"], "0.2.0")) == 5


@pytest.mark.req("ADP-005.5")
@given(
    cited=st.lists(st.sampled_from(IDS), min_size=2, max_size=5, unique=True),
    named=st.lists(st.sampled_from(IDS), max_size=3, unique=True),
)
def test_every_mark_is_an_entry_of_a_clause_the_message_names(
    cited: list[str], named: list[str]
) -> None:
    message = "failed: " + ", ".join(named)
    for note in history().since(cited, "0.2.0", message=message):
        rid = next(r for r in IDS if f": {r} " in note)
        # the clause itself named, or one of its sub-clauses (RUN-021.1 for RUN-021)
        said = any(n == rid or n.startswith(f"{rid}.") for n in named)
        assert rid in cited and said, (note, cited, named)
