"""Wrong adapter: encoding lets the empty tree name through; decoding still refuses it (OBJ-017).

The encoder's entry check runs on the entries without ``""``, so the two
directions of the codec disagree about one rule.
"""

from __future__ import annotations

from gritwit import _objects
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import patch, run

check_tree_entries = _objects.check_tree_entries


def encoder_check_tree_entries(value: object) -> object:
    if isinstance(value, dict) and "" in value:  # the bug: "" is skipped when encoding
        check_tree_entries({name: oid for name, oid in value.items() if name != ""} or value)
        return value
    return check_tree_entries(value)


def install() -> None:
    # The decoder holds its own reference to check_tree_entries; only the encoder changes.
    patch(_objects, "check_tree_entries", encoder_check_tree_entries)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
