"""Wrong adapter: a durable store keeps its refs in a per-process cache loaded at open (DUR-003).

``ref-cas`` compares ``expected`` with the cache, then writes the new value through to
disk.  Atomic for threads of one process, and every single-writer test passes; a
second process (or a second open of the same path) swaps from a value the first one
already replaced, and both succeed.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import ObjectNotFound, RefConflict
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _optional_id, _str  # type: ignore[attr-defined]
from gritwit.store import check_ref_name
from gritwit.store._refs import check_head_target, head_actor
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"DUR-003"}),
    "failed",
    "refs cached per process at open: a second writer of the same store swaps from a "
    "stale value and both succeed",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[str, dict[str, ObjectId]] = {}

    def _load(self, handle: str) -> None:
        store, path = self._stores[handle]
        if path is not None:
            self._cache[handle] = dict(store.list_ref_targets(""))

    def cmd_store_open(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_store_open(args)
        self._load(answer["store"])
        return answer

    def cmd_store_reopen(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_store_reopen(args)
        self._load(_str(args, "store"))
        return answer

    def cmd_ref_get(self, args: dict[str, Any]) -> dict[str, Any]:
        cache = self._cache.get(_str(args, "store"))
        if cache is None:
            return super().cmd_ref_get(args)
        oid = cache.get(check_ref_name(_str(args, "name")))
        return {"id": None if oid is None else oid.hex()}

    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        cache = self._cache.get(_str(args, "store"))
        if cache is None:
            return super().cmd_ref_cas(args)
        store = self._store(args)
        name = check_ref_name(_str(args, "name"))
        expected, new = _optional_id(args, "expected"), _optional_id(args, "new")
        if new is not None:
            if not store.has(new):
                raise ObjectNotFound("REF-003", f"{name} cannot point at absent object {new}")
            actor = head_actor(name)
            if actor is not None:
                check_head_target(name, actor, store.get_object(new))
        current = cache.get(name)
        if current != expected:  # the bug: compared with this process's cache, not the store
            raise RefConflict("REF-004", f"{name} is {current}", current=current)
        store.cas_ref(name, store.get_ref(name), new)  # written through, blindly
        if new is None:
            cache.pop(name, None)
        else:
            cache[name] = new
        return {}


if __name__ == "__main__":
    run(Adapter)
