"""Python files that are no package's module (tools, docs helpers, the Wasm agent's scripts),
imported by path for the tests that read them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(path: Path, name: str) -> ModuleType:
    """The file at ``path`` imported as module ``name``, entered in :data:`sys.modules` first
    (so that its dataclasses, and modules importing it back, find it by that name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
