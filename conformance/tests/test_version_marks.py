"""A failure's version marks name only the entries of what its failing check judged
(ADP-005.5): a failed check's own clause (its entries, its lead's and its sub-clauses'),
or for a plain assertion the cited clauses its message names; of several entries of one
clause, those whose quoted terms the message names, common terms left out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.data._versions import SpecHistory, parse_changes, related

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
    # a sub-clause of a cited clause is named as itself; other cited clauses are left out
    named = h.since(cited, "0.2.0", message="ran actors outside its share (RUN-021.1)")
    assert named == ["changed in 0.3.0: RUN-021.1 added: shares."]
    # a message naming none of several cited clauses carries no mark: its
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
    # a sub-clause of a cited lead is chosen even among several, and reaches the entry
    sub = h.since(["RUN-021", "ADP-015"], "0.2.0", message="see RUN-021.1")
    assert sub == ["changed in 0.3.0: RUN-021.1 added: shares."]


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
        # a clause named, cited itself or by its lead or a sub-clause (RUN-021.1, RUN-021)
        assert any(related(rid, n) for n in named), (note, cited, named)
        assert any(related(rid, c) for c in cited), (note, cited, named)


SUBS = """# Spec changes

## 0.3.0 (from 0.2.0)

- OBJ-018.1 — changed: a description's `headers` map.
- OBJ-018.7 — added: a description's `base`.
- OBJ-018 — wording: the lead.
- OBJ-017.1 — changed: a sibling's `data`.
- RUN-003.4 — added: the outside's outbox is 16 mailboxes.
- RUN-019.2 — changed: grouped sends in the `runtime`.
- RUN-019.2 — changed: `rt-close` commits grouped sends.
"""


def _subs() -> SpecHistory:
    every = frozenset({"OBJ-017.1", "OBJ-018", "OBJ-018.1", "OBJ-018.7", "RUN-003.4", "RUN-019.2"})
    return SpecHistory(
        current="0.3.0",
        records={"0.2.0": every, "0.3.0": every},
        entries=parse_changes(SUBS),
    )


@pytest.mark.req("ADP-005.5")
def test_a_clause_reaches_its_sub_clauses_and_its_lead_never_its_siblings() -> None:
    h = _subs()
    lead = h.since(["OBJ-018"], "0.2.0", message="a description differs (OBJ-018)")
    assert [n.split(": ")[1] for n in lead] == [
        "OBJ-018 wording",
        "OBJ-018.7 added",
        "OBJ-018.1 changed",
    ]
    sub = h.since(["OBJ-018.1", "OBJ-017.1"], "0.2.0", message="it differs (OBJ-018.1)")
    assert [n.split(": ")[1] for n in sub] == ["OBJ-018 wording", "OBJ-018.1 changed"]
    assert not any("OBJ-017" in n or "OBJ-018.7" in n for n in sub)


@pytest.mark.req("ADP-005.5")
def test_a_failed_check_is_marked_by_its_clause_alone() -> None:
    h = _subs()
    # the clause of the check, whatever the test cites or the answer says
    notes = h.since_check(["RUN-003.4"], "0.2.0", suite_text="RUN-003.4: expected …")
    assert notes == ["changed in 0.3.0: RUN-003.4 added: the outside's outbox is 16 mailboxes."]
    # its terms choose among its entries; a common term chooses none
    close = h.since_check(["RUN-019.2"], "0.2.0", suite_text="RUN-019.2: rt-close answered")
    assert len(close) == 1 and "`rt-close`" in close[0]
    both = h.since_check(
        ["RUN-019.2"],
        "0.2.0",
        suite_text="RUN-019.2: the runtime answered",
        common=frozenset({"runtime"}),
    )
    assert len(both) == 2
    assert h.since_check(["RUN-019.2"], "0.3.0", suite_text="x") == []  # not older


MOVED = """# Spec changes

## 0.3.0 (from 0.2.0)

- WIT-014.3 — newly tested: names of every class. Tests: `suite/wit/test_old_name.py`
- WIT-017.3 — newly tested: queries of every class. Tests: `suite/wit/test_kept.py`
"""


@pytest.mark.req("ADP-005.5", "CONV-003.5")
def test_a_newly_tested_entry_whose_files_moved_concerns_every_test_of_its_clause() -> None:
    every = frozenset({"WIT-014.3", "WIT-017.3"})
    h = SpecHistory(
        current="0.3.0",
        records={"0.2.0": every, "0.3.0": every},
        entries=parse_changes(MOVED),
        suite_files=frozenset({"wit/test_new_name.py", "wit/test_kept.py"}),
    )
    # the file it named is gone (split, renamed): which tests it meant can't be told
    moved = h.since_check(["WIT-014.3"], "0.2.0", test_file="wit/test_new_name.py")
    assert moved == ["changed in 0.3.0: WIT-014.3 newly tested: names of every class."]
    # a file it names still exists: only that file's tests
    assert h.since_check(["WIT-017.3"], "0.2.0", test_file="wit/test_new_name.py") == []
    assert len(h.since_check(["WIT-017.3"], "0.2.0", test_file="wit/test_kept.py")) == 1
