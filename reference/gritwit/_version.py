"""Versions: of this package and of the spec it implements (CONV-003).

One number is written by hand, :data:`RELEASE`: the release the tree is, or leads to.
A development version, ``X.Y.Z.devN+tH``, is not written anywhere (CONV-003.8): ``N``
is the number of entries in the *Unreleased* section of ``spec/CHANGES.md`` and ``H``
the first 12 hex digits of a SHA-256 of the text of ``spec/`` (:func:`text_digest`: the
chapters, the schemas and that section), both read from the files.  So
``0.4.0.dev83+t1f2e3d4c5b6a`` names the text that has 83 entries since 0.3.0 and those
words: an entry added raises ``N``, and rewording an entry or a chapter changes ``H``.
No file needs a hand edit when either happens.  ``+tH`` is a PEP 440 local version
label (``t`` for text): pip and setuptools take it, PyPI would not (gritwit is not
published there, and a release carries no label).

This module uses the standard library only and imports nothing of the package: the
build reads :data:`__version__` from it (``pyproject.toml``'s dynamic version) without
importing ``gritwit``, so a built wheel's metadata carries the version the build's
``spec/`` gave.  An installed package, far from any ``spec/``, reads that version back
from its metadata; the wheel carries the same ``spec/`` (below
``gritwit_conformance/_data/``), whose digest is the same.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = [
    "DEVELOPMENT_FORM",
    "DIGEST_DIGITS",
    "RELEASE",
    "SPEC_VERSION",
    "__version__",
    "development_number",
    "text_digest",
    "unreleased_section",
    "version_for",
]

#: The release the tree is, or leads to while *Unreleased* holds entries (CONV-003.7).
#: The one number a release sets by hand.
RELEASE = "0.4.0"

#: A development version (CONV-003.7, CONV-003.8): the release, ``.devN``, and the text's
#: label ``+t`` with 12 lowercase hex digits.  ``gritwit_conformance.data._versions``
#: reads the same form (a test keeps the two alike).
DEVELOPMENT_FORM = re.compile(r"(\d+\.\d+\.\d+)\.dev(\d+)\+t([0-9a-f]{12})")
#: Hex digits of the text's digest in the label: 48 bits, so two texts of one ``N``
#: share a label by chance about once in 10^14 pairs.
DIGEST_DIGITS = 12

_UNRELEASED = re.compile(r"^##\s+Unreleased\b[^\n]*$", re.MULTILINE | re.IGNORECASE)
_NEXT_SECTION = re.compile(r"^##\s", re.MULTILINE)
_ENTRY = re.compile(r"^- ", re.MULTILINE)


def unreleased_section(changes_md: str) -> str:
    """The *Unreleased* section of ``changes_md``, heading excluded ('' without one)."""
    heading = _UNRELEASED.search(changes_md)
    if heading is None:
        return ""
    following = _NEXT_SECTION.search(changes_md, heading.end())
    return changes_md[heading.end() : following.start() if following else len(changes_md)]


def development_number(changes_md: str) -> int:
    """The entries of ``changes_md``'s *Unreleased* section: its list items (CONV-003.8).

    An entry is a list item, ``- IDs — kind: what``, with its continuation lines; a
    section without the heading has none.
    """
    return len(_ENTRY.findall(unreleased_section(changes_md)))


def _lines(data: bytes) -> bytes:
    """``data`` with CRLF line ends made LF: a checkout on Windows names the same text."""
    return data.replace(b"\r\n", b"\n")


def text_digest(spec_dir: Path) -> str:
    """The label's digest of the text of ``spec_dir`` (CONV-003.8): 12 hex digits of a
    SHA-256 over each chapter (``NN-*.md``), each schema (``schemas/*.json``), by name,
    and the *Unreleased* section of ``CHANGES.md``.

    Each file counts with its name, byte for byte but for its line ends; the records
    ``gritwit trace`` keeps (``clauses.json``, ``citations.json``) and the released
    sections of ``CHANGES.md`` are no part of it: they change only when a release
    does, and a release carries no label.
    """
    digest = hashlib.sha256(b"gritwit spec text 1\0")
    files = sorted(spec_dir.glob("[0-9][0-9]-*.md")) + sorted(spec_dir.glob("schemas/*.json"))
    for path in files:
        name = path.relative_to(spec_dir).as_posix().encode()
        data = _lines(path.read_bytes())
        digest.update(b"%s\0%d\0" % (name, len(data)))
        digest.update(data)
    changes = _lines((spec_dir / "CHANGES.md").read_bytes()).decode("utf-8")
    section = unreleased_section(changes).encode("utf-8")
    digest.update(b"CHANGES.md#unreleased\0%d\0" % len(section))
    digest.update(section)
    return digest.hexdigest()[:DIGEST_DIGITS]


def version_for(release: str, changes_md: str, digest: str | None = None) -> str:
    """``release`` with ``.devN`` while *Unreleased* holds ``N > 0`` entries, and the
    text's label ``+t<digest>`` when ``digest`` is given; else ``release`` itself
    (CONV-003.7, CONV-003.8)."""
    entries = development_number(changes_md)
    if not entries:
        return release
    return f"{release}.dev{entries}" + (f"+t{digest}" if digest else "")


def _spec_dir() -> Path | None:
    """``spec/`` of the tree this package is part of (a checkout, an editable install,
    or an sdist being built); None when installed far from any."""
    path = Path(__file__).resolve().parents[2] / "spec"
    return path if (path / "CHANGES.md").is_file() else None


def _current() -> str:
    spec = _spec_dir()
    if spec is not None:
        changes = _lines((spec / "CHANGES.md").read_bytes()).decode("utf-8")
        return version_for(RELEASE, changes, text_digest(spec))
    from importlib import metadata  # an installed wheel only: 40 ms an import elsewhere

    try:  # an installed wheel: the version its build computed (CONV-003.8)
        return metadata.version("gritwit")
    except metadata.PackageNotFoundError:  # neither: no text to name, so no number
        return f"{RELEASE}.dev0"


__version__ = _current()
#: The spec version: the package's, one number (CONV-003.4); vectors record its
#: release part (CONV-003.8).
SPEC_VERSION = __version__
