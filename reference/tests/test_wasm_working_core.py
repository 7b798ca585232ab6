"""The guest's working copy of its core against a model of nested dicts (WASM-011).

:class:`~gritwit.wasm._core.WorkingCore` keeps ids as digests, copies a tree only on
its first write and builds the new trees without validating them again, in canonical
order.  A model that is plain nested dicts, built back into trees by the validating
:class:`~gritwit.Tree` constructor, must give the same core, the same reads after every
write, and the same answer to every write, whatever sequence of writes the guest makes.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit._objects import MAX_NAME_BYTES
from gritwit.wasm._core import _PATHS as _PARSED
from gritwit.wasm._core import PATH_KEPT_BYTES, PATHS_KEPT, WorkingCore, parse_path
from gritwit.wit import Overlay

#: Names whose canonical order (UTF-8 length, then bytes) is not their code point order.
_NAMES = ("a", "b", "zz", "é", "wit")

Model = dict[str, Any]  # name -> bytes (a blob's data) or Model (a tree)


def _build(model: Model, created: dict[g.ObjectId, g.GritObject]) -> g.ObjectId | None:
    """``model`` as a tree (validated, canonical order), empty trees left out (OBJ-010)."""
    entries: dict[str, g.ObjectId] = {}
    for name, value in model.items():
        if isinstance(value, bytes):
            blob = g.Blob(data=value)
            created[g.object_id(blob)] = blob
            entries[name] = g.object_id(blob)
        else:
            child = _build(value, created)
            if child is not None:
                entries[name] = child
    if not entries:
        return None
    tree = g.Tree(entries=entries)
    created[g.object_id(tree)] = tree
    return g.object_id(tree)


def _parent(model: Model, names: tuple[str, ...], create: bool) -> Model | None:
    for name in names[:-1]:
        child = model.get(name)
        if child is None:
            if not create:
                return None
            child = model[name] = {}
        elif isinstance(child, bytes):
            return None  # a write through a blob (WASM-011.6)
        model = child
    return model


def _read(model: Model, names: tuple[str, ...]) -> bytes | None:
    value: Any = model
    for name in names:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    return value if isinstance(value, bytes) else None


_PATHS = st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3).map(tuple)
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), _PATHS, st.binary(max_size=3)),
        st.tuples(st.just("delete"), _PATHS, st.just(b"")),
        st.tuples(st.just("read"), _PATHS, st.just(b"")),
    ),
    max_size=12,
)


@pytest.mark.req("WASM-011.1", "WASM-011.3", "WASM-011.5", "WASM-011.6", "WASM-011.7")
@settings(max_examples=150, deadline=None)
@given(ops=_OPS)
def test_the_working_core_is_its_model(ops: list[tuple[str, tuple[str, ...], bytes]]) -> None:
    store = g.Store.memory()
    model: Model = {"wit": b"w", "a": {"b": b"1", "é": b"2"}, "zz": b"3"}
    stored: dict[g.ObjectId, g.GritObject] = {}
    core_id = _build(model, stored)
    assert core_id is not None
    for obj in stored.values():
        store.put_object(obj)
    core = store.get_object(core_id)
    assert isinstance(core, g.Tree)
    working = WorkingCore(Overlay(store), core)
    for op, names, data in ops:
        if op == "set":
            parent = _parent(model, names, create=True)
            if parent is not None:
                parent[names[-1]] = data
            blob = g.Blob(data=data)
            assert working.set_new(names, blob, working._reader.add) is (parent is not None)
        elif op == "delete":
            parent = _parent(model, names, create=False)
            present = parent is not None and names[-1] in parent
            if present:
                del parent[names[-1]]  # type: ignore[union-attr]
            assert working.delete(names) is present
        found = working.lookup(names)
        assert (None if found is None else found.data) == _read(model, names)
    expected: dict[g.ObjectId, g.GritObject] = {}
    expected_id = _build(model, expected)
    if expected_id is None:
        with pytest.raises(g.InvalidTransition, match="WIT-015"):
            working.finish()
        return
    new_core, trees = working.finish()
    assert g.object_id(new_core) == expected_id
    assert list(new_core.entries) == list(expected[expected_id].entries)  # type: ignore[union-attr]
    assert all(g.object_id(tree) in expected for tree in trees)
    if not any(op != "read" for op, _, _ in ops):
        assert new_core is core and trees == []  # never written: the input core itself


@pytest.mark.req("WASM-011.6", "WASM-018.4")
def test_a_blob_too_large_is_not_encoded_where_its_path_cannot_take_it() -> None:
    """A path that cannot hold the blob answers ``False`` before anything is encoded."""
    store = g.Store.memory()
    wit = store.put_object(g.Blob(data=b"w"))
    core = g.Tree(entries={"wit": wit})
    overlay = Overlay(store)
    working = WorkingCore(overlay, core)
    added: list[g.GritObject] = []

    def add(obj: g.GritObject) -> g.ObjectId:
        added.append(obj)
        return overlay.add(obj)

    huge = g.Blob(data=bytes(16 * 1024 * 1024))
    assert working.set_new(("wit", "below"), huge, add) is False  # through a blob: no path
    assert working.set_new(("wit", "below"), g.Blob(data=b""), add) is False
    assert added == []  # neither blob was handed over to be encoded
    assert working.set_new(("new", "below"), g.Blob(data=b"x"), add) is True
    assert added == [g.Blob(data=b"x")]
    new_core, _ = working.finish()
    assert set(new_core.entries) == {"wit", "new"}


# --- paths (WASM-008.2): parsed once per distinct path, the same every time ---------------


def _model_path(raw: bytes) -> tuple[str, ...] | None:
    """A path's names (WASM-008.2): UTF-8 names joined by ``/``, each valid (OBJ-011)."""
    try:
        names = tuple(raw.decode("utf-8").split("/"))
    except UnicodeDecodeError:
        return None
    for name in names:
        if not name or name in (".", "..") or "\x00" in name:
            return None
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            return None
    return names


_RAW_PATHS = st.one_of(
    st.binary(max_size=10),
    st.lists(
        st.sampled_from(["a", "é", "wit", ".", "..", "", "a\x00b"]), min_size=1, max_size=3
    ).map(lambda names: "/".join(names).encode("utf-8")),
)


@pytest.mark.req("WASM-008.2", "OBJ-011.1", "OBJ-011.2", "OBJ-011.3")
@settings(max_examples=300, deadline=None)
@given(st.lists(_RAW_PATHS, max_size=6))
def test_a_path_parses_the_same_the_first_time_and_every_later_time(raws: list[bytes]) -> None:
    for raw in raws + raws[::-1]:  # each path at least twice: parsed, then from the cache
        assert parse_path(raw) == _model_path(raw), raw


@pytest.mark.req("WASM-008.2")
def test_the_parsed_paths_kept_are_bounded() -> None:
    _PARSED.clear()
    for index in range(PATHS_KEPT + 10):
        assert parse_path(b"p%d" % index) == (f"p{index}",)
    assert 0 < len(_PARSED) <= PATHS_KEPT
    assert parse_path(b"p0") == ("p0",)  # dropped or not, still right


@pytest.mark.req("WASM-008.2")
def test_only_short_paths_are_kept() -> None:
    _PARSED.clear()
    half = PATH_KEPT_BYTES // 2
    longest = b"x" * (PATH_KEPT_BYTES - half - 1) + b"/" + b"y" * half
    longer = b"x" + longest
    assert len(longest) == PATH_KEPT_BYTES
    assert parse_path(longest) == tuple(longest.decode().split("/"))
    assert parse_path(longer) == tuple(longer.decode().split("/"))
    assert longest in _PARSED
    assert longer not in _PARSED
