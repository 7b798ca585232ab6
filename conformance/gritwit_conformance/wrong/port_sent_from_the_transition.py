"""Wrong adapter: ``courier`` sends its request itself, a host call (PORT-001.4, PORT-002.2).

The runtime lets a transition reach the world: ``courier`` performs each request it
queues while its transition runs, waits for the answer, and then queues the message to
the port as well, which performs it again once the step is adopted. A request is then
sent before the step that asks for it is adopted (and for an attempt that is never
adopted), on the transition path.
"""

from __future__ import annotations

import contextlib
import urllib.request

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _courier
from gritwit.wit import BuiltinActor, TransitionInput, TransitionOutput
from gritwit.wit._actors import _Out
from gritwit.wit._model import get_blob
from gritwit_conformance.wrong import WrongAdapter, fault, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-001.4", "PORT-002.2"}),
    "failed",
    "courier's transition performs its request itself before its step is adopted",
)

_real = _courier.COURIER.transition


def _host_call(inp: TransitionInput) -> TransitionOutput:
    out = _real(inp)
    for _, item in _Out(inp).messages():
        tree = _Out(inp).tree(item.message.content) if item.mt == "port" else None
        request = None if tree is None else tree.entries.get("request")
        blob = None if request is None else get_blob(inp.objects, request)
        url = "" if blob is None else blob.headers.get("port-url", "")
        if url.startswith("http://127.0.0.1:"):  # the suite's world on loopback only
            method = blob.headers.get("port-method", "GET") if blob is not None else "GET"
            # the bug: the world reached from the transition, which waits for its answer
            with contextlib.suppress(OSError, ValueError):
                urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5)
    return out


def install() -> None:
    wrong = BuiltinActor(
        name="courier",
        description=_courier.COURIER.description,
        transition=fault("_courier.COURIER.transition", _real, _host_call),
        messages=dict(_courier.COURIER.messages),
    )
    actors = {**adapter_runtime.SERVICE_TEST_ACTORS, "courier": wrong}
    patch(adapter_runtime, "SERVICE_TEST_ACTORS", actors)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
