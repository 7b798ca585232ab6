"""Deprecated: the gritwit command line moved to :mod:`gritwit_conformance.cli`.

The reference is judged; the judge's tools live in the conformance package.  For one
version ``gritwit.cli`` is that module (with a :class:`DeprecationWarning`); this shim,
and the judged→judge import it needs (ignored by name in pyproject.toml's import
contracts), are removed in the next version.
"""

import sys
import warnings

import gritwit_conformance.cli as _moved

warnings.warn(
    "gritwit.cli moved to gritwit_conformance.cli; import that instead "
    "(this alias is removed in the next version)",
    DeprecationWarning,
    stacklevel=2,
)

if __name__ == "__main__":
    raise SystemExit(_moved.main())
sys.modules[__name__] = _moved
