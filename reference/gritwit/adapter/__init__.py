"""The reference implementation behind the adapter protocol (spec chapter *adapter protocol*).

:class:`ReferenceAdapter` answers protocol requests (dicts) with responses
(dicts) and never raises; :func:`serve` runs it over standard input/output for
``gritwit adapter``.  The conformance harness drives the reference in-process
through the same class, so both paths answer identically.
"""

from __future__ import annotations

from ._handler import PROTOCOL_VERSION, ReferenceAdapter
from ._stdio import serve

__all__ = ["PROTOCOL_VERSION", "ReferenceAdapter", "serve"]
