"""Checked writes: a :meth:`Store.batch` block's writes and the checks every write path
shares (chapter *store and refs*).

* objects are stored only under the BLAKE3 id of their bytes (STO-002.1, :func:`_checked`);
* a swap that did not happen raises as REF-003.2 / REF-004.3 order it
  (:func:`_raise_unless_swapped`);
* a ``heads/<actor>`` swap's target is a step of that actor (REF-002.1,
  :func:`_names_its_actor`, :func:`_plain_swap`), checked in the order of REF-007.1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import blake3

from .._codec import Encoded
from .._errors import CorruptObject, GritError, ObjectNotFound, RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Step
from ._backend import Backend, BackendBatch, CasResult, CasStatus
from ._refs import check_head_target, check_ref_name, head_actor, head_ref

__all__ = ["StoreBatch"]


class BatchOwner(Protocol):
    """What a batch asks of its :class:`~._store.Store` (which imports this module)."""

    @property
    def backend(self) -> Backend: ...

    def _insert(
        self, items: list[tuple[ObjectId, bytes]], fresh: set[ObjectId] | None = None
    ) -> None: ...

    def reports_fresh(self) -> bool: ...

    def cas_ref(
        self,
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        *,
        target: GritObject | None = None,
    ) -> None: ...

    def get_object(self, oid: ObjectId) -> GritObject: ...


class StoreBatch:
    """The writes of one :meth:`Store.batch` block: the store's rules, the batch's transaction.

    The checks and errors are those of :meth:`Store.put_encoded` and
    :meth:`Store.cas_ref`, in the order of REF-007.1.
    """

    __slots__ = ("_put", "_store", "_writes")

    def __init__(self, store: BatchOwner, writes: BackendBatch | None) -> None:
        self._store = store
        self._writes = writes
        #: Ids put in this batch: not yet visible outside its transaction.
        self._put: set[ObjectId] = set()

    def put_encoded(
        self, encodings: Iterable[tuple[bytes, ObjectId]], fresh: set[ObjectId] | None = None
    ) -> None:
        """Store objects already encoded (as :meth:`Store.put_encoded`), in this batch;
        ``fresh`` as :meth:`Store.put_encoded_then_cas`'s."""
        items = _checked(encodings)
        if self._writes is None:
            self._store._insert(items)
            return
        if fresh is not None and self._store.reports_fresh():
            added: set[bytes] = set()
            self._writes.insert_many(items, fresh=added)  # type: ignore[call-arg]
            fresh.update(oid for oid, _ in items if oid.digest in added)
        else:
            self._writes.insert_many(items)
        self._put.update(oid for oid, _ in items)

    def cas_ref(
        self,
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        *,
        target: GritObject | None = None,
    ) -> None:
        """Set ref ``name`` to ``new`` if it holds ``expected`` (as :meth:`Store.cas_ref`).

        ``target``, for an id put in this batch, is the object the caller encoded
        under ``new``: it is checked for REF-002.1 as it is, not read back (it is
        not visible outside the batch yet); presence (REF-003.1) is checked by the
        swap itself.  Raises :class:`~gritwit.RefConflict` (``ref-conflict``) with
        ``.current`` on a mismatch, and nothing of this swap changes.
        """
        if self._writes is None:
            self._store.cas_ref(name, expected, new, target=target)
            return
        check_ref_name(name)
        if new is not None and new in self._put and _names_its_actor(name, target):
            pass  # REF-002.1 holds for the step given; REF-003.1 is checked by the swap
        elif new is not None:
            actor = head_actor(name)
            if new not in self._put:
                if not self._store.backend.contains(new):
                    raise ObjectNotFound("REF-003.2", f"{name} cannot point at absent object {new}")
                if actor is not None:
                    target = self._store.get_object(new)
            if actor is not None:
                if target is None:  # put in this batch, but no object given: REF-002.1
                    raise ValueError(f"cas_ref of {name} to {new} put in this batch needs target")
                check_head_target(name, actor, target)
        _raise_unless_swapped(self._writes.cas_ref(name, expected, new), name, expected, new)


def _checked(encodings: Iterable[tuple[bytes, ObjectId]]) -> list[tuple[ObjectId, bytes]]:
    """``(id, bytes)`` items whose ids are the BLAKE3 hashes of their bytes (STO-002.1).

    An :class:`Encoded` pair was hashed by :func:`encode_with_id` when it was made;
    every other pair is hashed here.
    """
    items = []
    for pair in encodings:
        if type(pair) is Encoded:  # indexed: unpacking a tuple subclass takes an iterator
            items.append((pair[1], pair[0]))
            continue
        data, oid = pair
        if blake3.blake3(data).digest() != oid.digest:
            raise CorruptObject("STO-002.1", f"{oid} is not the id of the bytes given for it")
        items.append((oid, data))
    return items


def _raise_unless_swapped(
    result: CasResult, name: str, expected: ObjectId | None, new: ObjectId | None
) -> None:
    """Raise for a swap that did not happen: absent target (REF-003.2) or conflict (REF-004.3)."""
    if result.status is CasStatus.MISSING_TARGET:
        raise ObjectNotFound("REF-003.2", f"{name} cannot point at absent object {new}")
    if result.status is CasStatus.CONFLICT:
        raise RefConflict(
            "REF-004.3", f"{name} is {result.current}, not {expected}", current=result.current
        )


def _plain_swap(name: str, target: GritObject) -> bool:
    """Whether a swap of ``name`` to ``target`` (put with it) needs nothing read back: a
    valid name, and a ``heads/`` ref's target a step of its actor (REF-001, REF-002.1)."""
    try:
        check_ref_name(name)
        actor = head_actor(name)  # remembered: parsed once per name (ID-003)
    except GritError:
        return False
    # A parsed ``heads/`` name is exactly the text form of its actor (ID-003, REF-001.1).
    return actor is None or (type(target) is Step and target.actor == actor)


def _names_its_actor(name: str, target: GritObject | None) -> bool:
    """Whether valid ref name ``name`` is ``heads/<actor>`` of step ``target``'s actor (REF-002.1).

    A valid ``heads/`` name is the prefix and the text form of an id (REF-001.1), so
    it names the step's actor exactly when it equals :func:`head_ref` of it.
    """
    return type(target) is Step and name == head_ref(target.actor)
