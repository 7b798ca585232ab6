"""Wrong adapter: ``core_link`` and ``send_object`` of an absent object return -1 (WASM-013.2).

The host looks the named object up when the guest calls, and answers *absent*
(no effect) when it is not there, instead of leaving the check to the step's
output: a step naming an absent object succeeds without the link or the message
rather than failing → ``invalid-transition``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _host
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-013.2"}),
    "failed",
    "core_link and send_object of an absent object return -1 at the call instead of "
    "failing the step's output check: the step succeeds without them",
    smoke=True,
)

_real_link = _host.StepHost._h_core_link
_real_send_object = _host.StepHost._h_send_object


def _absent(host: _host.StepHost, g: Any, oid: int, oid_len: int) -> bool:
    if oid + oid_len > g.size():
        return False
    target = _host._text_id(g.read(oid, oid_len))
    return target is not None and _host._get(host.reader, target) is None


def core_link(
    self: _host.StepHost, g: Any, path: int, path_len: int, oid: int, oid_len: int
) -> int:
    if _absent(self, g, oid, oid_len):
        return _host.ABSENT  # the bug
    return _real_link(self, g, path, path_len, oid, oid_len)


def send_object(self: _host.StepHost, g: Any, *args: int) -> int:
    oid, oid_len = args[4], args[5]
    if _absent(self, g, oid, oid_len):
        return _host.ABSENT  # the bug
    return _real_send_object(self, g, *args)


def install() -> None:
    patch(_host.StepHost, "_h_core_link", core_link)
    patch(_host.StepHost, "_h_send_object", send_object)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
