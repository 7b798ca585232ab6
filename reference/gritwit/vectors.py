"""Deprecated: the golden vector generator and verifier moved to :mod:`gritwit_conformance.vectors`.

The reference is judged; the judge's tools live in the conformance package.  For one
version ``gritwit.vectors`` is that module (with a :class:`DeprecationWarning`); this shim,
and the judged→judge import it needs (ignored by name in pyproject.toml's import
contracts), are removed in the next version.
"""

import sys
import warnings

import gritwit_conformance.vectors as _moved

warnings.warn(
    "gritwit.vectors moved to gritwit_conformance.vectors; import that instead "
    "(this alias is removed in the next version)",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
