"""Reports CI keeps: a test's whole conformance run is also CI's artifact.

CI renders the HTML compliance matrix of the reference over stdio and of the Node
example adapter (``.ci/run``).  Those two whole runs are tests already
(``test_reference_conforms.py``, ``test_node_adapter.py``); instead of running the
suite again, CI sets ``GRITWIT_CI_ARTIFACTS`` and each test copies its report there
once it has checked it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def keep(report: Path, name: str) -> None:
    """Copy ``report``'s ``.json`` and ``.xml`` to ``$GRITWIT_CI_ARTIFACTS/name.*``."""
    where = os.environ.get("GRITWIT_CI_ARTIFACTS")
    if not where:
        return
    target = Path(where)
    target.mkdir(parents=True, exist_ok=True)
    for suffix in (".json", ".xml"):
        source = report.with_suffix(suffix)
        if source.exists():
            shutil.copyfile(source, target / f"{name}{suffix}")
