"""Wrong adapter: a batch entry's empty ``key`` skips the key's check (HTTP-005.7, HTTP-005.3).

The entry's key is checked only when it is truthy (``if key:``), so ``"key": ""``, which
the header's rule refuses (a key has 1 to 255 characters), is taken: the batch is sent
with a message carrying an empty ``idempotency-key``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.7", "HTTP-005.3"}),
    "failed",
    "a batch entry's key of 0 characters is taken, not refused 400",
    copied_from=(("gritwit.serve._actors_api:_check_entry", "4b9d804b876d5dbb"),),
)


def install() -> None:
    from gritwit.serve import _actors_api as api

    def _check_entry(index: int, entry: Any) -> dict[str, Any]:
        where = f"HTTP-005.7: messages[{index}]"
        if not isinstance(entry, dict):
            raise api.bad(f"{where} is not a JSON object")
        unknown = sorted(set(entry) - {*api._SEND_FIELDS, "to", "key"})
        if unknown:
            raise api.bad(f"{where} has a field {unknown[0]!r:.40} the endpoint does not define")
        for name, field in (*api._SEND_FIELDS.items(), ("to", api._TO), ("key", api._KEY)):
            if name not in entry:
                if field.required:
                    raise api.bad(f"{where} lacks the field {name!r}")
            elif not field.check(entry[name]):
                raise api.bad(f"{where}: the field {name!r} must be {field.what}")
        key = entry.get("key")
        if key:  # the bug: an empty key is never checked
            try:
                api.check_key(key)
            except api.BadKey as exc:
                raise api.bad(f"{where}: {exc}") from None
        return entry

    patch(api, "_check_entry", _check_entry)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
