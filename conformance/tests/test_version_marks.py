"""A failure's version marks name only the entries of what its failing assertion cites
(ADP-005.5, issue 44): the cited clauses its message names, and of several entries of
one clause those whose quoted terms the message names."""

from __future__ import annotations

import pytest

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
    # a message naming no clause and no term keeps every mark: nothing goes unmarked
    assert h.since(cited, "0.2.0", message="assert 1 == 2") == everything
    # terms common to several entries (`rt-open`) choose none of them
    common = h.since(["ADP-015"], "0.2.0", message="rt-open failed (ADP-015)")
    assert len(common) == 3


@pytest.mark.req("ADP-005.5")
def test_a_failure_naming_only_unchanged_clauses_keeps_every_mark() -> None:
    h = history()
    kept = h.since(["ADP-015", "ADP-013"], "0.2.0", message="broke ADP-013")
    assert kept == h.since(["ADP-015", "ADP-013"], "0.2.0") and len(kept) == 3
