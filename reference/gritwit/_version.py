"""Versions: of this package and of the spec it implements (CONV-003).

One number is written by hand, :data:`RELEASE`: the release the tree is, or leads to.
A development version's ``N`` is not written anywhere (CONV-003.8): it is the number
of entries in the *Unreleased* section of ``spec/CHANGES.md``, read from the file, so
``0.4.0.dev83`` names the text that has 83 entries since 0.3.0, every entry added
raises it, and no file needs a hand edit when one is.

This module uses the standard library only and imports nothing of the package: the
build reads :data:`__version__` from it (``pyproject.toml``'s dynamic version) without
importing ``gritwit``, so a built wheel's metadata carries the number the build's
``spec/CHANGES.md`` gave.  An installed package, far from any ``spec/``, reads that
number back from its metadata.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

__all__ = ["RELEASE", "SPEC_VERSION", "__version__", "development_number", "version_for"]

#: The release the tree is, or leads to while *Unreleased* holds entries (CONV-003.7).
#: The one number a release sets by hand.
RELEASE = "0.4.0"

_UNRELEASED = re.compile(r"^##\s+Unreleased\b[^\n]*$", re.MULTILINE | re.IGNORECASE)
_NEXT_SECTION = re.compile(r"^##\s", re.MULTILINE)
_ENTRY = re.compile(r"^- ", re.MULTILINE)


def development_number(changes_md: str) -> int:
    """The entries of ``changes_md``'s *Unreleased* section: its list items (CONV-003.8).

    An entry is a list item, ``- IDs — kind: what``, with its continuation lines; a
    section without the heading has none.
    """
    heading = _UNRELEASED.search(changes_md)
    if heading is None:
        return 0
    following = _NEXT_SECTION.search(changes_md, heading.end())
    section = changes_md[heading.end() : following.start() if following else len(changes_md)]
    return len(_ENTRY.findall(section))


def version_for(release: str, changes_md: str) -> str:
    """``release`` with ``.devN`` while *Unreleased* holds ``N > 0`` entries, else ``release``
    itself (CONV-003.7, CONV-003.8)."""
    entries = development_number(changes_md)
    return f"{release}.dev{entries}" if entries else release


def _changes_file() -> Path | None:
    """``spec/CHANGES.md`` of the tree this package is part of (a checkout, an editable
    install, or an sdist being built); None when installed far from any."""
    path = Path(__file__).resolve().parents[2] / "spec" / "CHANGES.md"
    return path if path.is_file() else None


def _current() -> str:
    changes = _changes_file()
    if changes is not None:
        return version_for(RELEASE, changes.read_text(encoding="utf-8"))
    try:  # an installed wheel: the number its build computed (CONV-003.8)
        return metadata.version("gritwit")
    except metadata.PackageNotFoundError:  # neither: no text to name, so no number
        return f"{RELEASE}.dev0"


__version__ = _current()
#: The spec version: the package's, one number (CONV-003.4); vectors record its
#: release part (CONV-003.8).
SPEC_VERSION = __version__
