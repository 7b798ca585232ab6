"""Deprecated: the conformance report renderer moved to :mod:`gritwit_conformance.report`.

The reference is judged; the judge's tools live in the conformance package.  For one
version ``gritwit.report`` is that module (with a :class:`DeprecationWarning`); this shim,
and the judged→judge import it needs (ignored by name in pyproject.toml's import
contracts), are removed in the next version.
"""

import sys
import warnings

import gritwit_conformance.report as _moved

warnings.warn(
    "gritwit.report moved to gritwit_conformance.report; import that instead "
    "(this alias is removed in the next version)",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
