"""Wrong adapter: a Wasm actor's ``wit`` blob lacks the header ``abi`` (HTTP-004.1).

``POST /v1/actors`` with ``wasm`` builds the ``wit`` blob with ``runtime: "wasm"`` alone:
the core, so the actor's id, is not the one the clause names, and its first
transition fails ``unknown-wit`` (WASM-001.3).
"""

from __future__ import annotations

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.1"}),
    "failed",
    "a Wasm actor's wit blob is built without the header abi: '1'",
)


def wasm_wit_blob(module: bytes) -> Blob:
    return Blob(data=module, headers={"runtime": "wasm"})  # the bug: no abi


def install() -> None:
    import gritwit.wasm

    patch(gritwit.wasm, "wasm_wit_blob", wasm_wit_blob)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
