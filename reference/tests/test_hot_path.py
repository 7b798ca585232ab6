"""The hot path does each piece of work once, counted so that a regression fails.

* an object this process builds is encoded and hashed once (ID-001) and stored
  without being hashed again; a ``(bytes, id)`` pair from anywhere else is still
  hashed and refused under another id (STO-002.1);
* a transition's objects are not read back or decoded after they are written,
  and an unchanged core is not written again;
* :meth:`Store.put_encoded_then_cas` gives the errors of the two calls in turn on
  every backend, one without the combined write included (RUN-001, REF-002, REF-004);
* a ref name found valid, and the actor of a ``heads/`` name, are remembered: a
  remembered answer is the one the grammar gives (REF-001.1, ID-003).
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import blake3
import pytest
from aio import run
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit._codec import Encoded
from gritwit.runtime import Runtime
from gritwit.store import CasResult, _refs
from gritwit.store._refs import check_ref_name, head_actor
from gritwit.wit import test_actor_core


def _digest(data: bytes) -> bytes:
    return bytes(blake3.blake3(data).digest())


@pytest.mark.req("ID-001")
def test_encode_with_id_pairs_the_encoding_with_its_hash() -> None:
    blob = g.Blob(data=b"17", headers={"mt": "inc"})
    pair = g.encode_with_id(blob)
    assert isinstance(pair, Encoded)
    data, oid = pair
    assert data == g.encode_object(blob)
    assert oid.digest == _digest(data)
    assert pair == (data, oid)  # still the plain pair callers unpack


@pytest.mark.req("STO-002.1")
def test_an_encoded_pair_cannot_be_made_but_by_encode_with_id() -> None:
    data, oid = g.encode_with_id(g.Blob(data=b"a"))
    with pytest.raises(TypeError):
        Encoded((g.encode_object(g.Blob(data=b"b")), oid))
    with pytest.raises(TypeError):
        Encoded(data, oid)


class _Hashes:
    """Every BLAKE3 hash computed while installed, by input bytes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.by_input: collections.Counter[bytes] = collections.Counter()
        real = blake3.blake3

        def counted(data: bytes = b"", *args: Any, **kwargs: Any) -> Any:
            self.by_input[bytes(data)] += 1
            return real(data, *args, **kwargs)

        monkeypatch.setattr(blake3, "blake3", counted)


def _store(backend: str, tmp_path: Path) -> g.Store:
    if backend == "memory":
        return g.Store.memory()
    if backend == "sqlite":
        return g.Store.open(tmp_path)
    return g.Store(_ProtocolOnly(g.Store.memory().backend))


@pytest.mark.req("STO-002.1")
@pytest.mark.parametrize("backend", ["memory", "sqlite", "protocol-only"])
def test_only_a_pair_from_encode_with_id_skips_the_hash(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(backend, tmp_path)
    built = g.encode_with_id(g.Blob(data=b"built here"))
    outside = g.encode_object(g.Blob(data=b"from outside"))
    outside_id = g.ObjectId(_digest(outside))
    hashes = _Hashes(monkeypatch)
    store.put_encoded([built, (outside, outside_id)])
    assert hashes.by_input == {outside: 1}
    assert store.get(built[1]) == built[0] and store.get(outside_id) == outside
    store.close()


@pytest.mark.req("STO-002.1")
@pytest.mark.parametrize("backend", ["memory", "sqlite", "protocol-only"])
def test_put_encoded_then_cas_refuses_a_plain_pair_under_another_id(
    backend: str, tmp_path: Path
) -> None:
    store = _store(backend, tmp_path)
    good, bad = g.Blob(data=b"good"), g.Blob(data=b"bad")
    good_id = g.object_id(good)
    forged = (g.encode_object(bad), good_id)  # bytes of ``bad`` under the id of ``good``
    with pytest.raises(g.GritError) as caught:
        store.put_encoded_then_cas([forged], "names/x", None, good_id, target=good)
    assert caught.value.error_class == "corrupt-object"
    assert not store.has(good_id)
    assert not store.has(g.object_id(bad))
    assert store.get_ref("names/x") is None
    store.close()


class _ProtocolOnly:
    """A backend with the :class:`~gritwit.store.Backend` methods only: no combined writes."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def insert(self, oid: g.ObjectId, data: bytes) -> None:
        self._inner.insert(oid, data)

    def read(self, oid: g.ObjectId) -> bytes | None:
        return self._inner.read(oid)  # type: ignore[no-any-return]

    def contains(self, oid: g.ObjectId) -> bool:
        return self._inner.contains(oid)  # type: ignore[no-any-return]

    def ids(self) -> Iterator[g.ObjectId]:
        return self._inner.ids()  # type: ignore[no-any-return]

    def erase(self, oid: g.ObjectId, reason: str) -> bool:
        return self._inner.erase(oid, reason)  # type: ignore[no-any-return]

    def tombstone(self, oid: g.ObjectId) -> str | None:
        return self._inner.tombstone(oid)  # type: ignore[no-any-return]

    def get_ref(self, name: str) -> g.ObjectId | None:
        return self._inner.get_ref(name)  # type: ignore[no-any-return]

    def cas_ref(self, name: str, expected: g.ObjectId | None, new: g.ObjectId | None) -> CasResult:
        return self._inner.cas_ref(name, expected, new)  # type: ignore[no-any-return]

    def list_refs(self, prefix: str) -> list[tuple[str, g.ObjectId]]:
        return self._inner.list_refs(prefix)  # type: ignore[no-any-return]

    def close(self) -> None:
        self._inner.close()


@pytest.mark.req("RUN-001.1", "RUN-001.2", "REF-002.1", "REF-003.1", "REF-004.3", "STO-002")
@pytest.mark.parametrize("backend", ["memory", "sqlite", "protocol-only"])
def test_put_encoded_then_cas_errs_as_the_two_calls(backend: str, tmp_path: Path) -> None:
    store = _store(backend, tmp_path)
    core, objects = test_actor_core("echo")
    store.put_objects(list(objects))
    actor = g.object_id(core)
    step = g.Step(actor=actor, core=actor)
    encodings = [g.encode_with_id(core), g.encode_with_id(step)]
    step_id = encodings[1][1]
    name = "heads/" + actor.hex()
    with pytest.raises(g.RefConflict) as lost:  # the head is not what was expected …
        store.put_encoded_then_cas(encodings, name, step_id, step_id, target=step)
    assert lost.value.current is None
    assert store.has(step_id) and store.has(actor)  # … and the objects are stored all the same
    assert store.get_ref(name) is None
    store.put_encoded_then_cas(encodings, name, None, step_id, target=step)
    assert store.get_ref(name) == step_id
    other = "heads/" + g.ObjectId(bytes(31) + b"\x07").hex()
    with pytest.raises(g.GritError) as wrong:  # a step of another actor (REF-002.1)
        store.put_encoded_then_cas(encodings, other, None, step_id, target=step)
    assert wrong.value.error_class == "invalid-ref-target"
    assert store.get_ref(other) is None
    blob = g.encode_with_id(g.Blob(data=b"x"))
    with pytest.raises(g.GritError) as not_a_step:  # a blob under a head (REF-002.1)
        store.put_encoded_then_cas([blob], name, step_id, blob[1], target=g.Blob(data=b"x"))
    assert not_a_step.value.error_class == "invalid-ref-target"
    assert store.has(blob[1]), "the objects are stored before the ref is checked, as in two calls"
    assert store.get_ref(name) == step_id
    erased = g.encode_with_id(g.Blob(data=b"gone"))
    store.put_encoded([erased])
    store.backend.erase(erased[1], "asked to")
    with pytest.raises(g.GritError) as absent:  # an erased target stays absent (REF-003.1)
        store.put_encoded_then_cas(
            [erased], "names/y", None, erased[1], target=g.Blob(data=b"gone")
        )
    assert absent.value.error_class == "not-found"
    assert store.get_ref("names/y") is None
    store.close()


class _Recording:
    """A backend proxy that records the bytes written and the ids read."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.written: dict[g.ObjectId, bytes] = {}
        self.read_ids: list[g.ObjectId] = []
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _record(self, items: Iterable[tuple[g.ObjectId, bytes]]) -> list[tuple[g.ObjectId, bytes]]:
        self.writes += 1
        items = list(items)
        self.written.update(items)
        return items

    def insert(self, oid: g.ObjectId, data: bytes) -> None:
        self._inner.insert(*self._record([(oid, data)])[0])

    def insert_many(self, items: Iterable[tuple[g.ObjectId, bytes]], **fresh: Any) -> None:
        self._inner.insert_many(self._record(items), **fresh)

    def insert_many_then_cas(
        self, items: Iterable[tuple[g.ObjectId, bytes]], *rest: Any, **fresh: Any
    ) -> Any:
        return self._inner.insert_many_then_cas(self._record(items), *rest, **fresh)

    def cas_ref(self, *args: Any) -> Any:
        self.writes += 1
        return self._inner.cas_ref(*args)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Any]:
        """One write of the runtime's group commit (RUN-017): its inserts are recorded."""
        self.writes += 1
        with self._inner.batch() as inner:
            yield _RecordingBatch(self, inner)

    def read(self, oid: g.ObjectId) -> bytes | None:
        self.read_ids.append(oid)
        return self._inner.read(oid)  # type: ignore[no-any-return]

    def reset(self) -> None:
        self.written.clear()
        self.read_ids.clear()
        self.writes = 0


class _RecordingBatch:
    """The batch of a :class:`_Recording`: records what it inserts, within its one write."""

    def __init__(self, recording: _Recording, inner: Any) -> None:
        self._recording, self._inner = recording, inner

    def insert_many(self, items: Iterable[tuple[g.ObjectId, bytes]], **fresh: Any) -> None:
        items = list(items)
        self._recording.written.update(items)
        self._inner.insert_many(items, **fresh)

    def cas_ref(self, *args: Any) -> Any:
        return self._inner.cas_ref(*args)


def _runtime_with(
    backend: str, tmp_path: Path, kind: str
) -> tuple[Runtime, _Recording, g.ObjectId]:
    recording = _Recording(_store(backend, tmp_path).backend)
    rt = Runtime(g.Store(recording), send_commit="own")
    core, objects = test_actor_core(kind)
    actor = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    return rt, recording, actor


@pytest.mark.req("ID-001", "STO-002.1", "RUN-001.1")
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_echo_step_hashes_each_new_object_once_and_reads_none_back(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt, recording, actor = _runtime_with(backend, tmp_path, "echo")
    content = rt._store.put_object(g.Blob(data=b"ping"))
    run(rt.send(actor, content, {"mt": "ping"}))
    head = rt.head(actor)
    recording.reset()
    hashes = _Hashes(monkeypatch)
    report = run(rt.run_until_quiescent())
    hashed, reads = dict(hashes.by_input), set(recording.read_ids)
    assert len(report.steps) == 1 and not report.failures
    step = g.decode_object(recording.written[report.steps[0][1]])
    assert isinstance(step, g.Step) and step.previous == head
    # The reply, the inbox, the outbox and the step: the unchanged core is not written again.
    assert len(recording.written) == 4 and step.core not in recording.written
    assert recording.writes == 1, "objects and head in one commit"
    assert {data: hashed.get(data) for data in recording.written.values()} == {
        data: 1 for data in recording.written.values()
    }
    assert not reads & set(recording.written), "nothing written is read back"
    rt._store.close()


@pytest.mark.req("ID-001", "STO-002.1", "RUN-001.1")
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_counter_step_hashes_what_the_runtime_builds_once(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt, recording, actor = _runtime_with(backend, tmp_path, "counter")
    content = rt._store.put_object(g.Blob(data=b"1"))
    run(rt.send(actor, content, {"mt": "inc"}))
    run(rt.run_until_quiescent())  # the count is 1, the same bytes as ``content``
    run(rt.send(actor, content, {"mt": "inc"}))
    recording.reset()
    hashes = _Hashes(monkeypatch)
    report = run(rt.run_until_quiescent())
    hashed = dict(hashes.by_input)
    assert len(report.steps) == 1 and not report.failures
    # The new count, the new core, the inbox and the step, in one commit.
    assert len(recording.written) == 4 and recording.writes == 1
    for oid, data in recording.written.items():
        obj = g.decode_object(data)
        # The counter names its new count itself (WIT-028.7), through the transition's
        # overlay, which keeps the encoding for the store: hashed once all the same.
        assert hashed.get(data) == 1, f"{type(obj).__name__} {oid}"
    assert not set(recording.read_ids) & set(recording.written), "nothing written is read back"
    rt._store.close()


@pytest.mark.req("REF-002.1", "REF-003.1", "REF-007.1")
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_cas_ref_trusts_a_target_only_when_it_is_the_object_named(
    backend: str, tmp_path: Path
) -> None:
    recording = _Recording(_store(backend, tmp_path).backend)
    store = g.Store(recording)
    actor = g.ObjectId(bytes(31) + b"\x01")
    step = g.Step(actor=actor, core=actor)
    other_step = g.Step(actor=g.ObjectId(bytes(31) + b"\x02"), core=actor)
    step_id, other_id = store.put_objects([step, other_step])
    name = "heads/" + actor.hex()
    recording.reset()
    store.cas_ref(name, None, step_id, target=step)  # the object named: not read back
    assert store.get_ref(name) == step_id and recording.read_ids == []
    with pytest.raises(g.GritError) as wrong:  # a step of another actor, passed as its own target
        store.cas_ref(name, step_id, other_id, target=other_step)
    assert wrong.value.error_class == "invalid-ref-target"
    with pytest.raises(g.GritError) as lied:  # a target that is not the object named is ignored
        store.cas_ref(name, step_id, other_id, target=step)
    assert lied.value.error_class == "invalid-ref-target"
    blob_id = store.put_object(g.Blob(data=b"b"))
    with pytest.raises(g.GritError) as blob:  # the id of a blob under a head, with a step target
        store.cas_ref(name, step_id, blob_id, target=step)
    assert blob.value.error_class == "invalid-ref-target"
    absent = g.Step(actor=actor, core=actor, previous=step_id)
    with pytest.raises(g.GritError) as missing:  # the object named, but never stored
        store.cas_ref(name, step_id, g.object_id(absent), target=absent)
    assert missing.value.error_class == "not-found"
    store.cas_ref("names/n", None, blob_id, target=g.Blob(data=b"b"))
    assert store.get_ref("names/n") == blob_id
    assert store.get_ref(name) == step_id
    store.close()


@pytest.mark.req("STO-002.1")
def test_a_closed_memory_store_takes_no_combined_write() -> None:
    store = g.Store.memory()
    pair = g.encode_with_id(g.Blob(data=b"late"))
    store.close()
    with pytest.raises(ValueError):
        store.put_encoded_then_cas([pair], "names/x", None, pair[1], target=g.Blob(data=b"late"))


def _outcome(call: Any) -> object:
    """What ``call()`` returns, or the error class, requirement ID and message it raises."""
    try:
        return call()
    except g.GritError as exc:
        return (type(exc), exc.error_class, str(exc))


def _outcome_any(call: Any) -> object:
    """What ``call()`` returns, or the type and message of any error it raises."""
    try:
        return call()
    except Exception as exc:
        return (type(exc), str(exc))


#: Ref names near and on the grammar of REF-001.1: text around the two prefixes.
_NAMES = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda s: "heads/" + s, st.text(alphabet="0123456789abcdefA", min_size=62, max_size=66)
    ),
    st.builds(lambda s: "names/" + s, st.text(alphabet="ab.-_/0Z\udc80é", max_size=70)),
    st.just("heads/" + "ab" * 32),
    st.just("names/outside-outbox"),
)


@pytest.mark.req("REF-001.1", "REF-001.2", "REF-001.3")
@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_a_remembered_ref_name_is_checked_as_the_grammar_says(name: str) -> None:
    """check_ref_name remembers valid names only: a second call agrees with a fresh one."""
    _refs._VALID.clear()
    fresh = _outcome(lambda: check_ref_name(name))
    again = _outcome(lambda: check_ref_name(name))  # from memory if it was valid
    assert again == fresh
    assert (name in _refs._VALID) == (fresh == name)
    plain = len(name) <= _refs.MAX_REF_NAME_BYTES and _refs._GRAMMAR.fullmatch(name) is not None
    assert (fresh == name) == plain


@pytest.mark.req("REF-001.1", "ID-003")
@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_a_remembered_head_actor_is_the_parsed_one(name: str) -> None:
    """head_actor from memory is ObjectId.from_hex of the name; bad names raise as before."""
    _refs._ACTORS.clear()
    fresh = _outcome_any(lambda: head_actor(name))
    assert _outcome_any(lambda: head_actor(name)) == fresh
    if name.startswith("heads/"):
        assert fresh == _outcome_any(lambda: g.ObjectId.from_hex(name[len("heads/") :]))
    else:
        assert fresh is None


@pytest.mark.req("REF-001.1")
def test_the_remembered_names_are_bounded() -> None:
    _refs._VALID.clear()
    _refs._ACTORS.clear()
    for i in range(_refs.VALID_KEPT + 5):
        name = "heads/" + i.to_bytes(32, "big").hex()
        assert check_ref_name(name) == name
        assert head_actor(name) == g.ObjectId(i.to_bytes(32, "big"))
    assert 0 < len(_refs._VALID) <= _refs.VALID_KEPT
    assert 0 < len(_refs._ACTORS) <= _refs.VALID_KEPT


_ACTORS = [g.ObjectId(bytes(31) + bytes([i])) for i in range(3)]


@pytest.mark.req("REF-002.1", "REF-002.2", "REF-007.1", "RUN-001.1")
@settings(max_examples=60, deadline=None)
@given(
    named=st.sampled_from(_ACTORS),
    of=st.sampled_from(_ACTORS),
    kind=st.sampled_from(["step", "blob", "mailbox"]),
    names=st.booleans(),
)
def test_put_encoded_then_cas_checks_a_head_as_cas_ref_does(
    named: g.ObjectId, of: g.ObjectId, kind: str, names: bool
) -> None:
    """The combined write's REF-002.1 test (name against the step's actor) agrees with
    put_encoded and cas_ref in turn, for heads/ and names/ refs and any target."""
    target: g.GritObject
    if kind == "step":
        target = g.Step(actor=of, core=of)
    elif kind == "blob":
        target = g.Blob(data=of.digest)
    else:
        target = g.Mailbox(entries={of: of})
    pair = g.encode_with_id(target)
    name = ("names/x" + named.hex()[:8]) if names else ("heads/" + named.hex())
    combined, apart = g.Store.memory(), g.Store.memory()

    def two_calls() -> None:
        apart.put_encoded([pair])
        apart.cas_ref(name, None, pair[1])

    got = _outcome(
        lambda: combined.put_encoded_then_cas([pair], name, None, pair[1], target=target)
    )
    assert got == _outcome(two_calls)
    assert combined.get_ref(name) == apart.get_ref(name)
    assert combined.has(pair[1]) and apart.has(pair[1])
