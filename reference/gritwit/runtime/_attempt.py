"""What one attempt of a transition starts from (RUN-004.3, RUN-012.1, RUN-017.3).

:data:`Found` is what is pending for an actor, by sender (WIT-005); an
:class:`Attempt` adds the actor's head, the open group's provisional steps the
attempt is built on (RUN-017.3) and its idle snapshot (RUN-012.1).  The transitions
part makes one (:meth:`Transitions._prepare <._transition.Transitions._prepare>`); a
:data:`FailedAttempt` goes from an inline try to the retries, which count it as the
first (RUN-004.3).  The names are public: they cross the seam between the runs and the
transitions part (:class:`~gritwit.runtime._seams.Attempts`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from .._ids import ObjectId
from .._objects import Step
from ..wit import PendingMessage

__all__ = ["Attempt", "FailedAttempt", "Found", "attempt_of"]

Found = dict[ObjectId, tuple[PendingMessage, ...]]


class Attempt(NamedTuple):
    """What one attempt of a transition starts from (:meth:`Transitions._prepare`).

    A named tuple: immutable, and made at a third of a frozen dataclass's cost.
    """

    actor: ObjectId
    last_id: ObjectId | None
    last: Step | None
    found: Found
    #: The open group's provisional steps it is built on (RUN-017.3).
    basis: frozenset[ObjectId]
    #: The last pending message of each sender: the idle snapshot (RUN-012.1).
    snapshot: tuple[ObjectId, ...]


#: ``Attempt(…)`` from a tuple of its fields, without the generated ``__new__``'s frame.
attempt_of = functools.partial(tuple.__new__, Attempt)

#: A failed attempt and its error (:meth:`Transitions.drive_inline` to :meth:`Transitions.drive`).
FailedAttempt = tuple[Attempt, Exception]
