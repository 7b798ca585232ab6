"""Where the suite's data is: the golden vectors, the Wasm test actors, the spec.

One answer for every command (``conform``, ``vectors``, ``report``, ``teleport``,
``perf``, ``trace``): a gritwit checkout's own tree first — found above the working
directory, else above the installed package (an editable install runs from one:
:mod:`gritwit._checkout`) — else the copy installed with the package.

The wheel and the sdist carry that copy in ``gritwit_conformance/_data/``, laid out
as the checkout is (``spec/``, ``vectors/``, ``conformance/wasm/`` …; the build step
``conformance/_wheel_data.py`` copies it, :data:`INSTALLED` lists what), so
:attr:`Resources.root` is a checkout's root or the installed data root and every
path below it is the same either way. The two packages themselves are the code of
``reference/gritwit`` and ``conformance/gritwit_conformance``: :meth:`Resources.locate`
maps those two prefixes to wherever the packages are installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import gritwit
from gritwit._checkout import checkout_root

__all__ = [
    "INSTALLED",
    "Resources",
    "ResourcesMissing",
    "data_root",
    "find_resources",
    "spec_dir",
    "vectors_dir",
    "wasm_dir",
]

#: What the wheel carries below ``gritwit_conformance/_data/``, by checkout path: a
#: folder (every file below it) or one file pattern. ``conformance/_wheel_data.py``
#: copies exactly these; ``conformance/tests/test_wheel.py`` checks a built wheel.
INSTALLED: Final = (
    "spec",  # the chapters the reports and trace link to, clauses.json, CHANGES.md, schemas
    "vectors",
    "conformance/wasm",  # the Wasm test actors: .wat sources, .wasm builds, the C agent
    "conformance/inputs.toml",  # gritwit trace --inputs
    "conformance/untestable*.toml",  # gritwit trace: clauses no run can check, with reasons
    "conformance/mutation/evidence.json",  # gritwit trace: the killed mutants per clause
    "reference/tests",  # gritwit trace: the reference's tests cite clauses too (read as text)
    "conformance/tests",  # gritwit trace: so do the tests of the judge's tools
)
_JUDGE: Final = Path(__file__).resolve().parents[1]
_JUDGED: Final = Path(gritwit.__file__).resolve().parent
_PACKAGES: Final = {
    "reference/gritwit": _JUDGED,
    "conformance/gritwit_conformance": _JUDGE,
}


class ResourcesMissing(FileNotFoundError):
    """Neither a checkout nor the installed copy holds the suite's data: a broken install."""


def data_root() -> Path:
    """``gritwit_conformance/_data``: the copy installed with the package (absent in a checkout)."""
    return _JUDGE / "_data"


@dataclass(frozen=True, slots=True, kw_only=True)
class Resources:
    """A tree laid out as a gritwit checkout: a checkout itself, or the installed copy."""

    root: Path
    #: True for the copy installed with the package, False for a checkout's own tree.
    installed: bool

    @property
    def spec(self) -> Path:
        """``spec/``: the chapters (Markdown), ``clauses.json``, ``CHANGES.md``, ``schemas/``."""
        return self.root / "spec"

    @property
    def vectors(self) -> Path:
        """``vectors/``: the golden vectors (CONV-005.1)."""
        return self.root / "vectors"

    @property
    def wasm(self) -> Path:
        """``conformance/wasm/``: the Wasm test actors, sources and builds (WASM-022)."""
        return self.root / "conformance" / "wasm"

    def locate(self, relative: str) -> Path:
        """The path of ``relative`` (a checkout path such as ``reference/gritwit`` or
        ``conformance/inputs.toml``) in this tree: in the installed copy, the two packages'
        own folders are where they are installed."""
        if self.installed:
            for prefix, package in _PACKAGES.items():
                if relative == prefix or relative.startswith(prefix + "/"):
                    return package / relative[len(prefix) :].lstrip("/")
        return self.root / relative

    def name(self, path: Path) -> str:
        """``path`` as a checkout path (the inverse of :meth:`locate`), for messages."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.root.resolve()):
            return resolved.relative_to(self.root.resolve()).as_posix()
        if self.installed:
            for prefix, package in _PACKAGES.items():
                if resolved.is_relative_to(package):
                    return f"{prefix}/{resolved.relative_to(package).as_posix()}".rstrip("/")
        return str(path)


@cache
def _installed() -> Resources | None:
    root = data_root()
    if (root / "spec" / "00-conventions.md").is_file():
        return Resources(root=root, installed=True)
    return None


def find_resources(start: Path | None = None) -> Resources:
    """The checkout holding ``start`` (default: the working directory), else the checkout
    this package runs from, else the installed copy.

    Raises :class:`ResourcesMissing` when there is none of them (a package installed
    without its data: rebuild the wheel from a checkout, ``pip wheel --no-deps .``).
    """
    checkout = checkout_root(start)
    if checkout is not None:
        return Resources(root=checkout, installed=False)
    installed = _installed()
    if installed is not None:
        return installed
    raise ResourcesMissing(
        f"no gritwit checkout above {(start or Path.cwd()).resolve()} and no data installed "
        f"with the package ({data_root()} is missing): reinstall gritwit from its wheel or "
        "sdist (pip wheel --no-deps . in a checkout builds one)"
    )


def vectors_dir(start: Path | None = None) -> Path:
    """The golden vectors: ``vectors/`` of the checkout, else the installed copy."""
    return find_resources(start).vectors


def wasm_dir(start: Path | None = None) -> Path:
    """The Wasm test actors: ``conformance/wasm/`` of the checkout, else the installed copy."""
    return find_resources(start).wasm


def spec_dir(start: Path | None = None) -> Path:
    """The spec: ``spec/`` of the checkout, else the installed copy."""
    return find_resources(start).spec
