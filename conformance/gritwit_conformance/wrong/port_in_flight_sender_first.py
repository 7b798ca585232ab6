"""Wrong adapter: the requests in flight are named sender first (PORT-007.1).

The port records each request in flight under its sender's id followed by its own, and
files it under the first two and next two hex digits of that name, as PORT-007.1 files
a name: a consistent table
that this runtime reads back, but not the one the clause lays out, so another runtime
reading the store finds every request under a name it cannot take apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _party_step, _port
from gritwit.runtime._party_tables import table_items
from gritwit.wit import ObjectReader
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-007.1"}),
    "failed",
    "a request in flight is named by its sender's id followed by its own",
    copied_from=(("gritwit.runtime._port:_read_table", "0fd4d87ad0c2ea59"),),
)


def _read_table(reader: ObjectReader, core: Tree | None) -> dict[_port.Key, ObjectId]:
    table: dict[_port.Key, ObjectId] = {}
    for name, message in table_items(reader, core, "requests"):
        try:  # the bug, read back: the sender first
            sender, rid = ObjectId.from_hex(name[:64]), ObjectId.from_hex(name[64:])
        except ValueError:
            continue
        table[sender, rid] = message
    return table


_real_table_with = _party_step.table_with


def _table_with(
    reader: ObjectReader,
    core: Tree,
    entry: str,
    changes: Mapping[str, ObjectId | None],
    objects: list[GritObject],
) -> Tree:
    if entry == "requests":  # the bug: the sender's id first (and filed by its digits)
        changes = {name[64:] + name[:64]: value for name, value in changes.items()}
    return _real_table_with(reader, core, entry, changes, objects)


def install() -> None:
    patch(_port, "_read_table", _read_table)
    patch(_party_step, "table_with", _table_with)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
