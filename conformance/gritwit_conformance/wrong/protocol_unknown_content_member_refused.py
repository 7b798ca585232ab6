"""Wrong adapter: a content description's members not its own are refused (ADP-004.9).

Pass 1 of ADP-004.8 — the shape of ``wit-send``'s ``content`` — is strict: a blob
description may hold only ``blob`` and ``headers``, a tree description only
``tree``; any other member is ``bad-request``.  So ``{"blob": "00", "note": 1}``
fails where it describes the same blob as ``{"blob": "00"}``, and a lone surrogate in
an ignored member is ``bad-request`` where pass 2 makes it ``invalid-utf8``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _wit
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.9"}),
    "failed",
    "wit-send refuses a content description's members not its own (bad-request)",
)

_check_content_shape = _wit._check_content_shape
_OWN = {"blob": frozenset({"blob", "headers"}), "tree": frozenset({"tree"})}


def strict_shape(description: Any, depth: int) -> None:
    _check_content_shape(description, depth)  # the reference's shape check, then:
    own = _OWN["blob" if "blob" in description else "tree"]
    extra = set(description) - own
    if extra:  # the bug: members not its own are refused, not ignored
        raise BadRequest(f"content has unknown members {sorted(extra)!r:.60}")
    if "tree" in description:
        for item in description["tree"].values():
            strict_shape(item, depth + 1)


def install() -> None:
    patch(_wit, "_check_content_shape", strict_shape)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
