"""Golden vectors: generate, verify and locate them (``gritwit vectors …``).

* :func:`write_vectors` — run every suite's declarations through the reference
  and write the files (``gritwit vectors generate``);
* :func:`verify` — schema, drift and reference checks of a vectors directory
  (``gritwit vectors verify``);
* :func:`find_vectors_dir` — the golden vectors: the checkout's ``vectors/``, else the
  copy installed with the suite (:mod:`gritwit_conformance.data._paths`);
* :func:`replay_runtime` — drive any implementation through a runtime scenario
  (ADP-015), for the generator and the conformance suite alike.
"""

from __future__ import annotations

from pathlib import Path

from gritwit._checkout import working_checkout

from ..data._paths import vectors_dir
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


def checkout_vectors_dir(start: Path | None = None) -> Path | None:
    """The ``vectors/`` of the checkout holding ``start`` (default: the working directory).

    ``None`` outside a checkout: generating writes only where the user works, never into
    the checkout an editable install runs from nor into the installed copy.
    """
    root = working_checkout(start)
    return None if root is None else root / "vectors"


def find_vectors_dir(start: Path | None = None) -> Path:
    """The golden vectors: ``vectors/`` of the checkout holding ``start`` (default: the
    working directory), else of the checkout this package runs from, else the copy
    installed with the suite (:func:`gritwit_conformance.data._paths.vectors_dir`; raises
    :class:`~gritwit_conformance.data._paths.ResourcesMissing` when there is none)."""
    return vectors_dir(start)
