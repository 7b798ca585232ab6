"""Run order of the repository's own test run: the long tests start first.

pytest-xdist hands tests to its workers in collection order, so a long test collected
late runs alone at the end while the progress line stands still ("96 %" for minutes).
Tests marked ``slow`` or ``heavy`` are moved to the front (a stable sort: the rest keep
their order), so they run alongside the many quick ones and the tail is short.  xdist
would send the first quarter of the tests to one worker in one chunk, long ones and
all; ``--maxschedchunk 2`` (unless given) makes it hand out two at a time, as workers
free up, so the long tests are spread over the workers.

``gritwit conform`` runs the suite with its own root directory; this file then does
nothing, so it cannot change the order of a conformance run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: Markers of long tests; the first ones named start first.
LONG = ("heavy", "slow")


def _rank(item: pytest.Item) -> int:
    for rank, name in enumerate(LONG):
        if item.get_closest_marker(name) is not None:
            return rank
    return len(LONG)


#: Tests xdist hands a worker at a time (``--maxschedchunk``).
CHUNK = 2


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.rootpath != ROOT or not config.pluginmanager.hasplugin("xdist"):
        return
    if getattr(config.option, "maxschedchunk", CHUNK) is None:
        config.option.maxschedchunk = CHUNK


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.rootpath != ROOT:
        return
    items.sort(key=_rank)
