"""The build step that puts the suite's data into the wheel (``tool.setuptools.cmdclass``).

The golden vectors, the spec, the Wasm test actors and the files ``gritwit trace`` reads
stay where they are in the checkout (``vectors/``, ``spec/``, ``conformance/wasm/`` …);
this ``build_py`` copies them, laid out the same way, into
``gritwit_conformance/_data/`` of the build, so a wheel (built from the checkout or
from the sdist, whose ``MANIFEST.in`` carries the same files) holds them.
``gritwit_conformance.data._paths.INSTALLED`` lists what is copied; it is read here
from the module's source (the build environment has none of the package's
dependencies, so it cannot import it). An editable install copies nothing: it runs
from the checkout, whose own tree ``data._paths`` finds first.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

from setuptools.command.build_py import build_py

_RESOURCES = Path("conformance", "gritwit_conformance", "data", "_paths.py")
_TARGET = Path("gritwit_conformance", "_data")
_SKIP = {"__pycache__", ".pytest_cache", ".hypothesis", "node_modules"}


def installed_list(root: Path) -> tuple[str, ...]:
    """``INSTALLED`` of ``data/_paths.py``, read from its source."""
    tree = ast.parse((root / _RESOURCES).read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "INSTALLED"
            and node.value is not None
        ):
            value = ast.literal_eval(node.value)
            return tuple(str(item) for item in value)
    raise RuntimeError(f"{_RESOURCES}: no INSTALLED tuple found")


def data_files(root: Path) -> list[Path]:
    """Every file the wheel carries below ``_data/``, relative to the checkout ``root``."""
    found: set[Path] = set()
    for entry in installed_list(root):
        matches = sorted(root.glob(entry))
        if not matches:
            raise RuntimeError(f"{entry}: not in {root}; the wheel would lack it")
        for match in matches:
            files = [match] if match.is_file() else sorted(match.rglob("*"))
            for path in files:
                relative = path.relative_to(root)
                skipped = _SKIP.intersection(relative.parts) or path.suffix in {".pyc", ".pyo"}
                if path.is_file() and not skipped:
                    found.add(relative)
    return sorted(found)


class BuildPyWithData(build_py):  # type: ignore[misc]
    """``build_py``, then the suite's data copied into ``gritwit_conformance/_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for relative in data_files(Path.cwd()):
            target = Path(self.build_lib) / _TARGET / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(relative, target)

    def get_outputs(self, include_bytecode: Any = 1) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        extra = [str(Path(self.build_lib) / _TARGET / p) for p in data_files(Path.cwd())]
        return [*outputs, *extra]
