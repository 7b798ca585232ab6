"""Wrong adapter: the attempts of RUN-004.3 are counted for the run, not per transition.

RUN-004.3 gives each failing transition up to 5 attempts.  An implementer who keeps one
count of failed attempts (a field of the runtime, not of the transition) gives the
first failing actor its 5 and marks every later one after its first failure: one failing
actor per run, as every test once had, cannot tell.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _transition
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.3"}),
    "failed",
    "the attempts of RUN-004.3 are shared by every failing transition of the runtime",
)


class SharedAttempts(_transition.Transitions):
    """The reference's transitions, whose attempt limit shrinks with others' failures."""

    @property
    def attempts(self) -> int:
        actor = self.failures[-1].actor if self.failures else None
        others = sum(1 for f in self.failures if f.actor != actor)  # the bug
        return max(1, self._shared_limit - others)

    @attempts.setter
    def attempts(self, value: int) -> None:
        self._shared_limit = value


def install() -> None:
    patch(_runtime, "Transitions", SharedAttempts)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
