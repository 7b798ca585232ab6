"""Wrong adapter: grouped sends are committed only with a step (RUN-019.2).

With ``sends: "group"`` a run that adopts no step returns without committing the open
group, so the sends in it stay in memory: a kill after that ``rt-run`` answered loses
them (and a run that adopts a step commits them as it should).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _commit
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-019.2"}),
    "failed",
    "with sends 'group', an rt-run that adopts no step answers without committing the "
    "group's sends: a kill after the answer loses them",
)

_real_commit = _commit.Commits.commit_group


def commit_group(self: _commit.Commits) -> bool:
    if not self._group.members:
        return True  # the bug: sends alone are no reason to commit
    return _real_commit(self)


def install() -> None:
    patch(_commit.Commits, "commit_group", commit_group)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
