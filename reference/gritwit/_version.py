"""Versions: of this package and of the spec it implements (CONV-003)."""

__version__ = "0.3.0"
#: The spec version in spec/00-conventions.md; vectors record it (CONV-003).
SPEC_VERSION = "0.3.0"
