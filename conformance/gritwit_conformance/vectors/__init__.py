"""Golden vectors: generate, verify and locate them (``gritwit vectors …``).

* :func:`write_vectors` — run every suite's declarations through the reference
  and write the files (``gritwit vectors generate``);
* :func:`verify` — schema, drift and reference checks of a vectors directory
  (``gritwit vectors verify``);
* :func:`find_vectors_dir` — the ``vectors/`` directory of the project;
* :func:`replay_runtime` — drive any implementation through a runtime scenario
  (ADP-015), for the generator and the conformance suite alike.
"""

from __future__ import annotations

from pathlib import Path

from ._check import check_vector
from ._generate import SUITES, GenerationError, build_documents, schema_bytes, write_vectors
from ._runtime_build import RUNTIME_OPERATIONS
from ._runtime_build import replay as replay_runtime
from ._verify import Problem, Report, vector_files, verify

__all__ = [
    "RUNTIME_OPERATIONS",
    "SUITES",
    "GenerationError",
    "Problem",
    "Report",
    "build_documents",
    "check_vector",
    "checkout_vectors_dir",
    "find_vectors_dir",
    "replay_runtime",
    "schema_bytes",
    "vector_files",
    "verify",
    "write_vectors",
]


def _is_project_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "reference" / "gritwit").is_dir()


def checkout_vectors_dir(start: Path | None = None) -> Path | None:
    """The ``vectors/`` of the checkout holding ``start`` (default: the working directory).

    ``None`` outside a checkout: generating writes only where the user works.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_project_root(candidate):
            return candidate / "vectors"
    return None


def find_vectors_dir(start: Path | None = None) -> Path:
    """The project's ``vectors/`` directory.

    Searches ``start`` (default: the working directory) and its parents for the
    project root, then the checkout this package was installed from; falls back
    to ``start/vectors``.
    """
    here = (start or Path.cwd()).resolve()
    found = checkout_vectors_dir(here)
    if found is not None:
        return found
    package_root = Path(__file__).resolve().parents[3]
    if _is_project_root(package_root):
        return package_root / "vectors"
    return here / "vectors"
