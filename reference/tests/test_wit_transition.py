"""A transition's step, checked (WIT-001, WIT-006 … WIT-009, WIT-013, WIT-015, WIT-016)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit._codec import encode_with_id
from gritwit.wit import (
    Assembled,
    Overlay,
    PendingMessage,
    Send,
    TransitionInput,
    TransitionOutput,
    _assemble,
    _model,
    assemble,
    code_name,
    merge,
    test_actor_core,
    wit_blob,
)

ACTOR = g.ObjectId(b"\x01" * 32)
S1 = g.ObjectId(b"\x02" * 32)
S2 = g.ObjectId(b"\x03" * 32)
R = g.ObjectId(b"\x04" * 32)


def _setup(
    counts: dict[g.ObjectId, int], core_state: dict[str, g.GritObject] | None = None
) -> tuple[g.Store, TransitionInput]:
    """A store and the first-transition input of ACTOR with ``counts`` queued per sender."""
    store = g.Store.memory()
    core, objects = test_actor_core("echo", core_state)
    for obj in objects:
        store.put_object(obj)
    found: dict[g.ObjectId, tuple[PendingMessage, ...]] = {}
    for sender, count in counts.items():
        previous = None
        items = []
        for i in range(count):
            content = store.put_object(g.Blob(data=f"{sender.hex()[:2]}-{i}".encode()))
            message = g.Message(content=content, previous=previous)
            previous = store.put_object(message)
            items.append(PendingMessage(previous, message))
        found[sender] = tuple(items)
    inp = TransitionInput(actor=ACTOR, last_step=None, core=core, pending=found, objects=store)
    return store, inp


def _next(store: g.Store, inp: TransitionInput, out: TransitionOutput) -> TransitionInput:
    """Store the step of ``out`` and return the input of the following transition."""
    built = assemble(inp, out, store)
    for obj in built.objects:
        store.put_object(obj)
    return TransitionInput(
        actor=inp.actor, last_step=built.step, core=out.core, pending={}, objects=store
    )


@pytest.mark.req("WIT-007.1", "WIT-008.1", "WIT-009.1")
def test_first_and_second_step_fields() -> None:
    store, inp = _setup({S1: 2})
    built = assemble(inp, TransitionOutput(core=inp.core), store)
    assert built.step.actor == ACTOR and built.step.previous is None
    assert built.step.core == g.object_id(inp.core)
    assert built.step.inbox is None and built.step.outbox is None
    assert built.objects[-1] == built.step and built.step_id == g.object_id(built.step)
    nxt = _next(store, inp, TransitionOutput(core=inp.core, read={S1: 1}))
    assert nxt.last_step is not None
    second = assemble(nxt, TransitionOutput(core=inp.core), store)
    assert second.step.previous == g.object_id(nxt.last_step)
    assert second.step.inbox == nxt.last_step.inbox  # unchanged when nothing is read


@pytest.mark.req("WIT-008.1", "WIT-008.2", "WIT-008.3")
@given(st.integers(0, 4), st.integers(0, 3), st.integers(-2, 6), st.integers(-2, 5))
def test_reads_are_prefixes(n1: int, n2: int, r1: int, r2: int) -> None:
    store, inp = _setup({S1: n1, S2: n2})
    out = TransitionOutput(core=inp.core, read={S1: r1, S2: r2})
    if not (0 <= r1 <= n1 and 0 <= r2 <= n2):
        with pytest.raises(g.InvalidTransition) as err:
            assemble(inp, out, store)
        assert err.value.requirement == "WIT-008.3"
        return
    step = assemble(inp, out, store).step
    expected = {s: inp.pending[s][r - 1].id for s, r in ((S1, r1), (S2, r2)) if r}
    if not expected:
        assert step.inbox is None
    else:
        box = [o for o in assemble(inp, out, store).objects if g.object_id(o) == step.inbox]
        assert isinstance(box[0], g.Mailbox) and dict(box[0].entries) == expected


@pytest.mark.req("WIT-008.3")
def test_reading_from_a_sender_with_nothing_pending_is_refused() -> None:
    store, inp = _setup({S1: 1})
    with pytest.raises(g.InvalidTransition):
        assemble(inp, TransitionOutput(core=inp.core, read={S2: 1}), store)


@pytest.mark.req("WIT-009.1", "WIT-004")
def test_queues_chain_and_signals_do_not() -> None:
    store, inp = _setup({})
    blob = store.put_object(g.Blob(data=b"c"))
    out = TransitionOutput(
        core=inp.core, sends=(Send(recipient=R, content=blob), Send(recipient=R, content=blob))
    )
    nxt = _next(store, inp, out)
    assert nxt.last_step is not None and nxt.last_step.outbox is not None
    box = store.get_object(nxt.last_step.outbox)
    assert isinstance(box, g.Mailbox)
    last = store.get_object(box.entries[R])
    assert isinstance(last, g.Message) and last.previous is not None
    first = store.get_object(last.previous)
    assert isinstance(first, g.Message) and first.previous is None
    # The next queue continues the chain; a signal starts afresh.
    queued = assemble(
        nxt, TransitionOutput(core=inp.core, sends=(Send(recipient=R, content=blob),)), store
    )
    message = next(o for o in queued.objects if isinstance(o, g.Message))
    assert message.previous == box.entries[R]
    signal = Send(recipient=R, content=blob, signal=True)
    signalled = assemble(nxt, TransitionOutput(core=inp.core, sends=(signal,)), store)
    message = next(o for o in signalled.objects if isinstance(o, g.Message))
    assert message.previous is None


@pytest.mark.req("OBJ-014", "WIT-009.1")
def test_a_recipient_that_is_no_object_id_is_refused() -> None:
    """An outbox key is an actor's id (OBJ-014): a Python caller's recipient given as the
    id's bytes, or as a plain tuple equal to the id, is refused ``invalid-id`` when the
    outbox is built, not keyed by whatever it happens to hold.  Every Wit the runtime runs
    names recipients as ids (the test actors, the Wasm host's ``send``, a sandboxed
    program's ``to``), so only this API meets the check."""
    store, inp = _setup({})
    blob = store.put_object(g.Blob(data=b"c"))
    for recipient in (R.digest, tuple(R)):
        send = Send(recipient=recipient, content=blob)  # type: ignore[arg-type]
        with pytest.raises(g.InvalidId, match="OBJ-014"):
            assemble(inp, TransitionOutput(core=inp.core, sends=(send,)), store)


@pytest.mark.req("WIT-009.2", "WIT-009.3")
@pytest.mark.parametrize(
    "signals", [(True, True), (True, False), (False, True)], ids=["two-signals", "sq", "qs"]
)
def test_signal_with_anything_else_to_one_recipient_is_refused(signals: tuple[bool, ...]) -> None:
    store, inp = _setup({})
    blob = store.put_object(g.Blob(data=b"c"))
    sends = tuple(Send(recipient=R, content=blob, signal=s) for s in signals)
    with pytest.raises(g.InvalidTransition) as err:
        assemble(inp, TransitionOutput(core=inp.core, sends=sends), store)
    assert err.value.requirement == "WIT-009.2"
    # to different recipients the same sends are fine
    other = tuple(
        Send(recipient=r, content=blob, signal=s) for r, s in zip((R, S1), signals, strict=True)
    )
    assert assemble(inp, TransitionOutput(core=inp.core, sends=other), store).step.outbox


@pytest.mark.req("WIT-015")
def test_a_core_without_wit_is_refused() -> None:
    store, inp = _setup({})
    state = g.Blob(data=b"s")
    core = g.Tree(entries={"state": g.object_id(state)})
    with pytest.raises(g.InvalidTransition) as err:
        assemble(inp, TransitionOutput(core=core, new_objects=(state,)), store)
    assert err.value.requirement == "WIT-015"


@pytest.mark.req("WIT-001.2", "WIT-007.2", "WIT-007.3")
def test_new_core_must_satisfy_wit_001_and_be_provided() -> None:
    store, inp = _setup({})
    bare = g.Blob(data=b"echo")  # no runtime header
    core = g.Tree(entries={"wit": g.object_id(bare)})
    with pytest.raises(g.InvalidTransition) as err:
        assemble(inp, TransitionOutput(core=core, new_objects=(bare,)), store)
    assert err.value.requirement == "WIT-007.2"
    missing = g.Blob(data=b"never stored")
    core = g.Tree(entries={**inp.core.entries, "x": g.object_id(missing)})
    with pytest.raises(g.InvalidTransition):
        assemble(inp, TransitionOutput(core=core), store)
    assert assemble(inp, TransitionOutput(core=core, new_objects=(missing,)), store)


@pytest.mark.req("WIT-001.2", "WIT-001.3")
def test_wit_blobs_name_test_actors_and_unknown_runtimes_fail() -> None:
    store = g.Store.memory()
    good = store.put_object(wit_blob("counter"))
    assert code_name(store, good) == "counter"
    assert wit_blob("counter").headers == {"runtime": "test-actor"}
    other = store.put_object(g.Blob(data=b"counter", headers={"runtime": "wasm"}))
    with pytest.raises(g.UnknownWit) as err:
        code_name(store, other)
    assert err.value.error_class == "unknown-wit" and err.value.phase == "transition"


@pytest.mark.req("WIT-016")
@pytest.mark.parametrize("entry", ["wit", "wit_update", "frozen"])
def test_frozen_core_protects_its_code_entries(entry: str) -> None:
    frozen = g.Blob(data=b"")
    store, inp = _setup({}, {"frozen": frozen, "wit_update": wit_blob("replace")})
    replacement = g.Blob(data=b"counter", headers={"runtime": "test-actor"})
    changed = g.Tree(entries={**inp.core.entries, entry: g.object_id(replacement)})
    with pytest.raises(g.FrozenCore) as err:
        assemble(inp, TransitionOutput(core=changed, new_objects=(replacement,)), store)
    assert err.value.requirement == "WIT-016"
    # other entries may still change, and an unfrozen core may change its wit
    state = g.Blob(data=b"1")
    ok = g.Tree(entries={**inp.core.entries, "count": g.object_id(state)})
    assert assemble(inp, TransitionOutput(core=ok, new_objects=(state,)), store)
    store2, plain = _setup({})
    moved = g.Tree(entries={**plain.core.entries, "wit": g.object_id(replacement)})
    assert assemble(plain, TransitionOutput(core=moved, new_objects=(replacement,)), store2)


# --- the default merge (WIT-013) -----------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c", "wit"])
TREES: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(NAMES, st.binary(max_size=2), min_size=1, max_size=3),
    lambda inner: st.dictionaries(
        NAMES, st.one_of(st.binary(max_size=2), inner), min_size=1, max_size=3
    ),
    max_leaves=10,
)


def _build(store: g.Store, value: dict[str, Any]) -> g.Tree:
    entries = {}
    for name, child in value.items():
        obj: g.GritObject = _build(store, child) if isinstance(child, dict) else g.Blob(data=child)
        entries[name] = store.put_object(obj)
    tree = g.Tree(entries=entries)
    store.put_object(tree)
    return tree


def _oracle(old: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    result = dict(old)
    for name, value in update.items():
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = _oracle(result[name], value)
        else:
            result[name] = value
    return result


@pytest.mark.req("WIT-013.4")
@given(TREES, TREES)
def test_merge_matches_the_model_and_never_deletes(
    old: dict[str, Any], update: dict[str, Any]
) -> None:
    store = g.Store.memory()
    a, u = _build(store, old), _build(store, update)
    merged, created = merge(store, a, u)
    assert merged == _build(g.Store.memory(), _oracle(old, update))
    assert set(merged.entries) >= set(a.entries) | set(u.entries)
    for obj in created:
        store.put_object(obj)
    assert merge(store, merged, u)[0] == merged  # idempotent
    assert merge(store, a, a)[0] == a  # merging a core into itself changes nothing


@pytest.mark.req("WIT-007.3")
@pytest.mark.parametrize("missing", [False, True])
def test_a_core_of_any_depth_is_checked_with_a_typed_error(missing: bool) -> None:
    """5,000 nested trees: deeper than Python's call stack; a missing leaf is found."""
    store, inp = _setup({})
    leaf = g.Blob(data=b"leaf")
    created: list[g.GritObject] = [] if missing else [leaf]
    child: g.GritObject = leaf
    for _ in range(5_000):
        child = g.Tree(entries={"d": g.object_id(child)})
        created.append(child)
    core = g.Tree(entries={**inp.core.entries, "deep": g.object_id(child)})
    out = TransitionOutput(core=core, new_objects=(*created, core))
    if missing:
        with pytest.raises(g.GritError) as caught:
            assemble(inp, out, store)
        assert caught.value.error_class == "invalid-transition"
        message = str(caught.value)
        # the path to the leaf, its start (joined only for the message, bounded: WIT-007.5),
        # and the id of the missing leaf
        assert "deep/d/d/d/" in message and str(g.object_id(leaf)) in message
        assert len(message) < 1_000
    else:
        assert assemble(inp, out, store).step.core == g.object_id(core)


@pytest.mark.req("WIT-006")
def test_the_trusted_constructors_make_what_the_constructors_make() -> None:
    """The trusted constructors: the same class, fields, equality, hash and frozenness."""
    actor, content = g.object_id(g.Blob(data=b"a")), g.object_id(g.Blob(data=b"c"))
    message = g.Message(content=content, headers={"mt": "x"})
    core = g.Tree(entries={"wit": content})
    step = g.Step(actor=actor, core=content)
    item = PendingMessage(actor, message)
    pending = {actor: (item,)}
    objects = Overlay(g.Store.memory())
    send = Send(recipient=actor, content=content, headers=message.headers)
    encoded = encode_with_id(step)
    read = {actor: 1}
    pairs = [
        (_model.pending_message(actor, message), item),
        (
            _model.transition_input(actor, step, core, pending, objects),
            TransitionInput(
                actor=actor, last_step=step, core=core, pending=pending, objects=objects
            ),
        ),
        (_model.queued_send(actor, content, message.headers), send),
        (
            _model.transition_output(core, read, (send,), (core,)),
            TransitionOutput(core=core, read=read, sends=(send,), new_objects=(core,)),
        ),
        (
            _assemble._assembled(step, encoded[1], (step,), (encoded,)),
            Assembled(step, encoded[1], (step,), (encoded,)),
        ),
    ]
    for made, expected in pairs:
        assert type(made) is type(expected)
        assert made == expected and repr(made) == repr(expected)
        for f in dataclasses.fields(expected):
            value = getattr(made, f.name)
            assert value == getattr(expected, f.name)
            assert type(value) is type(getattr(expected, f.name))
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(made, f.name, None)
    assert hash(pairs[2][0]) == hash(send)  # a send holds only hashable fields
