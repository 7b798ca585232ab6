"""Wrong adapter: SHA-256 where the spec says BLAKE3-256 (ID-001).

Both digests are 32 bytes, so every id is well-formed and consistent with
itself — and wrong.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from gritwit import _codec
from gritwit.adapter import ReferenceAdapter, _handler
from gritwit.store import _store
from gritwit_conformance.wrong import patch, run


def install() -> None:
    # ``blake3.blake3(data)`` and ``hashlib.sha256(data)`` share digest() and hexdigest().
    for module in (_codec, _handler, _store):
        patch(module, "blake3", SimpleNamespace(blake3=hashlib.sha256))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
