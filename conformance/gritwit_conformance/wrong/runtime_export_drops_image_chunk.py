"""Wrong adapter: an export leaves out an image's memory chunk (RUN-009.9).

``rt-export`` ships an image actor's history but not the last 64 KiB memory chunk of
its images (WASM-024.4), as an exporter that takes big blobs to travel apart, or to
be there already, would: the bundle lacks an object its head reaches, so no
conforming runtime imports it (RUN-009.2, ``not-found``) and the actor cannot go on.
"""

from __future__ import annotations

from typing import Any

from gritwit import Blob, compute_id, decode_object, decode_value, encode_value
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
# the suite's teleport tests (suite/runtime/test_teleport.py) -----------------------
ROW = WrongAdapter(
    ("runtime", "wasm"),
    frozenset({"RUN-009.1", "RUN-009.7", "RUN-009.9"}),
    "failed",
    "rt-export leaves out the last memory chunk of an image actor's images: the bundle "
    "lacks an object its head reaches, and no runtime can continue the actor",
)

_real_export = adapter_runtime.export_bundle
#: The size of one memory chunk of an image (WASM-024.4).
CHUNK = 65536


def _is_chunk(item: bytes) -> bool:
    obj = decode_object(item)
    return isinstance(obj, Blob) and not obj.headers and len(obj.data) == CHUNK


def export_bundle(store: Any, actor: Any) -> bytes:
    value: Any = decode_value(_real_export(store, actor))
    tag, who, head, objects = value
    chunks = [item for item in objects if _is_chunk(item)]
    if chunks:
        gone = max(chunks, key=lambda item: compute_id(item).digest)
        objects = [item for item in objects if item is not gone]  # the bug
    return encode_value([tag, who, head, objects])


def install() -> None:
    patch(adapter_runtime, "export_bundle", export_bundle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
