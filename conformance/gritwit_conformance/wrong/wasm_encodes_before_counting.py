"""Wrong adapter: a big write is encoded before its output is counted (WASM-018.4).

``core_set`` hashes the new blob before it looks at the path or counts the output, and
``send`` hashes the message's blob before counting it: a write of the whole 16 MiB
memory fails the step at the encoder (ENC-013.2, class ``failed``) instead of
``output-too-large``, and a 16 MiB write through a blob fails the step instead of
returning -1 (WASM-011.6).  The reference before WASM-018.4 did this.
"""

from __future__ import annotations

from gritwit._codec import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _host
from gritwit.wasm._abi import ABSENT, INVALID
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-018.4"}),
    "failed",
    "core_set and send hash the new blob before counting the output (core_set before "
    "its path too): a 16 MiB write fails at the encoder instead of output-too-large, "
    "and one through a blob fails the step instead of returning -1",
)


def core_set(
    self: _host.StepHost, g: _host.Guest, path: int, path_len: int, data: int, size: int,
    hdrs: int, hdrs_len: int,
) -> int:  # fmt: skip
    names = _host.parse_path(g.take(path, path_len))
    payload, raw_headers = g.take(data, size), g.take(hdrs, hdrs_len)
    headers = _host._headers(raw_headers)
    blob = None if names is None or headers is None else _host._blob(payload, headers)
    if names is None or blob is None:
        return INVALID
    object_id(blob)  # the bug: encoded wherever its path leads, before the count
    if not self.core.set_new(names, blob, self.reader.add):
        return ABSENT
    self.created.append(blob)
    self._account(size + hdrs_len)
    return 0


def send(
    self: _host.StepHost, g: _host.Guest, to: int, to_len: int, hdrs: int, hdrs_len: int,
    data: int, size: int, flags: int,
) -> int:  # fmt: skip
    payload = g.take(data, size)
    parsed = self._send(g, to, to_len, hdrs, hdrs_len, flags)
    if parsed is None:
        return INVALID
    blob = Blob(data=payload)
    content = object_id(blob)  # the bug: hashed before the count
    self.created.append(blob)
    self._queue(parsed, content)
    self._account(size + hdrs_len)
    return 0


def install() -> None:
    patch(_host.StepHost, "_h_core_set", core_set)
    patch(_host.StepHost, "_h_send", send)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
