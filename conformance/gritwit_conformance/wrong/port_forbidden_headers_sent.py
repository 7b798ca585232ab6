"""Wrong adapter: a request may set the headers the port sets (PORT-005.1).

The port checks a request's header names for their syntax only: an actor's own
``host`` or ``idempotency-key`` is sent beside the port's instead of refused
``port-invalid``.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit.runtime._port_secrets import Secrets
from gritwit.wit import ObjectReader
from gritwit.wit._model import get_blob
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-005.1"}),
    "failed",
    "a request's own host or idempotency-key header is sent, not refused port-invalid",
    copied_from=(("gritwit.runtime._port:_read_headers", "798e766616b04e3e"),),
)


def _read_headers(
    reader: ObjectReader, blob_id: ObjectId | None, secrets: Secrets
) -> tuple[tuple[str, str], ...]:
    if blob_id is None:
        return ()
    blob = get_blob(reader, blob_id)
    if blob is None:
        raise _port._Invalid("port-invalid", "PORT-005.1")
    out = []
    for name, value in sorted(blob.headers.items()):
        low = name.lower()
        if not _port._KEEP_NAME.match(low):  # the bug: no name is the port's own
            raise _port._Invalid("port-invalid", "PORT-005.1")
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
            raise _port._Invalid("port-invalid", "PORT-005.1")
        if secrets.unknown(value):
            raise _port._Invalid("port-invalid", "PORT-009.2")
        out.append((low, value))
    return tuple(out)


def install() -> None:
    patch(_port, "_read_headers", _read_headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
