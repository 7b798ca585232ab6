"""Wrong adapter: a directory's sort is paid for the entries it gained since its last sort,
and given back for those it lost (SBX-006.12, SBX-006.6).

An incremental sort, priced as one: a listing after most of a directory's entries were
removed refunds their sort, so a run that goes on to list it costs less than the same run
that stops before.  2,000 files listed, all but 3 removed, then three listings: about
1 million fuel given back, for listings that cost about 0.6 million.
"""

from __future__ import annotations

from collections.abc import Callable

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit.sandbox.wasi._cost import SORT_FUEL
from gritwit.sandbox.wasi._fs import Directory, File
from gritwit.sandbox.wasi._linker import WasiState
from gritwit.wasm._raw import context_set_fuel
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.12"}),
    "failed",
    "pays a directory's sort for the entries gained since its last sort and gives back "
    "those lost: listings after a directory shrank cost less than nothing",
    timeout=STARTUP_TIMEOUT,
)

#: Each directory sorted so far (kept, so that its id names it) and its entries then.
_SORTED: dict[int, tuple[Directory, int]] = {}


def sorted_listing(
    entries: dict[str, File | Directory], node: Directory, charge: Callable[[int, str], None]
) -> tuple[tuple[str, bytes], ...]:
    if node.listing is None:
        before = _SORTED.get(id(node), (node, 0))[1]
        gained = len(entries) - before
        state = getattr(charge, "__self__", None)
        if gained >= 0:
            charge(SORT_FUEL * gained, "sorting a directory")
        elif isinstance(state, WasiState):  # the bug: what the lost entries' sort cost, back
            context_set_fuel(state.context, state.fuel_left() - SORT_FUEL * gained)
        _SORTED[id(node)] = (node, len(entries))
        node.listing = tuple((name, name.encode("utf-8")) for name in sorted(entries))
    return node.listing


def install() -> None:
    patch(_calls, "sorted_listing", sorted_listing)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
