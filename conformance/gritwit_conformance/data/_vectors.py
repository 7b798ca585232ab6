"""Find and load the golden vectors the suite runs (the files of ``vectors/``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._paths import ResourcesMissing, vectors_dir

__all__ = ["Vector", "find_vectors_dir", "load_vectors"]


@dataclass(frozen=True, slots=True)
class Vector:
    file: str
    kind: str  # "object" | "value" | "hash" | "scenario" | "runtime"
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])


def find_vectors_dir(explicit: Path | None = None) -> Path | None:
    """``explicit`` (``gritwit conform --vectors``), else the checkout's ``vectors/``, else
    the copy installed with the suite (:mod:`._paths`); ``None`` if there is none."""
    if explicit is not None:
        return explicit
    try:
        found = vectors_dir()
    except ResourcesMissing:
        return None
    return found if (found / "encoding.json").is_file() else None


def load_vectors(directory: Path) -> Iterator[Vector]:
    for path in sorted(directory.rglob("*.json")):
        if path.name.endswith(".schema.json"):
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        relative = path.relative_to(directory).as_posix()
        for group in document.get("groups", []):
            for vector in group["vectors"]:
                yield Vector(relative, group["kind"], vector)
