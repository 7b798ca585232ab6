"""Every line of ``spec/CHANGES.md`` is read (CONV-003.9): a head of several
``IDs — kind`` groups gives one entry per group, and an item the parser cannot read in
full is listed, so the real file is checked to hold none."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.data._versions import (
    KINDS,
    UNRELEASED,
    parse_changes,
    unread_items,
)

ROOT = Path(__file__).resolve().parents[2]

TWO_VERBS = """# Spec changes

## Unreleased

- RUN-003.2 — changed; RUN-003.4, RUN-003.5 — added; RUN-002.4, RUN-009.12 — changed to
  name them: the outside's outbox is 16 mailboxes. Tests: `suite/runtime/test_m.py`
- CONV-003.9 — added: the form, such as `RUN-003.2 — changed; RUN-003.4 — added`.
"""


@pytest.mark.req("CONV-003.9", "ADP-005.5")
def test_a_head_of_several_groups_gives_each_its_kind() -> None:
    entries = parse_changes(TWO_VERBS)
    assert [(e.ids, e.kind) for e in entries] == [
        (("RUN-003.2",), "changed"),
        (("RUN-003.4", "RUN-003.5"), "added"),
        (("RUN-002.4", "RUN-009.12"), "changed"),
        (("CONV-003.9",), "added"),  # a group quoted in the text is no group
    ]
    assert {e.text for e in entries[:3]} == {"the outside's outbox is 16 mailboxes."}
    assert entries[1].tests == ("runtime/test_m.py",)
    assert all(e.version == UNRELEASED for e in entries)
    assert unread_items(TWO_VERBS) == []


UNREADABLE = """# Spec changes

- ENC-001 — not in a version's section: no entry, and nothing to check.

## Unreleased

- DUR-005.4 — the reference's figures: three round trips, not five.
- RUN-020.7 — added: a run reads what moved. DUR-005.4 — changed (its figures).
- (no clause; the package) — removed: an old alias.
- ENC-002 — changed: fine.

## 0.2.0 (from 0.1.0)

### Added (1)

- ENC-003 — a heading names its kind.
"""


@pytest.mark.req("CONV-003.9")
def test_an_item_the_parser_cannot_read_is_listed_by_its_line() -> None:
    problems = unread_items(UNREADABLE)
    assert len(problems) == 2, problems
    assert problems[0].startswith("line 7: no `IDs — kind` head")
    assert problems[1].startswith("line 8: a second entry inside this one (DUR-005.4 — changed")
    # the readable ones are entries; the kind of one under "### Added" is its heading's
    read = [(e.ids, e.kind, e.version) for e in parse_changes(UNREADABLE)]
    assert read == [
        (("RUN-020.7",), "added", UNRELEASED),
        (("ENC-002",), "changed", UNRELEASED),
        (("ENC-003",), "added", "0.2.0"),
    ]


IDS = st.from_regex(r"(ENC|RUN|ADP)-0[0-9]{2}(\.[1-9])?", fullmatch=True)


@pytest.mark.req("CONV-003.9")
@given(
    groups=st.lists(
        st.tuples(st.lists(IDS, min_size=1, max_size=3, unique=True), st.sampled_from(KINDS)),
        min_size=1,
        max_size=4,
    )
)
def test_every_group_of_every_head_is_an_entry(groups: list[tuple[list[str], str]]) -> None:
    head = "; ".join(f"{', '.join(ids)} — {kind}" for ids, kind in groups)
    text = f"# c\n\n## 0.3.0 (from 0.2.0)\n\n- {head}: what changed.\n"
    entries = parse_changes(text)
    assert [(list(e.ids), e.kind) for e in entries] == [
        (list(dict.fromkeys(ids)), kind) for ids, kind in groups
    ]
    assert all(e.text == "what changed." for e in entries)
    assert unread_items(text) == []


@pytest.mark.req("CONV-003.9", "CONV-003.3")
def test_the_real_change_log_is_read_in_full() -> None:
    changes = (ROOT / "spec" / "CHANGES.md").read_text(encoding="utf-8")
    assert unread_items(changes) == []
    # the issue's case: the mailbox clauses' entry, once hidden behind a first verb
    added = {rid for e in parse_changes(changes) if e.kind == "added" for rid in e.ids}
    assert {"RUN-003.4", "RUN-003.5"} <= added
