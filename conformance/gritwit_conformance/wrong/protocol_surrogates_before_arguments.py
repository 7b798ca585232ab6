"""Wrong adapter: ``wit-send`` looks for lone surrogates before its last argument (ADP-004.10).

The lone-surrogate pass of ADP-004.8 runs as soon as ``content`` is read, before
``signal`` is checked: ``mt: "\\ud800"`` with ``signal: "yes"`` answers
``invalid-utf8``, where every argument comes first and the answer is ``bad-request``.
``rt-send`` shares the bug (it parses its arguments with the same function).
"""

from __future__ import annotations

from typing import Any

from gritwit._json import check_text
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter, _runtime, _wit
from gritwit.adapter._args import BadRequest, _id
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.10"}),
    "failed",
    "wit-send and rt-send look for lone surrogates before checking signal",
    copied_from=(("gritwit.adapter._wit:send_args", "66146d39bd6b1e84"),),
)


def send_args(args: dict[str, Any]) -> Any:
    to = _id(args, "to")
    mt = args.get("mt")
    if mt is not None and not isinstance(mt, str):
        raise BadRequest("mt must be a string")
    description = args.get("content")
    _wit._check_content_shape(description, 0)
    check_text([mt, description], "ADP-004.8")  # the bug: before signal, the last argument
    signal = args.get("signal", False)
    if not isinstance(signal, bool):
        raise BadRequest("signal must be a boolean")
    objects: list[GritObject] = []
    content = _wit.content_object(description, objects)
    return to, content, None if mt is None else {"mt": mt}, signal, objects


def install() -> None:
    patch(_wit, "send_args", send_args)
    patch(_runtime, "send_args", send_args)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
