"""Run order and the ``smoke`` selection of the repository's own test run.

**Order.**  pytest-xdist hands tests to its workers in collection order, so a long test
collected late runs alone at the end while the progress line stands still ("96 %" for
minutes).  Tests marked ``heavy`` start first; tests marked ``slow`` are spread evenly
over the first half of the rest, so they run alongside the quick ones, the progress
line moves from the start, and the tail is short.  (With every ``slow`` test first,
both workers spent the first minutes on the longest ones: a run of 15 minutes showed
174 of 6,680 tests done after 6 minutes, then 6,500 in the next 7.)  The order is
otherwise stable.  xdist would send the first quarter of the tests to one worker in
one chunk, long ones and all; ``--maxschedchunk 2`` (unless given) makes it hand out
two at a time, as workers free up; and unless ``--dist`` is given, ``-n`` runs with
``--dist worksteal``, so a worker that runs out of tests takes the back half of another's
queue instead of idling while that one works through a backlog.

**Smoke.**  ``python -m pytest -n 2 -m smoke`` is the quick check of a change: the
conformance suite's own smoke tests (marked in the suite: a few fixed inputs per
profile, here against the in-process reference, which cite every chapter of the spec)
and the quick tests of :data:`SMOKE`: unit tests of the reference and checks of the docs.
``test_docs_facts.py`` checks that it cites a requirement of every spec chapter.  The
full run is the one before a push.

``gritwit conform`` runs the suite with its own root directory; this file then does
nothing, so it cannot change the order or the selection of a conformance run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: Markers of long tests; the first ones named start first.
LONG = ("heavy", "slow")
#: Node-id prefixes of the tests ``-m smoke`` adds to the suite's smoke tests (but not
#: those marked ``slow``): quick unit tests of the reference, and the checks of the docs.
SMOKE = (
    "reference/tests/test_codec.py",  # encoding, objects, identifiers
    "reference/tests/test_spec.py",  # the spec's own structure and IDs
    "reference/tests/test_wit_transition.py",  # a Wit transition
    "reference/tests/test_timers.py",  # the timer service (its service test is slow)
    "reference/tests/test_port_secrets.py",  # the port's secrets (its service tests serve loopback)
    "reference/tests/test_docs_wording.py",  # the docs
    "reference/tests/test_docs_facts.py",
    "reference/tests/test_docs_samples.py",
    "reference/tests/test_docs_architecture.py",
    "reference/tests/test_readme_first_screen.py",
    "reference/tests/test_guide_commands.py::test_guide_commands_parse",
    "reference/tests/test_guide_commands.py::test_commands_named_in_prose_parse",
    "reference/tests/test_guide_commands.py::test_every_shell_block_is_found",
)


def _rank(item: pytest.Item) -> int:
    for rank, name in enumerate(LONG):
        if item.get_closest_marker(name) is not None:
            return rank
    return len(LONG)


def spread(items: list[pytest.Item]) -> list[pytest.Item]:
    """``heavy`` first, then quick and ``slow`` ones interleaved, the slow in the first half."""
    heavy = [i for i in items if _rank(i) == 0]
    slow = [i for i in items if _rank(i) == 1]
    quick = [i for i in items if _rank(i) == 2]
    # as many quick tests between two slow ones as puts the last slow one in the middle
    step = max(1, len(quick) // (2 * len(slow))) if slow else 0
    ordered = list(heavy)
    for index, item in enumerate(slow):
        ordered.append(item)
        ordered.extend(quick[index * step : (index + 1) * step])
    ordered.extend(quick[len(slow) * step :])
    return ordered


#: Tests xdist hands a worker at a time (``--maxschedchunk``).
CHUNK = 2


def auto_workers(cores: int) -> int:
    """The workers of ``-n auto``: half as many again as the cores, at least two.

    Much of the run waits rather than computes (an adapter or a service starting, a
    connection the suite holds open to its time limit, a kill and a restart): with a
    worker per core, a 2-core machine stood a quarter idle through the README's test run
    (25 % on average, 10 to 70 % in vmstat's 30-s samples; a local CI run of f072d106,
    2026-11-30).
    The heavy tests (``-m heavy``) keep one worker per core: each starts whole
    conformance runs of its own, which kept both cores busy (1 to 6 % idle in the same
    run's heavy step). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides where it is set.
    """
    return max(2, cores + cores // 2)


def name_the_sandbox_interpreter() -> None:
    """Name the sandbox extra's interpreter in ``$GRITWIT_SANDBOX_PYTHON`` where unset.

    The reference finds the interpreter in the extra by itself; the Node example adapter
    claims the sandbox profile only when that variable names it (ADP-019.1).  Setting it
    here makes the test command of docs/contributing.md run the same tests in a fresh venv
    as CI does.
    """
    if os.environ.get("GRITWIT_SANDBOX_PYTHON"):
        return
    try:
        from gritwit.sandbox import interpreter_path
    except ImportError:
        return
    found = interpreter_path()
    if found is not None:
        os.environ["GRITWIT_SANDBOX_PYTHON"] = str(found)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: xdist may be absent
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    if config.rootpath != ROOT or os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own count
    cores = len(os.sched_getaffinity(0))
    if config.getoption("markexpr", "") == "heavy":
        return cores
    return auto_workers(cores)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.rootpath != ROOT:
        return
    name_the_sandbox_interpreter()
    if not config.pluginmanager.hasplugin("xdist"):
        return
    if getattr(config.option, "maxschedchunk", CHUNK) is None:
        config.option.maxschedchunk = CHUNK
    given = any(a.startswith(("--dist", "-d")) for a in config.invocation_params.args)
    if getattr(config.option, "dist", "no") == "load" and not given:
        config.option.dist = "worksteal"  # an idle worker takes tests another has queued


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects: the smoke marks must be there
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.rootpath != ROOT:
        return
    for item in items:
        if item.nodeid.startswith(SMOKE) and _rank(item) == len(LONG):
            item.add_marker(pytest.mark.smoke)
    items[:] = spread(items)
