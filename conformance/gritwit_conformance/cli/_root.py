"""The gritwit checkout a command works in: found from the working directory."""

from __future__ import annotations

from pathlib import Path

__all__ = ["project_root"]


def project_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "spec" / "00-conventions.md").is_file():
            return folder
    return None
