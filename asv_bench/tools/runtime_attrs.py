"""The runtime's attributes shared between its modules, and its seams.

Usage (from the repository root)::

    python -m asv_bench.tools.runtime_attrs            # the totals, and the shared names
    python -m asv_bench.tools.runtime_attrs --modules  # each module's names as well

Counts, for each module of ``reference/gritwit/runtime/`` that holds a part of
:class:`~gritwit.runtime.Runtime`, the ``self.<name>`` attributes its code reads or
writes (methods called on ``self`` included: a method of another module is as much a
shared name as a field), and names those used by more than one module: *shared*.  A
name a module both defines (``def`` in its classes) and uses is still counted for it.
Before the runtime was split into modules the mixin chain shared 81 attributes.

The shared names are reported in three kinds: *methods* (defined in some module's
classes), *collaborators* (:data:`COLLABORATORS`: references to parts, set once at
construction and never re-bound, which a part keeps to the parts it works with under
the same name as the runtime does) and *state*, the rest: what a split must still give
an owner.  Of the shared names, those with a leading underscore are counted apart:
*private*.

A part asks another through the public names of a seam (:mod:`gritwit.runtime._seams`,
): the tool also names every private name one of these modules reaches through
an object that is not ``self`` (``self._commits._send_all``, ``scheduler._mark``):
*crossings*, another module's private names used as a door.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

#: The modules whose classes make up a runtime (the mixins, and after the split, its parts).
MODULES = (
    "_runtime",
    "_schedule",
    "_transition",
    "_face",
    "_catchup",
    "_resident",
    "_commit",
    "_disk",
    "_bound",
    "_hints",
)
#: References to parts: objects a runtime (or a part) is given at construction and never
#: re-binds, shared read-only: the store, the object cache, the
#: executor, and the parts (resident actors, run bounds, time bound, head hints, the
#: commit part and its commit group, the routing part and its routing index, the
#: transitions part, the runs' part, and the runs as the other parts mark them, their
#: ``Marks``).
COLLABORATORS = frozenset(
    {
        "_store",
        "_cache",
        "_executor",
        "_residents",
        "_bounds",
        "_time_bound",
        "_hints",
        "_commits",
        "_group",
        "_routing",
        "_index",
        "_transitions",
        "_scheduler",
        "_marks",
    }
)
RUNTIME = Path(__file__).resolve().parents[2] / "reference" / "gritwit" / "runtime"


def self_attributes(source: str) -> set[str]:
    """The names ``n`` of every ``self.n`` in ``source``, read or written."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            names.add(node.attr)
    return names


def crossings(source: str) -> set[str]:
    """The private names ``n`` of every ``x.n`` in ``source`` whose ``x`` is not ``self``:
    another object's private names, reached from outside it (dunders left out)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            names.add(node.attr)
    return names


def crossed(directory: Path = RUNTIME) -> dict[str, set[str]]:
    """Each private name reached through another object, with the modules reaching it."""
    users: dict[str, set[str]] = defaultdict(set)
    for name in MODULES:
        path = directory / f"{name}.py"
        if path.exists():
            for attr in crossings(path.read_text(encoding="utf-8")):
                users[attr].add(name)
    return dict(users)


def methods(source: str) -> set[str]:
    """The names of the functions defined in ``source``'s classes (methods, properties)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(item.name)
    return names


def count(directory: Path = RUNTIME) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each module's ``self`` attributes, and the shared ones with the modules using them."""
    per: dict[str, set[str]] = {}
    for name in MODULES:
        path = directory / f"{name}.py"
        if path.exists():
            per[name] = self_attributes(path.read_text(encoding="utf-8"))
    users: dict[str, set[str]] = defaultdict(set)
    for module, names in per.items():
        for attr in names:
            users[attr].add(module)
    shared = {attr: mods for attr, mods in users.items() if len(mods) > 1}
    return per, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", action="store_true", help="list each module's names")
    options = parser.parse_args()
    per, shared = count()
    defined: set[str] = set()
    for name in per:
        defined |= methods((RUNTIME / f"{name}.py").read_text(encoding="utf-8"))
    every = set().union(*per.values())
    state = {attr for attr in shared if attr not in defined}
    collaborators = state & COLLABORATORS
    state -= COLLABORATORS
    private = sorted(attr for attr in shared if attr.startswith("_"))
    crossings_now = crossed()
    print(f"distinct self attributes: {len(every)} ({len(every - defined)} state)")
    print(
        f"shared: {len(shared)} ({len(shared) - len(state) - len(collaborators)} methods, "
        f"{len(collaborators)} collaborators: {' '.join(sorted(collaborators))}; "
        f"{len(state)} state: {' '.join(sorted(state))})"
    )
    print(f"shared private: {len(private)} ({len(set(private) - COLLABORATORS)} not collaborators)")
    print(
        f"private names reached through another object: {len(crossings_now)}"
        + "".join(
            f"\n    {attr}: {' '.join(sorted(crossings_now[attr]))}"
            for attr in sorted(crossings_now)
        )
    )
    for module, names in per.items():
        print(f"{module}: {len(names)} self attributes")
        if options.modules:
            print("    " + " ".join(sorted(names)))
    print(f"shared by more than one module: {len(shared)}")
    for attr in sorted(shared):
        print(f"    {attr}: {' '.join(sorted(shared[attr]))}")


if __name__ == "__main__":
    main()
