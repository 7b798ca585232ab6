"""Traceability: the spec's requirement IDs against the tests, vectors and evidence.

``gritwit trace`` and its variants, one module per check:

* :mod:`._clauses` — every requirement ID is defined once, cited by a test or a
  vector, and every citation exists; which clauses are negatively checked
  (CONV-005; ``gritwit trace``);
* :mod:`._inputs` — the input classes each clause's tests exercise
  (``gritwit trace --inputs``);
* :mod:`._changes` — every clause whose text changed is recorded in
  ``spec/CHANGES.md`` (CONV-003.3; ``gritwit trace --changes``).

Part of the judge: it reads the reference's sources as text, never imports them.
"""

from __future__ import annotations

from ._changes import changes_command, check_changes, clause_hashes, clause_texts
from ._clauses import TraceReport, collect_citations, collect_definitions, collect_negative, trace
from ._inputs import ClauseInputs
from ._inputs import check as check_inputs
from ._inputs import render as render_inputs

__all__ = [
    "ClauseInputs",
    "TraceReport",
    "changes_command",
    "check_changes",
    "check_inputs",
    "clause_hashes",
    "clause_texts",
    "collect_citations",
    "collect_definitions",
    "collect_negative",
    "render_inputs",
    "trace",
]
