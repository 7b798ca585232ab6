"""Wrong adapter: no 16 MiB limit on an encoded value (ENC-013)."""

from __future__ import annotations

from gritwit import _cbor, _codec
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import patch, run


def install() -> None:
    for module in (_cbor, _codec):
        patch(module, "MAX_SIZE", 1 << 62)  # the bug: effectively unlimited


if __name__ == "__main__":
    run(ReferenceAdapter, install)
