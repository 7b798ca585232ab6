"""The audit log: who did what to which actor, when, and how it ended (HTTP-020).

The log is a chain of blobs in the store, newest first from the ref
``names/gritwit/audit``: each entry names the one before it (``previous``), so an entry
is never rewritten, only a new one put on top by a compare-and-swap of the ref
(HTTP-020.3).  Several services on one store append to the same chain; a swap lost to
another writer is tried again on the new top.  It is durable as any ref is, over SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Final

from .._codec import decode_object
from .._errors import GritError, RefConflict
from .._ids import ObjectId
from .._objects import Blob
from ..store import Store
from ..store._refs import SERVICE_AUDIT_REF

__all__ = ["AUDIT_REF", "AuditEntry", "append", "read"]

#: The ref on the newest entry (HTTP-020.3).
AUDIT_REF: Final = SERVICE_AUDIT_REF
#: Swaps tried before an append gives up (writers on one store race for the top).
_TRIES: Final = 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One action (HTTP-020.1): ``who`` the token's name, ``what`` the method and the
    endpoint's path, ``actor`` the actor named as given (or ``None``), ``status`` and
    ``error_class`` its outcome; ``at`` when it ended (RFC 3339, UTC)."""

    who: str
    what: str
    actor: str | None
    status: int
    error_class: str | None
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "who": self.who,
            "what": self.what,
            "actor": self.actor,
            "status": self.status,
            "class": self.error_class,
            "at": self.at,
        }


def now() -> str:
    """The time now, RFC 3339 in UTC with milliseconds."""
    seconds = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{int(seconds * 1000) % 1000:03d}Z"


def append(store: Store, entry: AuditEntry) -> ObjectId:
    """Put ``entry`` on top of the log (HTTP-020.3); its id."""
    for _ in range(_TRIES):
        top = store.get_ref(AUDIT_REF)
        body = {**entry.to_json(), "previous": None if top is None else top.hex()}
        if not body["at"]:
            body["at"] = now()
        oid = store.put_object(Blob(data=json.dumps(body, sort_keys=True).encode("utf-8")))
        try:
            store.cas_ref(AUDIT_REF, top, oid)
        except RefConflict:
            continue
        return oid
    raise RuntimeError("HTTP-020.3: the audit log's top moved under every try")


def read(store: Store, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` entries, newest first (HTTP-020.2)."""
    found: list[dict[str, Any]] = []
    at = store.get_ref(AUDIT_REF)
    while at is not None and len(found) < limit:
        try:
            blob = decode_object(store.get(at))
        except GritError:
            break
        if not isinstance(blob, Blob):
            break
        body = json.loads(blob.data)
        previous = body.pop("previous", None)
        found.append(body)
        at = None if previous is None else ObjectId.from_hex(previous)
    return found
