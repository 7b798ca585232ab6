"""Shared helpers of the object suites (chapter *objects*, OBJ-001 … OBJ-018).

Positive vectors are declared as CBOR-level values (``dict`` with ``bytes``
ids) and encoded by the independent encoder of :mod:`._build`; negative ones
start from a valid object and replace, add or drop fields as raw bytes, so
each carries exactly the defect it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import blake3

from . import _build as b

__all__ = ["fake_id", "id_chain", "raw_object", "with_fields"]


def fake_id(label: str) -> bytes:
    """A deterministic 32-byte id for ``label`` (the BLAKE3-256 of a labelled string)."""
    digest: bytes = blake3.blake3(b"gritwit vectors: " + label.encode()).digest()
    return digest


def raw_object(fields: Mapping[str, bytes]) -> bytes:
    """An object map of already encoded field values, keys in canonical order."""
    return b.canonical_map(fields)


def with_fields(
    base: Mapping[str, Any],
    replace: Mapping[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """``base`` (a CBOR-level object) with fields replaced by raw encodings, or dropped."""
    fields = {key: b.encode(value) for key, value in base.items() if key not in drop}
    fields.update(replace or {})
    return raw_object(fields)


def id_chain(leaf: bytes, length: int) -> list[dict[str, Any]]:
    """``length`` trees, the first naming ``leaf``, each next one naming the one before."""
    chain: list[dict[str, Any]] = []
    target = leaf
    for depth in range(length):
        tree = {"type": "tree", "entries": {"leaf" if depth == 0 else "down": target}}
        chain.append(tree)
        target = blake3.blake3(b.encode(tree)).digest()
    return chain
