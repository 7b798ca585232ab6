"""Cores: the tree that names an actor's Wit and holds its state (WIT-001, WIT-002, WIT-016)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from .._codec import object_id
from .._errors import GritError, UnknownWit
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob, GritObject, Tree
from ..store._refs import head_ref
from ._model import ObjectReader, get_blob

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "FROZEN",
    "FROZEN_ENTRIES",
    "TEST_RUNTIME",
    "WIT",
    "WIT_UPDATE",
    "actor_known",
    "blob_code_name",
    "code_blob",
    "code_core",
    "code_name",
    "core_problem",
    "test_actor_core",
    "wit_blob",
]

WIT: Final = "wit"
WIT_UPDATE: Final = "wit_update"
FROZEN: Final = "frozen"
#: Entries a frozen core keeps unchanged (WIT-016); a revert may not change them (RUN-024.7).
FROZEN_ENTRIES: Final = (WIT, WIT_UPDATE, FROZEN)
#: The one ``runtime`` this version defines (WIT-001.2).
TEST_RUNTIME: Final = "test-actor"


def code_blob(reader: ObjectReader, blob_id: ObjectId, runtime: str, clause: str) -> Blob:
    """The ``wit`` blob ``blob_id`` of a Wit run by ``runtime``: ``unknown-wit`` when it is
    no present blob (WIT-001), or when its ``runtime`` header is another (``clause``)."""
    blob = get_blob(reader, blob_id)
    if blob is None:
        raise UnknownWit("WIT-001", f"{blob_id} is not a present blob")
    if blob.headers.get("runtime") != runtime:
        raise UnknownWit(clause, f"the blob's runtime is not {runtime!r}")
    return blob


def wit_blob(name: str) -> Blob:
    """A ``wit`` (or ``wit_update``) blob naming the test actor ``name`` (WIT-001.2)."""
    return Blob(data=name.encode("utf-8"), headers={"runtime": TEST_RUNTIME})


def code_core(
    wit: Blob, state: Mapping[str, GritObject] | None = None
) -> tuple[Tree, tuple[GritObject, ...]]:
    """A core whose ``wit`` is ``wit``, with ``state`` entries, and the objects it needs, the
    core last: whatever the kind of code (a test actor, a Wasm module, a Python program).

    Its id is the id of the actor it creates (WIT-001.1, WIT-002).
    """
    objects: list[GritObject] = [wit]
    entries = {WIT: object_id(wit)}
    for entry, obj in (state or {}).items():
        objects.append(obj)
        entries[entry] = object_id(obj)
    core = Tree(entries=entries)
    return core, (*objects, core)


def test_actor_core(
    name: str, state: Mapping[str, GritObject] | None = None
) -> tuple[Tree, tuple[GritObject, ...]]:
    """A core running test actor ``name`` with ``state`` entries, and the objects it needs.

    Its id is the id of the actor it creates (WIT-001.1, WIT-002).
    """
    return code_core(wit_blob(name), state)


setattr(test_actor_core, "__test__", False)  # noqa: B010 - a helper, not a pytest test


def core_problem(reader: ObjectReader, core: Tree) -> str | None:
    """Why ``core`` breaks WIT-001.1 or WIT-001.2 (a ``wit`` blob with ``runtime``), or ``None``."""
    entry = core.entries.get(WIT)
    if entry is None:
        return "the core has no 'wit' entry (WIT-001.1)"
    blob = get_blob(reader, entry)
    if blob is None:
        return "the core's 'wit' entry is not a present blob (WIT-001.1)"
    if "runtime" not in blob.headers:
        return "the 'wit' blob has no 'runtime' header (WIT-001.2)"
    return None


def code_name(reader: ObjectReader, blob_id: ObjectId) -> str:
    """The test actor a ``wit``/``wit_update`` blob names; other runtimes → ``unknown-wit``.

    An unknown ``runtime`` breaks WIT-001.3; a blob that names nothing, WIT-001.4.
    """
    return blob_code_name(get_blob(reader, blob_id), blob_id)


def blob_code_name(blob: Blob | None, blob_id: ObjectId) -> str:
    """:func:`code_name` of the blob ``blob_id``, read already (``None``: absent or no blob)."""
    if blob is None:
        raise UnknownWit("WIT-001.4", f"{blob_id} is not a present blob")
    runtime = raw_of(blob.headers).get("runtime")  # a blob's headers are Headers (OBJ-006)
    if runtime != TEST_RUNTIME:
        raise UnknownWit("WIT-001.3", f"runtime {runtime!r:.60} is not known")
    try:
        return blob.data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnknownWit("WIT-001.4", "a test-actor name must be UTF-8") from None


def actor_known(store: Store, actor: ObjectId) -> bool:
    """Whether ``actor`` exists in ``store``, or may yet: it has a head, or the store holds
    a tree with a ``wit`` entry under its id — a core whose genesis was sent, since an
    actor's id is its genesis core's (WIT-002; that core is stored with the genesis
    message that names it, WIT-012).  A message to an id that is neither would wait
    forever: the commands refuse it."""
    if store.get_ref(head_ref(actor)) is not None:
        return True
    if not store.has(actor):
        return False
    try:
        core = store.get_object(actor)
    except GritError:  # erased, corrupt: not a core anyone can start
        return False
    return isinstance(core, Tree) and WIT in core.entries
