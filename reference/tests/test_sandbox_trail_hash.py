"""An inode number is carried on from the directory a path starts from (SBX-006.14).

A descriptor's trail keeps the SHA-256 of its directory's path, so that a name below it
is numbered (SBX-005.11) by hashing that name alone, not the whole path from its preopen
again: the host's work for a name does not grow with the depth of the descriptor it is
looked up from. The numbers are the same either way (SHA-256 fed in pieces is SHA-256 of
the pieces joined), so no run's answers tell the two apart; the bytes hashed do, counted
here through a SHA-256 that tallies what it is fed.
"""

from __future__ import annotations

import hashlib
import types
from typing import Any

import pytest

from gritwit.sandbox.wasi import _fs
from gritwit.sandbox.wasi._fs import Directory, Trail, path_number


class _Tally:
    """The bytes fed to the SHA-256 objects it makes, and their copies."""

    def __init__(self) -> None:
        self.fed = 0

    def sha256(self, data: bytes = b"") -> _Counted:
        return _Counted(self, hashlib.sha256(data), len(data))


class _Counted:
    """A SHA-256 that adds what it is fed to its tally."""

    def __init__(self, tally: _Tally, inner: Any, fed: int) -> None:
        self._tally, self._inner = tally, inner
        tally.fed += fed

    def update(self, data: bytes) -> None:
        self._tally.fed += len(data)
        self._inner.update(data)

    def copy(self) -> _Counted:
        return _Counted(self._tally, self._inner.copy(), 0)

    def digest(self) -> bytes:
        return bytes(self._inner.digest())


@pytest.mark.req("SBX-006.14", "SBX-005.11")
@pytest.mark.parametrize("depth", [1, 8, 200])
def test_a_name_below_a_descriptor_hashes_only_that_name(
    monkeypatch: pytest.MonkeyPatch, depth: int
) -> None:
    """A descriptor ``depth`` levels below ``/core`` (its trail's hash kept, as every
    descriptor's is) numbers ``x`` by hashing ``/x``: 2 bytes, at any depth."""
    tally = _Tally()
    monkeypatch.setattr(_fs, "hashlib", types.SimpleNamespace(sha256=tally.sha256))
    trail = Trail(Directory(), "/core", None).keep_hash()  # a preopen's, as a run makes it
    names = [f"level{i}" for i in range(depth)]
    for name in names:
        trail = Trail(Directory(), name, trail)
    trail.keep_hash()  # a descriptor opened there
    tally.fed = 0
    number = trail.number("x")
    fed, tally.fed = tally.fed, 0
    assert number == path_number("/core/" + "/".join([*names, "x"]))  # the same number …
    assert fed == len(b"/x")  # … from the name alone, not the path from /core again
