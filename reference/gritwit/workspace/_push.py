"""Push a workspace into a store, and pull an actor's core back to a directory (RUN-026.6).

A push only sends, from the outside (WIT-003): the geneses of new names and the updates
of changed code, in one commit (RUN-001.1); the runtime that runs the store runs them,
like any message.  It never runs a transition and never reads the data of an existing
actor into its state: a workspace's data is initial data only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .._codec import object_id
from .._errors import InvalidRefTarget
from .._ids import ObjectId
from .._objects import Blob, GritObject, Message, Step, Tree
from ..runtime import NAME_ENTRY, bind_names, name_ref
from ..store import Store, head_ref
from ..wit import OutsideSend, outside_entries, read_outside, send_from_outside
from ..wit._cores import FROZEN, WIT
from ._cores import GenesisCore, genesis_core
from ._file import Workspace

__all__ = ["PushLine", "current_core", "pull", "push"]

#: The entry of a Wasm image (WASM-023), reset by an update that changes the module.
IMAGE: Final = "image"
#: The empty image: an empty blob without headers (WASM-023.1).
EMPTY_IMAGE: Final = Blob(data=b"")


@dataclass(frozen=True, slots=True, kw_only=True)
class PushLine:
    """What a push did for one actor: ``created``, ``updated``, ``pending`` (its update
    was sent before and not yet read), ``unchanged``, ``frozen`` (its code differs but its
    core is frozen, WIT-016: nothing sent) or ``taken`` (another actor won the name
    meanwhile); ``note``: a remark, such as data that differs from the genesis."""

    action: str
    name: str
    actor: ObjectId
    note: str = ""

    def __str__(self) -> str:
        return f"{self.action} {self.name} {self.actor}" + (f" ({self.note})" if self.note else "")


def current_core(store: Store, actor: ObjectId) -> Tree:
    """``actor``'s current core: its head step's, or before its first step its genesis core,
    the tree its id names (WIT-002, RUN-026.6)."""
    head = store.get_ref(head_ref(actor))
    step = None if head is None else store.get_object(head)
    core = store.get_object(step.core if isinstance(step, Step) else actor)
    if not isinstance(core, Tree):
        raise InvalidRefTarget("RUN-026.2", f"{actor} names no core: it is no actor")
    return core


def _last_sent(store: Store, actors: list[ObjectId]) -> dict[ObjectId, ObjectId]:
    """The outside's outbox entry, its last message, for each of ``actors`` that has one."""
    entries = outside_entries(store, read_outside(store, actors))
    return {a: entries[a] for a in actors if a in entries}


def _is_update(store: Store, message: ObjectId | None, tree: ObjectId) -> bool:
    """Whether ``message`` is an update whose tree is ``tree`` (RUN-026.6: sent already)."""
    obj = None if message is None else store.get_object(message)
    return isinstance(obj, Message) and obj.content == tree and obj.headers.get("mt") == "update"


def _data_differs(genesis: Tree, wanted: Tree) -> bool:
    """Whether the workspace's data (every entry but the code's) differs from the genesis's."""
    keep = {WIT, NAME_ENTRY}
    return {k: v for k, v in genesis.entries.items() if k not in keep} != {
        k: v for k, v in wanted.entries.items() if k not in keep
    }


def push(
    store: Store,
    workspace: Workspace,
    say: Callable[[PushLine], None] = lambda _: None,
    cores: Sequence[GenesisCore] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[PushLine]:
    """Push ``workspace`` into ``store`` (RUN-026.6); ``say`` hears each actor's line as soon
    as it is known.  Geneses and updates go out in one commit; then the new names are
    bound, each by a compare-and-swap from absent (RUN-026.2).  Nothing is written when
    nothing changed.  ``cores``: the actors' genesis cores built already, in order;
    ``progress`` hears what the push is about to write, before it writes it."""
    sends: list[OutsideSend] = []
    objects: list[GritObject] = []
    lines: list[PushLine] = []
    created: list[tuple[str, ObjectId]] = []
    if cores is None:
        cores = [genesis_core(workspace, actor) for actor in workspace.actors]
    names = [actor.name for actor in workspace.actors]
    bound = {name: store.get_ref(name_ref(name)) for name in names}
    last = _last_sent(store, [a for a in bound.values() if a is not None])
    for name, (core, needed) in zip(names, cores, strict=True):
        actor = bound[name]
        if actor is None:  # RUN-026.6: the genesis first, the name after
            actor = object_id(core)
            sends.append((actor, actor, {"mt": "genesis"}, False))
            objects.extend(needed)
            created.append((name, actor))
            continue
        line = _bound(store, name, actor, core, needed, last.get(actor), sends, objects)
        lines.append(line)
        say(line)
    if sends:
        updates = len(sends) - len(created)
        progress(f"sending {len(created)} genesis and {updates} update message(s), one commit")
        send_from_outside(store, sends, objects)
    if created:
        progress(f"binding {len(created)} name(s), one commit")
    taken = bind_names(store, dict(created)) if created else {}
    for name, actor in created:
        if name in taken:  # ref-conflict: another push took the name meanwhile
            note = f"{name} names actor {taken[name]} (RUN-026.2); this one is unnamed"
            line = PushLine(action="taken", name=name, actor=actor, note=note)
        else:
            line = PushLine(action="created", name=name, actor=actor)
        lines.append(line)
        say(line)
    return lines


def _bound(
    store: Store,
    name: str,
    actor: ObjectId,
    core: Tree,
    needed: tuple[GritObject, ...],
    last: ObjectId | None,
    sends: list[OutsideSend],
    objects: list[GritObject],
) -> PushLine:
    """The line of a bound name; an update added to ``sends`` when its code changed."""
    genesis = store.get_object(actor)
    note = ""
    if isinstance(genesis, Tree) and _data_differs(genesis, core):
        note = "its data differs from the workspace's: data is initial only, state kept"
    current = current_core(store, actor)
    wit = core.entries[WIT]
    if current.entries.get(WIT) == wit:
        return PushLine(action="unchanged", name=name, actor=actor, note=note)
    if FROZEN in current.entries:  # WIT-016: the update would fail frozen-core
        return PushLine(action="frozen", name=name, actor=actor, note="no update sent (WIT-016)")
    entries = {WIT: wit}
    if IMAGE in current.entries:  # WASM-023.2: an image is its module's
        entries[IMAGE] = object_id(EMPTY_IMAGE)
    tree = Tree(entries=entries)
    tree_id = object_id(tree)
    if _is_update(store, last, tree_id):
        return PushLine(action="pending", name=name, actor=actor, note=note)
    objects.extend(obj for obj in needed if object_id(obj) == wit)  # the new code's blob
    objects.extend([EMPTY_IMAGE, tree] if IMAGE in entries else [tree])
    sends.append((actor, tree_id, {"mt": "update"}, False))
    return PushLine(action="updated", name=name, actor=actor, note=note)


def pull(store: Store, actor: ObjectId, directory: Path) -> Iterator[Path]:
    """Write ``actor``'s current core into ``directory``: a tree is a directory, a blob a
    file of its data (its headers are not written).  Yields each path written."""
    stack: list[tuple[ObjectId, Path]] = [(object_id(current_core(store, actor)), directory)]
    while stack:
        oid, path = stack.pop()
        obj = store.get_object(oid)
        if isinstance(obj, Tree):
            path.mkdir(parents=True, exist_ok=True)
            stack.extend(
                (child, path / entry) for entry, child in reversed(list(obj.entries.items()))
            )
        elif isinstance(obj, Blob):
            path.write_bytes(obj.data)
            yield path
