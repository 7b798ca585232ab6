"""Wrong adapter: a step's saved image counts as output (WASM-026.2).

After a step of an image actor the host charges the new image's blobs to the
step's output limit (1 MiB): an actor whose memory holds more than 1 MiB of
non-zero pages fails every step with ``output-too-large``.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _wits
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-026.2"}),
    "failed",
    "a step's saved image is charged to its output limit: an actor with more than 1 MiB "
    "of non-zero pages fails every step with output-too-large",
    smoke=True,
)


def step(self: _wits.WasmWit, inp: _wits.TransitionInput) -> tuple[Any, Any]:
    host = _wits.StepHost(inp, self.engine.limits)
    image = self._image(inp.core, inp.objects, save=True)
    result = self.engine.call(self.loaded, _wits.EXPORT_STEP, host, image)
    if image is not None:
        image_id, objects = image.saved()
        host._account(sum(len(o.data) for o in objects if isinstance(o, Blob)), 0)  # the bug
        host.core.set((_wits.IMAGE_ENTRY,), image_id)
        host.created.extend(objects)
    return host, result


def install() -> None:
    patch(_wits.WasmWit, "_step", step)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
