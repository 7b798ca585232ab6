"""Wrong adapter: a step's size is judged on the Wit's output before the Wit's rules
(RUN-022.4).

The new objects a transition returns are summed as soon as it returns, and past
``max_step_bytes`` it fails ``step-too-large`` — before its output is checked, so a
frozen core's change of ``wit`` (WIT-016, ``frozen-core``) is reported for its size.
"""

from __future__ import annotations

from typing import Any

from gritwit._codec import encode_object
from gritwit._errors import StepTooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit.wit import _assemble, _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-022.4"}),
    "failed",
    "a transition's new objects are sized as soon as it returns, before its output is "
    "checked: a frozen core's set-code past the bound fails step-too-large, not "
    "frozen-core",
)

_real_init = _runtime.Runtime.__init__
_real_assemble = _assemble.assemble
#: The bound of the runtime last opened (the adapter's rt-run runs one at a time).
_bound: list[int] = []


def init(self: _runtime.Runtime, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    _bound[:] = [self.max_step_bytes]


def assemble(inp: Any, out: Any, reader: Any, **kwargs: Any) -> Any:
    size = sum(len(encode_object(obj)) for obj in out.new_objects)
    if _bound and size > _bound[0]:  # the bug: judged before the Wit's rules
        raise StepTooLarge("RUN-022.3", f"the new objects take {size} bytes")
    return _real_assemble(inp, out, reader, **kwargs)


def install() -> None:
    patch(_runtime.Runtime, "__init__", init)
    patch(_executor, "assemble", assemble)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
