"""Wrong adapter: ``rt-fork`` refuses a ``state`` naming ``fork`` before it looks at the
step (RUN-008.9).

With an absent ``at_step`` it answers ``invalid-object``, where the step comes first:
``not-found``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import InvalidObject
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-008.9"}),
    "failed",
    "rt-fork refuses a state naming fork before it looks at the step",
)


class Adapter(ReferenceAdapter):
    def cmd_rt_fork(self, args: dict[str, Any]) -> dict[str, Any]:
        state = args.get("state")
        if isinstance(state, dict) and "fork" in state:
            self._rt(args)
            raise InvalidObject("RUN-008.3", "fork is set by fork itself")  # the bug: first
        return super().cmd_rt_fork(args)


if __name__ == "__main__":
    run(Adapter)
