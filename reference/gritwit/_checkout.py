"""The gritwit checkout this runs in, if any: a checkout's own tree comes first.

A *checkout* is a directory holding ``pyproject.toml``, ``reference/gritwit/`` and
``spec/00-conventions.md``. :func:`checkout_root` finds it above the working directory
(or ``start``), else above this package (an editable install runs from one), else
answers ``None``: an installed package run outside any checkout, which then uses the
copies installed with it (``gritwit._schemas`` for the normative schemas,
``gritwit_conformance.data._paths`` for the judge's data).

The reference never imports the judge: this module is the reference's half of the
lookup, and the judge's ``data._paths`` builds on it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["checkout_root", "is_checkout", "package_checkout", "working_checkout"]


def is_checkout(folder: Path) -> bool:
    """Whether ``folder`` is the root of a gritwit checkout."""
    return (
        (folder / "pyproject.toml").is_file()
        and (folder / "reference" / "gritwit").is_dir()
        and (folder / "spec" / "00-conventions.md").is_file()
    )


def working_checkout(start: Path | None = None) -> Path | None:
    """The checkout holding ``start`` (default: the working directory), or ``None``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_checkout(folder):
            return folder
    return None


def package_checkout() -> Path | None:
    """The checkout this package runs from (an editable install), or ``None`` (installed)."""
    root = Path(__file__).resolve().parents[2]
    return root if is_checkout(root) else None


def checkout_root(start: Path | None = None) -> Path | None:
    """The checkout above ``start`` (default: the working directory), else this package's."""
    return working_checkout(start) or package_checkout()
