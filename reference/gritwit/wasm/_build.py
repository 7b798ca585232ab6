"""Build the Wasm test actors: every ``*.wat`` under ``conformance/wasm`` to ``*.wasm``.

The text format is the source; the binaries sit beside it, committed, so a
runtime without a WAT parser can load them.  The build is deterministic
(wasmtime's ``wat2wasm``), and :func:`build` with ``check=True`` reports every
binary that differs from a fresh build without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._checkout import checkout_root
from ._engine import wat_to_wasm

__all__ = ["BuildReport", "build", "find_wasm_dir"]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What :func:`build` found: sources built, and binaries that were (or would be) rewritten."""

    sources: tuple[Path, ...]
    changed: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        return not self.changed


def find_wasm_dir(start: Path | None = None) -> Path:
    """``conformance/wasm`` of the checkout holding ``start`` (default: the working
    directory), else of the checkout this package runs from (:mod:`gritwit._checkout`).

    An installed package outside a checkout has no sources to build into (the judge's
    installed copy of the actors is read through ``gritwit_conformance.data._paths``):
    :class:`FileNotFoundError`.
    """
    root = checkout_root(start)
    if root is None or not (root / "conformance" / "wasm").is_dir():
        here = (start or Path.cwd()).resolve()
        raise FileNotFoundError(f"no gritwit checkout (with conformance/wasm) above {here}")
    return root / "conformance" / "wasm"


def build(directory: Path, *, check: bool = False) -> BuildReport:
    """Build every ``*.wat`` below ``directory``; with ``check``, only compare."""
    sources = tuple(sorted(directory.rglob("*.wat")))
    changed: list[Path] = []
    for source in sources:
        target = source.with_suffix(".wasm")
        binary = wat_to_wasm(source.read_text(encoding="utf-8"))
        if target.exists() and target.read_bytes() == binary:
            continue
        changed.append(target)
        if not check:
            target.write_bytes(binary)
    return BuildReport(sources, tuple(changed))
