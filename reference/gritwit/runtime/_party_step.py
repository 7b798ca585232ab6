"""A service party's step, built from its table's changes and adopted (TIM-001.4, PORT-001.1).

The timer service and the port build their party's step the same way: the party's core
(its fixed core on the first step, TIM-001.1) with the changes to its table
(:func:`~._party_tables.table_with`), the messages it read and the ones it sends, made a
step as a transition's is (WIT-012) and adopted through the runtime's
:class:`~._door.ServiceDoor`: objects first, then the head by compare-and-swap (RUN-001).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from .._codec import object_id
from .._errors import RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Step, Tree
from ..wit import Assembled, PendingMessage, Send, TransitionInput, assemble
from ..wit._model import transition_output
from ._parties import party_core, party_wit
from ._party_tables import table_with

if TYPE_CHECKING:
    from ._door import ServiceDoor

__all__ = ["PartyPass", "adopt_party_step"]


class PartyPass(Protocol):
    """What a service's pass gathers for its party's step: the sends, the new objects."""

    @property
    def sends(self) -> list[Send]: ...

    @property
    def objects(self) -> list[GritObject]: ...


def adopt_party_step(
    door: ServiceDoor,
    name: str,
    table: str,
    head: tuple[ObjectId | None, Step | None, Tree | None],
    changes: Mapping[str, ObjectId | None],
    pending: Mapping[ObjectId, tuple[PendingMessage, ...]],
    job: PartyPass,
) -> Assembled | None:
    """Build and adopt the step of the service party ``name``, whose core's entry ``table``
    takes ``changes``; it reads all of ``pending`` and sends ``job``'s sends.

    ``head`` is the party's head id, head step and that step's core, as read (``None`` each
    before its first step: its base is then the fixed core, TIM-001.1, stored with its
    ``wit``); the party is the id of that fixed core (TIM-001.1).  New objects are added to
    ``job``'s.  The step adopted, or ``None`` when another writer's step won the swap
    (RUN-002): the caller reads and builds again.
    """
    head_id, last, core = head
    fixed = party_core(name)
    base = fixed if core is None else core
    objects = job.objects
    if core is None:
        objects += [party_wit(name), fixed]
    new_core = table_with(door.reader, base, table, changes, objects)
    objects.append(new_core)
    read = {sender: len(items) for sender, items in pending.items()}
    inp = TransitionInput(
        actor=object_id(fixed), last_step=last, core=base, pending=pending, objects=door.reader
    )
    out = transition_output(new_core, read, tuple(job.sends), tuple(objects))
    built = assemble(inp, out, door.reader, last_id=head_id)
    try:
        door.adopt(built, head_id)
    except RefConflict:
        return None
    return built
