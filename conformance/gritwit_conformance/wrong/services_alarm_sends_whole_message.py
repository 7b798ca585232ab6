"""Wrong adapter: ``alarm`` queues the ``timer`` message's whole content (TIM-008.1).

The test actor sends the timer party a request with the ``request`` blob's headers, but
with the tree it was given (``request`` and ``content``) as the request's content, not
its ``content`` entry: every fire then carries that tree.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _alarm
from gritwit.wit import BuiltinActor, TransitionInput, TransitionOutput
from gritwit.wit._actors import _Out
from gritwit.wit._model import get_blob, queued_send
from gritwit_conformance.wrong import WrongAdapter, fault, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-008.1"}),
    "failed",
    "alarm sends the timer message's whole tree as the request's content",
)


def _wrong_alarm(inp: TransitionInput) -> TransitionOutput:
    out = _Out(inp)
    for _, item in out.messages():
        tree = out.tree(item.message.content) if item.mt == "timer" else None
        request = None if tree is None else tree.entries.get("request")
        blob = None if request is None else get_blob(inp.objects, request)
        if blob is not None and tree is not None and "content" in tree.entries:
            # the bug: the whole tree, not its content entry
            out.sends.append(queued_send(_alarm.TIMER, item.message.content, blob.headers))
    return out.done()


def install() -> None:
    wrong = BuiltinActor(
        name="alarm",
        description=_alarm.ALARM.description,
        transition=fault("_alarm.ALARM.transition", _alarm.ALARM.transition, _wrong_alarm),
        messages=dict(_alarm.ALARM.messages),
    )
    patch(adapter_runtime, "SERVICE_TEST_ACTORS", {"alarm": wrong})


if __name__ == "__main__":
    run(ReferenceAdapter, install)
