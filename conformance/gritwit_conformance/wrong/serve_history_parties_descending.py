"""Wrong adapter: a step's parties after the outside come in descending id order (HTTP-007.6).

The service puts the outside first, as HTTP-007.6 says, then sorts the actors the wrong
way round (each party's messages still oldest first), in ``read`` and in ``sent``. A
step with the outside and one actor, or one recipient, shows no difference.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.6"}),
    "failed",
    "a step's read and sent list the actors after the outside in descending id order",
)


def install() -> None:
    from gritwit.serve import _reads
    from gritwit.wit import OUTSIDE

    original = _reads.step_traffic

    def _descending(items: list[Any]) -> list[Any]:
        outside = [t for t in items if t.party == OUTSIDE]
        actors = sorted((t for t in items if t.party != OUTSIDE), key=lambda t: t.party.digest)
        by_party: dict[Any, list[Any]] = {}
        for t in actors:
            by_party.setdefault(t.party, []).append(t)
        return outside + [t for party in reversed(by_party) for t in by_party[party]]  # the bug

    def step_traffic(store: Any, step: Any, previous: Any) -> tuple[list[Any], list[Any]]:
        read, sent = original(store, step, previous)
        return _descending(read), _descending(sent)

    patch(_reads, "step_traffic", step_traffic)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
