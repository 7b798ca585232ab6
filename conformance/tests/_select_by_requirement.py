"""A pytest plugin for the wrong-adapter runs: only the suite tests that can catch the bug.

``test_wrong_adapters.py`` loads it into ``gritwit conform`` (``PYTEST_ADDOPTS="-p
_select_by_requirement"``, this folder on ``PYTHONPATH``) with the requirement IDs the
report must list as failed in ``GRITWIT_SELECT_REQUIREMENTS``.  It keeps the tests whose
``req`` marks name one of them, the only tests that can report them failed (a wrong
answer is reported under the failing test's own IDs), and the handshake, so that a run
shows the adapter also passes something.  Every other test is deselected: the run gets
quicker and checks the same IDs.
"""

from __future__ import annotations

import os

import pytest

#: Space-separated requirement IDs; unset or empty: this plugin deselects nothing.
VARIABLE = "GRITWIT_SELECT_REQUIREMENTS"
#: Always kept: the handshake test (ADP-005), which any adapter that speaks the protocol passes.
ALWAYS = "test_handshake"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(os.environ.get(VARIABLE, "").split())
    if not wanted:
        return
    keep = [
        item
        for item in items
        if getattr(item, "originalname", item.name) == ALWAYS
        or wanted & {rid for mark in item.iter_markers("req") for rid in mark.args}
    ]
    kept = {id(item) for item in keep}
    config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
    items[:] = keep
