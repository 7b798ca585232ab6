"""Versions: of this package and of the spec it implements (CONV-003)."""

__version__ = "0.4.0.dev0"
#: The spec version in spec/00-conventions.md; vectors record it (CONV-003). A development
#: version (X.Y.Z.devN) while spec/CHANGES.md's Unreleased holds entries (CONV-003.7).
SPEC_VERSION = "0.4.0.dev0"
