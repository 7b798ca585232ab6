"""The parts a group commit says a head's swap notes, over several steps of one actor
(DUR-005.5, RUN-017.9).

A group commit swaps an actor's head once, from what its first member expected to its
last member's step; the swap is repeated as a note in the part of each recipient whose
entry one of those steps changed.  So the parts said for the swap are the union of its
steps' parts, and where one step's parts are unknown (its writer cannot tell) the swap
says none and the store notes it in every other part, as for any write that does not
say which.
"""

from __future__ import annotations

import pytest

from gritwit.runtime._notes import merge

A, B = frozenset({1}), frozenset({2, 3})


@pytest.mark.req("DUR-005.5", "RUN-017.9")
@pytest.mark.parametrize(
    ("held", "more", "want"),
    [
        (A, B, A | B),
        (B, A, A | B),
        (frozenset(), B, B),
        (A, frozenset(), A),
        (None, B, None),
        (A, None, None),
        (None, None, None),
    ],
)
def test_two_steps_of_one_actor_note_their_parts_joined_or_every_part(
    held: frozenset[int] | None, more: frozenset[int] | None, want: frozenset[int] | None
) -> None:
    got = merge(held, more)
    assert got == want, f"the parts of steps noting {held} then {more}: {want}, not {got}"
