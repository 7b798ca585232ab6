"""Wrong adapter: a frozen actor's revert compares only the ``frozen`` entry (RUN-024.7).

Of RUN-024.7's three entries the runtime keeps ``frozen`` alone: a revert between two
frozen steps whose ``wit`` or ``wit_update`` differ is made, where it must fail
``frozen-core``. A revert to a step before the freeze (``frozen`` absent there) is
still refused.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.7"}),
    "failed",
    "a revert from a frozen head compares only the frozen entry: another wit is reverted to",
)


def install() -> None:
    from gritwit.runtime import _revert

    patch(_revert, "FROZEN_ENTRIES", ("frozen",))  # the bug: wit and wit_update left out


if __name__ == "__main__":
    run(ReferenceAdapter, install)
