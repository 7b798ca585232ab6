"""The test map traced in several processes: a pytest plugin each xdist worker loads.

One traced in-process run of the profiles' tests takes minutes on one core (a line
tracer in Python slows the suite several times); split over xdist's workers, each
worker traces the tests it runs with its own :class:`~._coverage.LineCollector` and
writes what it traced to a file of its own when it ends, and the run's map is their
union (:meth:`~._coverage.Coverage.from_parts`).  The modules to trace and the folder
to write in are read from :data:`SHARDS_ENV`, a JSON file the caller wrote.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ._coverage import SHARDS_ENV, LineCollector

__all__ = ["pytest_configure", "pytest_sessionfinish"]

_NAME = "gritwit-mutate-shard"
#: A worker's collector, and the file it writes at the end.
_KEY = pytest.StashKey[tuple[LineCollector, Path]]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker, start tracing before collection: the collector registered
    here is configured at once (``pytest_configure`` is a historic hook)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # the controller runs no test
        return
    settings = json.loads(Path(os.environ[SHARDS_ENV]).read_text(encoding="utf-8"))
    collector = LineCollector(dict(settings["files"]))
    config.stash[_KEY] = (collector, Path(settings["out"]) / f"{workerinput['workerid']}.json")
    config.pluginmanager.register(collector, _NAME)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write what this worker traced, every test having run."""
    found = session.config.stash.get(_KEY, None)
    if found is not None:
        collector, path = found
        path.write_text(json.dumps(collector.part()), encoding="utf-8")
