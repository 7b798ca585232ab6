"""A core's walk reads its next objects together, as strictly as one by one (SBX-006.15,
SBX-006.16, STO-003, STO-004, RUN-011, ENC-014.3).

* a blob without headers is decoded by its fixed bytes: every canonical one (the
  independent encoder's bytes) gives its blob, and bytes that differ from a canonical
  encoding anywhere are refused as the plain decoder refuses them, naming its rule;
* ``Store.read_ahead`` on the memory and SQLite stores, for any ids (small and larger
  blobs, trees, absent, erased, corrupt) and any budget, gives exactly what ``get_object``
  gives each id, from the first, stopping before one it fails on and after a tree or the
  object whose bytes pass the budget; a larger object past the stop is never read;
* the mount's count of a flat core of distinct blobs on SQLite reads them a page of ids
  at a time, not one read each, and refuses a core past its bytes bound having held at
  most the bound plus one object;
* a runtime's genesis of such a core reads no blob of it alone.

Work is counted in the backend's reads, never timed; the wall figures are in the module
docstrings the speed-ups cite.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aio import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import encode as oracle_encode

import gritwit as g
from gritwit._codec import decode_bare_blob, decode_object, decode_object_plain
from gritwit._errors import OutputTooLarge
from gritwit._gc_pause import gc_paused
from gritwit.adapter._handler import corrupt_stored_object
from gritwit.runtime import Runtime
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.sandbox._mount import AHEAD, Mounted, count_entries
from gritwit.store import Store, _paging
from gritwit.store._sqlite import SqliteBackend as Backend

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)


def _open(kind: str, folder: Path) -> Store:
    return Store.memory() if kind == "memory" else Store.open(folder / "store")


def _outcome(call: Any) -> object:
    try:
        return call()
    except g.GritError as exc:
        return ("error", type(exc), exc.requirement)


# --- the blob without headers, decoded by its fixed bytes (ENC-014.3) -----------------

#: Data lengths at each width of a byte string's head (ENC-007: 0, 1, 2, 4 bytes after).
_EDGES = [0, 1, 23, 24, 255, 256, 65535, 65536]


@pytest.mark.req("ENC-014.3", "ENC-007.2", "OBJ-008", "OBJ-017.1")
@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=300), st.sampled_from(_EDGES).map(lambda n: b"d" * n)),
    at=st.integers(0, 1 << 20),
    byte=st.integers(0, 255),
    cut=st.sampled_from(["flip", "drop", "add", "none"]),
)
def test_a_bare_blob_decodes_by_its_fixed_bytes_and_nothing_else_does(
    data: bytes, at: int, byte: int, cut: str
) -> None:
    canonical = oracle_encode({"data": data, "type": "blob"})
    assert decode_bare_blob(canonical) == g.Blob(data=data)
    assert decode_object(canonical) == g.Blob(data=data)
    i = at % len(canonical)
    changed = {
        "flip": canonical[:i] + bytes([byte]) + canonical[i + 1 :],
        "drop": canonical[:i] + canonical[i + 1 :],
        "add": canonical[:i] + bytes([byte]) + canonical[i:],
        "none": canonical,
    }[cut]
    plain = _outcome(lambda: decode_object_plain(changed))
    fast = decode_bare_blob(changed)
    if fast is not None:  # only ever a canonical blob's bytes: the plain path agrees
        assert fast == plain, (changed.hex(), plain)
    assert _outcome(lambda: decode_object(changed)) == plain, changed.hex()


@pytest.mark.req("ENC-007.2", "ENC-014.3")
def test_a_bare_blob_with_a_longer_head_than_it_needs_is_refused_naming_its_rule() -> None:
    canonical = oracle_encode({"data": b"x", "type": "blob"})
    longer = canonical[:6] + b"\x58\x01" + canonical[7:]  # the length 1 in one more byte
    assert decode_bare_blob(longer) is None
    with pytest.raises(g.GritError) as info:
        decode_object(longer)
    assert info.value.requirement == "ENC-007.2", info.value


# --- Store.read_ahead: what get_object gives each id, to the first stop ---------------

fates = st.sampled_from(["small", "larger", "tree", "absent", "erased", "corrupt"])


def _object(fate: str, n: int) -> g.GritObject:
    if fate == "tree":
        return g.Tree(entries={f"t{n}": g.object_id(g.Blob(data=b"leaf"))})
    size = 3000 + n if fate == "larger" else n % 300  # larger: past the small ones' 1 KiB
    return g.Blob(data=bytes([n % 251]) * size + n.to_bytes(4, "big"))


#: Each id's fate and a seed, and the read-ahead's byte budget.
_stored_and_asked = given(
    items=st.lists(st.tuples(fates, st.integers(0, 10_000)), min_size=1, max_size=14),
    budget=st.integers(0, 20_000),
)


def _examples(count: int) -> Any:
    """Hypothesis's settings for a read-ahead test: ``count`` examples, each a store."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _expected(store: Store, oids: list[g.ObjectId], budget: int) -> dict[g.ObjectId, Any]:
    """The rule, written from the docstring: each id's get_object from the first, none
    once one fails; the last is a tree or the one whose stored bytes pass the budget."""
    found: dict[g.ObjectId, Any] = {}
    spent = 0
    for oid in oids:
        try:
            obj = store.get_object(oid)
        except g.GritError:
            return found
        found[oid] = obj
        spent += len(store.get(oid))
        if spent > budget or isinstance(obj, g.Tree):
            return found
    return found


@pytest.mark.req("SBX-006.15", "SBX-006.16", "STO-003.2", "STO-004.1", "STO-004.2", "RUN-011")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@_examples(25)
@_stored_and_asked
def test_read_ahead_gives_what_get_object_gives_each_id_to_the_first_stop(
    kind: str, tmp_path_factory: pytest.TempPathFactory, items: list[tuple[str, int]], budget: int
) -> None:
    with _open(kind, tmp_path_factory.mktemp("ahead")) as store:
        _reads_ahead_as_get_object(store, items, budget)


@pytest.mark.req("SBX-006.15", "SBX-006.16", "STO-003.2", "STO-004.1", "STO-004.2", "RUN-011")
@_examples(15)
@_stored_and_asked
def test_read_ahead_on_postgresql_gives_what_get_object_gives_each_id(
    pg_database: str, items: list[tuple[str, int]], budget: int
) -> None:
    """The PostgreSQL store reads ahead too (its ``starts``), by the same rule: a walk
    there read each object of a core in a statement of its own."""
    from gritwit.store import create_schema

    with Store.open(create_schema(pg_database)) as store:
        assert hasattr(store.backend, "starts"), "SBX-006.15: the PostgreSQL store reads ahead"
        _reads_ahead_as_get_object(store, items, budget)


def _reads_ahead_as_get_object(store: Store, items: list[tuple[str, int]], budget: int) -> None:
    """Each id of ``items`` stored as its fate says, then ``read_ahead``: what
    :func:`_expected` says, in order, a larger object read alone only when taken."""
    oids: list[g.ObjectId] = []
    for i, (fate, n) in enumerate(items):
        obj = _object(fate, n * 16 + i)  # distinct objects
        oid = g.object_id(obj)
        if fate != "absent":
            store.put_object(obj)
        if fate == "erased":
            store.backend.erase(oid, "test")
        if fate == "corrupt":
            corrupt_stored_object(store, oid)
        if oid not in oids:
            oids.append(oid)
    asked: list[g.ObjectId] = []
    cls: Any = type(store.backend)
    real = cls.read_many

    def read_many(self: Any, wanted: Any) -> Any:
        wanted = list(wanted)
        asked.extend(wanted)
        return real(self, wanted)

    with mock.patch.object(cls, "read_many", read_many):
        got = store.read_ahead(oids, budget)
    expected = _expected(store, oids, budget)
    assert got == expected, (items, budget)
    assert list(got) == list(expected)  # in order, from the first
    # a larger object is read alone, and only when the plan takes it
    assert set(asked) <= set(expected) | set(oids[len(expected) : len(expected) + 1])


@pytest.mark.req("SBX-006.15")
def test_a_store_without_a_read_ahead_reads_nothing_ahead() -> None:
    class Plain:
        def read(self, oid: g.ObjectId) -> bytes | None:
            raise AssertionError("a backend without starts is not read ahead")

    assert _paging.read_ahead(Plain(), [g.object_id(g.Blob(data=b"x"))], 10) == {}


# --- the mount's count reads a page at a time (SBX-006.15, SBX-006.16) ----------------


def _flat(count: int, size: int = 3) -> tuple[g.Tree, list[g.Blob]]:
    blobs = [g.Blob(data=i.to_bytes(size, "big")) for i in range(count)]
    return g.Tree(entries={f"f{i:05x}": g.object_id(b) for i, b in enumerate(blobs)}), blobs


class _Reads:
    """The backend reads of a SQLite store, counted while in the ``with`` block: single
    ones, and ahead (statements, ids asked, bytes read)."""

    def __init__(self) -> None:
        self.single = self.statements = self.ids = self.bytes = 0
        self._patches: list[Any] = []

    def __enter__(self) -> _Reads:
        real_read, real_starts, real_many = Backend.read, Backend.starts, Backend.read_many

        def read(backend: Any, oid: g.ObjectId) -> bytes | None:
            self.single += 1
            data = real_read(backend, oid)
            self.bytes += len(data or b"")
            return data

        def starts(backend: Any, digests: list[bytes], prefix: int, whole: int) -> Any:
            self.statements += 1
            self.ids += len(digests)
            found = real_starts(backend, digests, prefix, whole)
            self.bytes += sum(len(data) for _, data in found.values())
            return found

        def read_many(backend: Any, oids: Any) -> dict[g.ObjectId, bytes]:
            self.statements += 1
            found = real_many(backend, oids)
            self.bytes += sum(map(len, found.values()))
            return found

        for name, new in (("read", read), ("starts", starts), ("read_many", read_many)):
            patch = mock.patch.object(Backend, name, new)
            patch.start()
            self._patches.append(patch)
        return self

    def __exit__(self, *exc: object) -> None:
        for patch in self._patches:
            patch.stop()


@pytest.mark.req("SBX-006.15", "WIT-007.5")
def test_the_mounts_count_reads_a_flat_core_of_distinct_blobs_a_page_at_a_time(
    tmp_path: Path,
) -> None:
    """3 000 distinct blobs in one tree: each read once, in a handful of reads of pages of
    ids (one ``starts`` a read-ahead of at most AHEAD ids), not 3 000 reads."""
    top, blobs = _flat(3000)
    with Store.open(tmp_path / "store") as store:
        store.put_objects([*blobs, top])
        mounted = Mounted()
        with _Reads() as reads:
            counted = count_entries(store, g.object_id(top), top, mounted, 1 << 18)
        assert counted == 3000
        assert len(mounted.blobs) == 3000
        assert reads.single == 0, reads.single
        assert reads.ids == 3000 and reads.statements <= -(-3000 // AHEAD), vars(reads)


@pytest.mark.req("SBX-006.16", "SBX-006.14")
@pytest.mark.parametrize("size", [100, 3000], ids=["small", "larger"])
def test_a_flat_core_past_its_bytes_bound_is_refused_having_held_the_bound_and_one_more(
    tmp_path: Path, size: int
) -> None:
    """40 distinct blobs of ``size`` bytes, a bound of 10 blobs' worth less one byte: refused
    ``output-too-large`` with at most 11 blobs read and held (the small ones' page is read
    whole with the plan: at most AHEAD of them, never kept past the stop)."""
    top, blobs = _flat(40, size)
    bound = 10 * size - 1
    with Store.open(tmp_path / "store") as store:
        store.put_objects([*blobs, top])
        mounted = Mounted()
        with _Reads() as reads, pytest.raises(OutputTooLarge) as info:
            count_entries(store, g.object_id(top), top, mounted, 1 << 18, bound)
        assert info.value.requirement == "SBX-006.16"
        assert len(mounted.blobs) <= 11, len(mounted.blobs)
        if size > _paging.SMALL:  # a larger object is read only when the plan takes it
            assert reads.bytes <= 11 * (size + 32), reads.bytes


@needs_interpreter
@pytest.mark.req("SBX-006.15", "SBX-006.17", "WIT-007.5", "RUN-005.10")
def test_a_flat_genesis_core_of_distinct_blobs_reads_none_of_them_alone(tmp_path: Path) -> None:
    """A ``python-wasi`` genesis of 2 048 distinct blobs side by side, on SQLite: adopted,
    the bound's walk, the mount and the presence check reading the blobs a page at a time
    (a single read of a blob of the core: none)."""
    from gritwit.adapter._sandbox import program_core

    files: dict[str, g.GritObject] = {
        f"f{i:04x}": g.Blob(data=i.to_bytes(2, "big")) for i in range(2048)
    }
    core, objects = program_core("print(1)\n", files)
    ids = {g.object_id(b) for b in files.values()}
    with Store.open(tmp_path / "store") as store:
        actor = run(Runtime(store, send_commit="own").genesis(core, objects))
        rt = Runtime(store)  # a fresh runtime: its cache holds none of the core
        single: list[g.ObjectId] = []
        real = Backend.read

        def read(backend: Any, oid: g.ObjectId) -> bytes | None:
            single.append(oid)
            return real(backend, oid)

        with mock.patch.object(Backend, "read", read):
            report = run(rt.run_until_quiescent())
        assert not report.failures and rt.head(actor) is not None, report
    assert not ids & set(single), len(ids & set(single))


# --- the collector's pause (see _gc_pause's gate figure) ------------------------------


@pytest.mark.req("SBX-006.15")
def test_the_collector_pause_nests_across_threads_and_keeps_a_disabled_collector_off() -> None:
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with gc_paused():
        assert not gc.isenabled()
        thread.start()
        entered.wait(10)
    assert not gc.isenabled(), "the other thread's pause is still under way"
    leave.set()
    thread.join(10)
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector disabled before stays disabled"
    finally:
        gc.enable()


# --- the runtime's cache: a cached blob erased since is left to its own read (RUN-011.3) --


@pytest.mark.req("RUN-011.3", "SBX-006.15")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_caches_read_ahead_leaves_out_a_cached_blob_erased_since(
    kind: str, tmp_path: Path
) -> None:
    """Blobs read once (so cached), one of them erased in the store afterwards: the
    cache's read-ahead gives the others, held or read, and leaves the erased one to
    ``get_object``, which fails ``erased`` as it would without the cache."""
    from gritwit.runtime._cache import ObjectCache

    blobs = [g.Blob(data=bytes([i]) * 5) for i in range(6)]
    with _open(kind, tmp_path) as store:
        oids = store.put_objects(blobs)
        cache = ObjectCache(store)
        for oid in oids[:4]:
            cache.get_object(oid)  # cached
        store.backend.erase(oids[1], "test")
        got = cache.read_ahead(oids, 1 << 20)
        assert set(got) == set(oids) - {oids[1]}, [oids.index(o) for o in got]
        assert all(got[oid] == blobs[oids.index(oid)] for oid in got)
        with pytest.raises(g.GritError) as info:
            cache.get_object(oids[1])
        assert info.value.requirement == "RUN-011", info.value
