"""Build the Wasm test actors: every ``*.wat`` under ``conformance/wasm`` to ``*.wasm``.

The text format is the source; the binaries sit beside it, committed, so a
runtime without a WAT parser can load them.  The build is deterministic
(wasmtime's ``wat2wasm``), and :func:`build` with ``check=True`` reports every
binary that differs from a fresh build without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    """``conformance/wasm`` of the project containing ``start`` (default: the working dir)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "conformance" / "wasm"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no conformance/wasm directory above {here}")


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
