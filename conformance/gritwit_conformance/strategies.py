"""Hypothesis strategies for CBOR-subset values and Grit objects (reference tests and suite)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import gritwit as g

ints = st.integers(min_value=-(2**64), max_value=2**64 - 1)
# Bias towards the boundaries of each head width (ENC-007).
boundary_ints = st.sampled_from(
    [0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1]
).flatmap(lambda n: st.sampled_from([n, -1 - n]))
texts = st.text(max_size=40)
scalars = st.one_of(st.booleans(), st.none(), ints, boundary_ints, st.binary(max_size=64), texts)


def values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=6),
            st.dictionaries(texts, children, max_size=6),
        ),
        max_leaves=max_leaves,
    )


object_ids = st.binary(min_size=32, max_size=32).map(g.ObjectId)
optional_ids = st.none() | object_ids
header_maps = st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=12), max_size=4)


def _valid_name(name: str) -> bool:
    return (
        name not in ("", ".", "..")
        and "/" not in name
        and "\x00" not in name
        and len(name.encode("utf-8")) <= 255
    )


names = st.text(min_size=1, max_size=20).filter(_valid_name)

blobs = st.builds(g.Blob, data=st.binary(max_size=300), headers=header_maps)
trees = st.builds(g.Tree, entries=st.dictionaries(names, object_ids, min_size=1, max_size=8))
messages = st.builds(g.Message, content=object_ids, previous=optional_ids, headers=header_maps)
#: Mailboxes without base: one mailbox standing for its map alone (OBJ-019.1, WIT-008.4).
plain_mailboxes = st.builds(
    g.Mailbox, entries=st.dictionaries(object_ids, object_ids, min_size=1, max_size=5)
)
#: Mailboxes with and without base (OBJ-013, OBJ-019).
mailboxes = st.builds(
    g.Mailbox,
    entries=st.dictionaries(object_ids, object_ids, min_size=1, max_size=5),
    base=optional_ids,
)
steps = st.builds(
    g.Step,
    actor=object_ids,
    core=object_ids,
    previous=optional_ids,
    inbox=optional_ids,
    outbox=optional_ids,
)
objects = st.one_of(blobs, trees, messages, mailboxes, steps)
