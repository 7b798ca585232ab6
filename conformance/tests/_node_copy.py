"""A copy of the Node example adapter, made where an implementer makes one: outside the clone.

An implementer copies ``conformance/adapters/node/`` into a project of their own and
changes it; the copy must still find the Wasm test actors the installed suite judges
with (ADP-001.5) and claim the spec version written in its one place.  :func:`copy_example`
makes such a copy in a folder of the test's (outside any gritwit checkout), its
``node_modules`` linked to the clone's, and can make one declared change on the way
(:class:`Change`): the one-line bugs the diagnosis is judged with.  A change whose line
is no longer in the example (or is there twice) is refused, so that it never runs as a
copy without its bug.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "adapters" / "node"
#: What an implementer copies: the code, the package files and the README.
COPIED = ("*.mjs", "package.json", "package-lock.json", "README.md")


@dataclass(frozen=True, slots=True)
class Change:
    """One line of one file of the example, replaced."""

    file: str
    line: str
    becomes: str


#: A newcomer's plausible encoder bug: map keys compared as plain strings (JavaScript's `<`, no
#: length rule) where ENC-010 orders them by their encodings. Every encoding the copy
#: makes, and so every id, is then wrong; its strict decoder stays right.
KEYS_AS_PLAIN_STRINGS = Change(
    file="bytes.mjs",
    line="  if (a === b) return 0\n",
    becomes="  return a < b ? -1 : a > b ? 1 : 0 // keys as plain strings, not ENC-010's order\n",
)


def node_or_skip() -> str:
    """The ``node`` executable, with the example's packages installed, or a skip."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the Node.js example adapter cannot run here")
    if not (NODE_DIR / "node_modules").is_dir():
        if npm is None:
            pytest.skip("npm is not installed: cannot install the Node adapter's packages")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=600
        )
    return node


def copy_example(dest: Path, change: Change | None = None) -> Path:
    """Copy the example into ``dest`` (made), apply ``change``; return its ``adapter.mjs``."""
    dest.mkdir(parents=True, exist_ok=True)
    for pattern in COPIED:
        for source in NODE_DIR.glob(pattern):
            shutil.copyfile(source, dest / source.name)
    (dest / "node_modules").symlink_to(NODE_DIR / "node_modules", target_is_directory=True)
    if change is not None:
        path = dest / change.file
        text = path.read_text(encoding="utf-8")
        count = text.count(change.line)
        if count != 1:
            raise AssertionError(
                f"{change.file}: the line {change.line!r} is there {count} times, not once: "
                "the declared change no longer fits the example; update it"
            )
        path.write_text(text.replace(change.line, change.becomes), encoding="utf-8")
    return dest / "adapter.mjs"


def written_spec_version() -> str:
    """The spec version the example's ``adapter.mjs`` writes in its one place."""
    found = re.search(
        r"^const SPEC_VERSION = '([^']+)'$",
        (NODE_DIR / "adapter.mjs").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert found is not None, "adapter.mjs: no `const SPEC_VERSION = '…'` line"
    return found.group(1)


def outside_environment() -> dict[str, str]:
    """The environment of a person's shell: no variable naming the Wasm builds, so the
    copy gets them from the harness (ADP-001.5)."""
    return {k: v for k, v in os.environ.items() if k != "GRITWIT_WASM_DIR"}
