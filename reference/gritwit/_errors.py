"""The error hierarchy of the reference implementation (spec: conventions, CONV-004).

Its classes and their order are described in :mod:`gritwit._error_types`, which defines
them (it imports nothing of gritwit), all but :class:`RefConflict`, which carries an
:class:`~gritwit.ObjectId` and so sits above :mod:`gritwit._ids`; this module gathers
them and names every concrete class (:data:`ERROR_CLASSES`).
"""

from __future__ import annotations

from ._error_types import *  # noqa: F403
from ._error_types import GritError, StoreError
from ._error_types import __all__ as _TYPES
from ._ids import ObjectId

__all__ = ["ERROR_CLASSES", *sorted([*_TYPES, "OutcomeUnknown", "RefConflict"])]


class RefConflict(StoreError):
    """``ref-conflict`` (REF-004); ``current`` is the value the ref held instead."""

    error_class = "ref-conflict"

    def __init__(self, requirement: str, detail: str, *, current: ObjectId | None = None) -> None:
        super().__init__(requirement, detail)
        self.current = current


class OutcomeUnknown(StoreError):
    """``outcome-unknown`` (DUR-006.2): the connection was lost after a write was sent and
    before its answer; it committed or not, whole, and is decided (DUR-006.3).

    ``messages``: the ids of the messages a send from the outside carried in that write,
    for its caller to settle the send by (RUN-019.6); empty for other writes.
    """

    error_class = "outcome-unknown"

    def __init__(
        self, requirement: str, detail: str, *, messages: tuple[ObjectId, ...] = ()
    ) -> None:
        super().__init__(requirement, detail)
        self.messages = messages


def _all_classes() -> dict[str, type[GritError]]:
    found: dict[str, type[GritError]] = {}
    pending: list[type[GritError]] = [GritError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__subclasses__():
            continue  # abstract grouping class, never raised itself
        found[cls.error_class] = cls
    return dict(sorted(found.items()))


#: Every concrete error class, by its stable name (CONV-004).
ERROR_CLASSES: dict[str, type[GritError]] = _all_classes()
