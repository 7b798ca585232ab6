"""What a runtime shows of an actor after a transition, read through the adapter: its head
step's core (``rt-head``, ``rt-object``) and its failed mark (RUN-004.4, ``rt-ref``); shared
by the tests of a core's bounds where it enters (SBX-006.17, SBX-007.7)."""

from __future__ import annotations

import json
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

__all__ = ["failed_mark", "head_core"]


def head_core(impl: Implementation, runtime: str, actor: str) -> str | None:
    """The core id of ``actor``'s head step, or ``None`` when it has no step."""
    step = impl.call("rt-head", runtime=runtime, actor=actor).expect_ok()["step"]
    if step is None:
        return None
    data = impl.call("rt-object", runtime=runtime, id=step).expect_ok()["bytes"]
    head = g.decode_object(bytes.fromhex(data))
    assert isinstance(head, g.Step), f"the head {step} is not a step"
    return head.core.hex()


def failed_mark(impl: Implementation, runtime: str, actor: str) -> Any:
    """The failed mark's JSON of ``actor`` (RUN-004.4), or ``None`` when it is unmarked."""
    target = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{actor}").expect_ok()
    if target["target"] is None:
        return None
    data = impl.call("rt-object", runtime=runtime, id=target["target"]).expect_ok()["bytes"]
    blob = g.decode_object(bytes.fromhex(data))
    assert isinstance(blob, g.Blob)
    return json.loads(blob.data)
