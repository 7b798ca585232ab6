"""A pytest plugin for whole runs cut to the tests that can decide their verdict.

Loaded into ``gritwit conform`` with ``PYTEST_ADDOPTS="-p _select_by_requirement"`` (this
folder on ``PYTHONPATH``), it reads two variables:

* ``GRITWIT_SELECT_REQUIREMENTS`` (``test_wrong_adapters.py``): the requirement IDs a
  wrong adapter's report must list as failed.  It keeps the tests whose ``req`` marks
  name one of them, the only tests that can report them failed (a wrong answer is
  reported under the failing test's own IDs), and the handshake, so that a run shows the
  adapter also passes something.  An ID written ``ID@module`` keeps only the tests of
  the suite module ``module`` (its file's stem) that cite ``ID``: for a row whose ID
  almost every test of a profile cites (``rt-open``'s ADP-015).
* ``GRITWIT_SELECT_IN_PROFILE`` (``test_reference_conforms.py``): ``profile=ID,ID ...``
  entries; within each named profile only the tests citing one of its IDs are kept, and
  the other profiles run whole.

Every other test is deselected: the run gets quicker and checks the same IDs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

#: Space-separated requirement IDs, each optionally ``@module``; unset or empty: this
#: plugin deselects nothing by it.
VARIABLE = "GRITWIT_SELECT_REQUIREMENTS"
#: Space-separated ``profile=ID,ID`` entries; unset or empty: no profile is cut.
IN_PROFILE = "GRITWIT_SELECT_IN_PROFILE"
#: Always kept: the handshake test (ADP-005), which any adapter that speaks the protocol passes.
ALWAYS = "test_handshake"


def wanted(name: str, module: str, profile: str, cited: Iterable[str], select: str,
           in_profile: str) -> bool:  # fmt: skip
    """Whether a test (its function ``name``, module stem, suite profile and cited IDs)
    is kept under the two variables' values."""
    if name == ALWAYS:
        return True
    ids = set(cited)
    tokens = select.split()
    if tokens and not any(
        rid in ids and (not where or where == module)
        for rid, _, where in (t.partition("@") for t in tokens)
    ):
        return False
    cuts = dict(entry.partition("=")[::2] for entry in in_profile.split())
    return profile not in cuts or bool(ids & set(cuts[profile].split(",")))


def _profile(path: Path) -> str:
    """The suite folder a test module is in (``suite/http/test_x.py`` → ``http``)."""
    parts = path.parts
    return parts[parts.index("suite") + 1] if "suite" in parts[:-1] else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    select = os.environ.get(VARIABLE, "")
    in_profile = os.environ.get(IN_PROFILE, "")
    if not select.split() and not in_profile.split():
        return
    keep = [
        item
        for item in items
        if wanted(
            getattr(item, "originalname", item.name),
            item.path.stem,
            _profile(item.path),
            (rid for mark in item.iter_markers("req") for rid in mark.args),
            select,
            in_profile,
        )
    ]
    kept = {id(item) for item in keep}
    config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
    items[:] = keep
