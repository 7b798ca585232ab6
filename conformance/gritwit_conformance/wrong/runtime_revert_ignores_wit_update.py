"""Wrong adapter: a frozen actor's revert leaves ``wit_update`` out (RUN-024.7).

The runtime compares ``wit`` and ``frozen``, the entries an update that freezes names,
and forgets the third: a revert between frozen steps of which one names an update
function (``wit_update``) and the other none is made, where it must fail
``frozen-core``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.7"}),
    "failed",
    "a revert from a frozen head compares wit and frozen but not wit_update",
)


def install() -> None:
    from gritwit.runtime import _revert

    patch(_revert, "FROZEN_ENTRIES", ("wit", "frozen"))  # the bug: wit_update left out


if __name__ == "__main__":
    run(ReferenceAdapter, install)
