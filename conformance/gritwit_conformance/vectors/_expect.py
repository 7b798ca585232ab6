"""Expected values of valid vectors, written independently of the reference.

* :func:`diagnostic` — RFC 8949 §8 diagnostic notation of a subset value
  (text escaped as in JSON, ASCII only, as RFC 8949 Appendix A writes it);
* :func:`describe` — the JSON description (OBJ-018) of an object given at the
  CBOR level (``dict`` with ``bytes`` ids), following the spec's rules rather
  than calling :func:`gritwit.object_to_json`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["describe", "diagnostic"]

# Id-valued fields of each object type whose absence the description writes as null.
_OPTIONAL_IDS = {
    "message": ("previous",),
    "mailbox": ("base",),
    "step": ("previous", "inbox", "outbox"),
}
_REQUIRED_IDS = {"message": ("content",), "step": ("actor", "core")}


def diagnostic(value: object) -> str:
    """Diagnostic notation of a value of the subset (RFC 8949 §8)."""
    if value is False:
        return "false"
    if value is True:
        return "true"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return f"h'{value.hex()}'"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list):
        return "[" + ", ".join(diagnostic(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{diagnostic(k)}: {diagnostic(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"{type(value).__name__} is not in the subset")


def describe(value: dict[str, Any]) -> dict[str, Any]:
    """The JSON description of a valid object given at the CBOR level (OBJ-018).

    Every field present; absent ids are null; no headers is ``{}``; ids and
    blob data are lowercase hex.
    """
    kind = value["type"]
    out: dict[str, Any] = {"type": kind}
    if kind == "blob":
        out["data"] = value["data"].hex()
    if kind in ("blob", "message"):
        out["headers"] = dict(value.get("headers", {}))
    if kind in ("tree", "mailbox"):
        out["entries"] = {key: oid.hex() for key, oid in value["entries"].items()}
    for name in _REQUIRED_IDS.get(kind, ()):
        out[name] = value[name].hex()
    for name in _OPTIONAL_IDS.get(kind, ()):
        out[name] = value[name].hex() if name in value else None
    return out
