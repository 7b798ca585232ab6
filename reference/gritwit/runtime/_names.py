"""Actor names (RUN-026): ``names/actors/<name>`` refs naming actors by a key.

An actor's id is the id of its first core (WIT-002), so identical geneses make one actor;
a user names each instance instead, as Orleans, Restate, Temporal and Golem users key
theirs.  A name is a ref of the store whose target is the actor's id (its genesis core,
a tree of the store): bound by a compare-and-swap from absent, so a name is never
silently rebound (RUN-026.2); unbound or rebound only by asking (RUN-026.3); and wherever
an actor id is accepted, text of 64 lowercase hex digits is an id and any other text a
name (RUN-026.4).  Nothing here runs or sends: the store's refs alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from .._errors import InvalidRefName, InvalidRefTarget, ObjectNotFound, RefConflict
from .._ids import ObjectId
from .._objects import Tree
from ..store import Store
from ..store._refs import ACTOR_NAMES_PREFIX, actor_name_of, actor_name_ref

__all__ = [
    "MAX_ACTOR_NAME",
    "NAME_ENTRY",
    "ACTOR_NAMES_PREFIX",
    "actor_names",
    "bind_name",
    "bind_names",
    "check_name",
    "name_ref",
    "names_of",
    "rebind_name",
    "resolve_actor",
    "unbind_name",
]

#: The longest name, in characters (and bytes: a name is ASCII, RUN-026.1).
MAX_ACTOR_NAME: Final = 64
#: The genesis core entry that holds an instance's name (RUN-026.5).
NAME_ENTRY: Final = "name"

_NAME: Final = re.compile(rf"[a-z0-9][a-z0-9._-]{{0,{MAX_ACTOR_NAME - 1}}}", re.ASCII)
_ID_TEXT: Final = re.compile(r"[0-9a-f]{64}", re.ASCII)


def check_name(name: object) -> str:
    """``name`` if it is an actor name (RUN-026.1), else ``invalid-ref-name``.

    1 to 64 characters, the first of ``a-z0-9``, the rest of ``a-z0-9._-``, and never 64
    lowercase hex digits, which is an id's text form (ID-003): a name can never be read
    as an id, nor an id as a name.
    """
    if type(name) is not str:
        raise InvalidRefName("RUN-026.1", f"an actor name is text, not {type(name).__name__}")
    if _ID_TEXT.fullmatch(name):
        raise InvalidRefName("RUN-026.1", f"{name} is an actor id's text form, not a name")
    if _NAME.fullmatch(name) is None:
        raise InvalidRefName(
            "RUN-026.1",
            f"{name!r:.80} is not an actor name: 1 to {MAX_ACTOR_NAME} of a-z 0-9 . _ -, "
            "the first a letter or digit",
        )
    return name


def is_id_text(text: str) -> bool:
    """Whether ``text`` is an id's text form, 64 lowercase hex digits (ID-003): where an
    interface takes an id or a name, such text is an id and never a name (RUN-026.4)."""
    return type(text) is str and _ID_TEXT.fullmatch(text) is not None


def name_ref(name: str) -> str:
    """The ref that binds ``name``: ``names/actors/<name>`` (RUN-026.2)."""
    return actor_name_ref(check_name(name))


def resolve_actor(store: Store, text: str) -> ObjectId:
    """The actor ``text`` names: an id when it is 64 lowercase hex digits, else the actor
    bound to the name (RUN-026.4).

    An id is returned as it is (whether the actor exists is the caller's question, as
    everywhere an id is accepted); a name that is no valid name is ``invalid-ref-name``
    (RUN-026.1), one bound to nothing ``not-found`` (RUN-026.4).
    """
    if type(text) is str and _ID_TEXT.fullmatch(text):
        return ObjectId.from_hex(text)
    target = store.get_ref(name_ref(text))
    if target is None:
        raise ObjectNotFound("RUN-026.4", f"no actor is named {text!r:.80}")
    return target


def _check_actor(store: Store, actor: ObjectId) -> None:
    """A name's target is an actor id: a tree of the store, its genesis core (RUN-026.2)."""
    if not store.has(actor):
        raise ObjectNotFound("RUN-026.2", f"a name cannot bind absent object {actor}")
    if type(store.get_object(actor)) is not Tree:
        raise InvalidRefTarget("RUN-026.2", f"{actor} is no core (a tree): it names no actor")


def bind_name(store: Store, name: str, actor: ObjectId) -> None:
    """Bind ``name`` to ``actor`` by a compare-and-swap from absent (RUN-026.2).

    Bound to ``actor`` already: nothing changes.  Bound to another actor, before or by a
    concurrent binder that won the swap: ``ref-conflict`` naming the clause, with
    ``.current`` the actor it names; nothing changes.
    """
    ref = name_ref(name)
    _check_actor(store, actor)
    current = store.get_ref(ref)
    while current is None:  # again when a rival bound and unbound it between our reads
        try:
            store.cas_ref(ref, None, actor)
            return
        except RefConflict as exc:
            current = exc.current
    if current != actor:
        raise RefConflict(
            "RUN-026.2",
            f"{name} names actor {current}, not {actor}: unbind it first",
            current=current,
        )


def bind_names(store: Store, bindings: Mapping[str, ObjectId]) -> dict[str, ObjectId]:
    """Bind each name of ``bindings`` to its actor as :func:`bind_name` does (RUN-026.2), all
    in one commit where the store batches writes: one sync for a workspace's many names.

    Returns the names that name another actor (``ref-conflict``), each with the actor it
    names; those are left as they were, and the others bound.  A name or actor that
    breaks RUN-026.1 or RUN-026.2 raises before anything is written.
    """
    refs = {name: name_ref(name) for name in bindings}
    for actor in bindings.values():
        _check_actor(store, actor)
    taken: dict[str, ObjectId] = {}
    with store.batch() as batch:
        for name, actor in bindings.items():
            try:
                batch.cas_ref(refs[name], None, actor)
            except RefConflict as exc:
                if exc.current != actor and exc.current is not None:
                    taken[name] = exc.current
    return taken


def rebind_name(store: Store, name: str, old: ObjectId, new: ObjectId) -> None:
    """Move ``name`` from ``old`` to ``new``, explicitly (RUN-026.3); ``ref-conflict`` when it
    does not name ``old``."""
    check_name(name)  # a bad name is refused before the target is read (RUN-026.1)
    _check_actor(store, new)
    _swap_name(store, name, old, new)


def unbind_name(store: Store, name: str, actor: ObjectId) -> None:
    """Remove ``name`` if it names ``actor`` (RUN-026.3); the actor itself stays, under its id;
    ``ref-conflict`` when the name names another actor or none."""
    _swap_name(store, name, actor, None)


def _swap_name(store: Store, name: str, old: ObjectId, new: ObjectId | None) -> None:
    """Swap ``name`` from ``old`` to ``new`` (``None``: unbound); ``ref-conflict`` naming
    RUN-026.3 when it does not name ``old``."""
    try:
        store.cas_ref(name_ref(name), old, new)
    except RefConflict as exc:
        raise RefConflict(
            "RUN-026.3", f"{name} names {exc.current}, not {old}", current=exc.current
        ) from None


def actor_names(store: Store) -> dict[str, ObjectId]:
    """Every bound name and its target, in bytewise order of the names (REF-006).

    Only refs ``names/actors/<name>`` whose rest is a name (RUN-026.1) bind one: a ref
    under the prefix set by a tool that does not bind (holding ``/``, upper case) is no
    name and is left out (HTTP-015.4); a target is listed as its ref holds it.
    """
    found: dict[str, ObjectId] = {}
    for ref, actor in store.list_ref_targets(ACTOR_NAMES_PREFIX):
        name = actor_name_of(ref)
        if name is not None and _NAME.fullmatch(name) and _ID_TEXT.fullmatch(name) is None:
            found[name] = actor
    return found


def names_of(store: Store, actor: ObjectId) -> list[str]:
    """The names bound to ``actor``, in bytewise order (none: ``[]``)."""
    return [name for name, target in actor_names(store).items() if target == actor]
