"""Wrong adapter (open-loop, written from spec/ alone): every file left in /core becomes a blob
without headers, even one the run did not change (SBX-004.3).

SBX-004.3: "A file whose bytes equal the blob written at the same path MUST keep that
blob's id (and so its headers); every other file becomes a blob without headers."  An
implementer who builds the new core by reading the directory back — the natural way
with a real directory — makes every file a headerless blob: a core holding a blob with
headers comes back with another id even when the program touched nothing.
"""

from __future__ import annotations

from typing import Any

from gritwit._codec import encode_object, object_id
from gritwit._objects import Blob, GritObject, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount, _run
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.3"}),
    "failed",
    "every file left in /core becomes a headerless blob, even an unchanged one: a "
    "blob with headers changes id",
)

_TAGGED = Blob(data=b"hello", headers={"content-type": "text/plain"})
_PLAIN = Blob(data=b"plain")
_CORE = Tree(entries={"note": object_id(_TAGGED), "other": object_id(_PLAIN)})
_OBJECTS: list[GritObject] = sorted((_TAGGED, _PLAIN, _CORE), key=lambda o: object_id(o).hex())

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {
        "cmd": "sandbox-run",
        "program": "print(open('note').read())\n",
        "core": object_id(_CORE).hex(),
        "objects": [encode_object(o).hex() for o in _OBJECTS],
    }
]

_unmount_tree = _run.unmount_tree


def _unmount(
    store: Any,
    directory: Any,
    mounted: Any,
    max_bytes: int,
    max_entries: int = _mount.MAX_CORE_ENTRIES,
) -> Any:
    # the bug: what was mounted is forgotten
    return _unmount_tree(store, directory, _mount.Mounted(), max_bytes, max_entries)


def install() -> None:
    patch(_run, "unmount_tree", _unmount)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
