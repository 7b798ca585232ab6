"""Actor names (spec/07-runtime.md, RUN-026.1 … RUN-026.4): ``names/actors/<name>`` refs.

The syntax on both sides of each limit, resolution of ids and names, binding by a
compare-and-swap from absent (two binders race, one wins), explicit rebinding and
unbinding.  Expected answers come from the clause's text, not from the module.
"""

from __future__ import annotations

import string
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import (
    actor_names,
    bind_name,
    bind_names,
    check_name,
    names_of,
    rebind_name,
    resolve_actor,
    unbind_name,
)
from gritwit.wit import test_actor_core

FIRST = string.ascii_lowercase + string.digits
REST = FIRST + "._-"


def _actor(store: g.Store, count: str = "0") -> g.ObjectId:
    """A counter's genesis core, stored: an actor id a name may bind."""
    core, objects = test_actor_core("counter", {"count": g.Blob(data=count.encode())})
    store.put_objects(objects)
    return g.object_id(core)


# --- RUN-026.1: the syntax -----------------------------------------------------------------


@pytest.mark.req("RUN-026.1")
@given(
    first=st.sampled_from(FIRST),
    rest=st.text(alphabet=REST, max_size=63),
)
def test_names_of_1_to_64_allowed_characters_are_names(first: str, rest: str) -> None:
    name = first + rest
    if len(name) == 64 and all(c in "0123456789abcdef" for c in name):
        return  # an id's text form: the next test's
    assert check_name(name) == name


@pytest.mark.req("RUN-026.1")
@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a", True),  # 1 character
        ("", False),  # 0
        ("z" * 64, True),  # 64
        ("z" * 65, False),  # 65
        ("9" * 64, False),  # 64 hex digits: an id's text form
        ("9" * 63 + "g", True),  # 64, one not hex
        ("9" * 63, True),  # 63 hex digits
        ("9" * 65, False),  # too long, though hex
        ("A" * 64, False),  # uppercase hex is no id, and no name either
        ("0", True),
        ("-a", False),
        (".a", False),
        ("_a", False),
        ("a-b.c_d", True),
        ("a/b", False),
        ("Counter", False),
        ("é", False),
        ("a b", False),
    ],
)
def test_the_name_limits_on_both_sides(name: str, ok: bool) -> None:
    if ok:
        assert check_name(name) == name
    else:
        with pytest.raises(g.InvalidRefName, match=r"RUN-026\.1"):
            check_name(name)


@pytest.mark.req("RUN-026.1")
@given(st.text(min_size=1, max_size=70))
def test_any_text_is_a_name_exactly_when_the_clause_says(text: str) -> None:
    expected = (
        1 <= len(text) <= 64
        and text[0] in FIRST
        and all(c in REST for c in text)
        and not (len(text) == 64 and all(c in "0123456789abcdef" for c in text))
    )
    try:
        check_name(text)
        got = True
    except g.InvalidRefName:
        got = False
    assert got == expected


@pytest.mark.req("RUN-026.1")
def test_a_name_that_is_not_text_is_refused() -> None:
    with pytest.raises(g.InvalidRefName):
        check_name(b"counter")


# --- RUN-026.2: binding --------------------------------------------------------------------


@pytest.mark.req("RUN-026.2")
def test_a_name_binds_by_a_ref_under_names_actors() -> None:
    store = g.Store.memory()
    actor = _actor(store)
    bind_name(store, "c1", actor)
    assert store.get_ref("names/actors/c1") == actor
    assert actor_names(store) == {"c1": actor}
    assert names_of(store, actor) == ["c1"]


@pytest.mark.req("RUN-026.2")
def test_binding_again_to_the_same_actor_changes_nothing() -> None:
    store = g.Store.memory()
    actor = _actor(store)
    bind_name(store, "c1", actor)
    version = store.refs_changed_since(None)[0]
    bind_name(store, "c1", actor)
    assert store.refs_changed_since(None)[0] == version
    assert store.get_ref("names/actors/c1") == actor


@pytest.mark.req("RUN-026.2")
def test_a_bound_name_is_never_rebound_by_binding() -> None:
    store = g.Store.memory()
    first, second = _actor(store, "1"), _actor(store, "2")
    bind_name(store, "c1", first)
    with pytest.raises(g.RefConflict, match=r"RUN-026\.2") as caught:
        bind_name(store, "c1", second)
    assert caught.value.current == first
    assert store.get_ref("names/actors/c1") == first


@pytest.mark.req("RUN-026.2")
def test_a_name_binds_only_a_stored_tree() -> None:
    store = g.Store.memory()
    blob = store.put_object(g.Blob(data=b"x"))
    with pytest.raises(g.InvalidRefTarget, match=r"RUN-026\.2"):
        bind_name(store, "c1", blob)
    absent = g.object_id(g.Blob(data=b"never stored"))
    with pytest.raises(g.ObjectNotFound, match=r"RUN-026\.2"):
        bind_name(store, "c1", absent)
    assert actor_names(store) == {}


@pytest.mark.req("RUN-026.2", "RUN-026.3")
def test_binding_many_names_or_rebinding_one_binds_only_a_stored_tree() -> None:
    """bind_names and rebind_name judge each target as bind_name does, before they write:
    a blob names no actor, an absent object none either; nothing is bound or moved."""
    store = g.Store.memory()
    actor = _actor(store)
    blob = store.put_object(g.Blob(data=b"x"))
    absent = g.object_id(g.Blob(data=b"never stored"))
    with pytest.raises(g.InvalidRefTarget, match=r"RUN-026\.2"):
        bind_names(store, {"good": actor, "bad": blob})
    with pytest.raises(g.ObjectNotFound, match=r"RUN-026\.2"):
        bind_names(store, {"good": actor, "bad": absent})
    assert actor_names(store) == {}
    bind_name(store, "c1", actor)
    with pytest.raises(g.InvalidRefTarget, match=r"RUN-026\.2"):
        rebind_name(store, "c1", actor, blob)
    with pytest.raises(g.ObjectNotFound, match=r"RUN-026\.2"):
        rebind_name(store, "c1", actor, absent)
    assert actor_names(store) == {"c1": actor}


@pytest.mark.req("RUN-026.2")
def test_two_binders_race_and_exactly_one_wins(tmp_path: Path) -> None:
    """Two processes' worth of binders on one durable store: each thread its own store
    handle, released together; one binds, the other gets ref-conflict naming the winner."""
    path = tmp_path / "store"
    with g.Store.open(path) as store:
        actors = [_actor(store, str(i)) for i in range(2)]
    for round_ in range(5):
        name = f"race-{round_}"
        start = threading.Barrier(2)
        results: list[object] = [None, None]

        def bind(
            i: int,
            name: str = name,
            start: threading.Barrier = start,
            results: list[object] = results,
        ) -> None:
            with g.Store.open(path) as mine:
                start.wait()
                try:
                    bind_name(mine, name, actors[i])
                    results[i] = "won"
                except g.RefConflict as exc:
                    results[i] = exc.current

        threads = [threading.Thread(target=bind, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results.count("won") == 1
        winner = results.index("won")
        assert results[1 - winner] == actors[winner]
        with g.Store.open(path) as store:
            assert store.get_ref(f"names/actors/{name}") == actors[winner]


@pytest.mark.req("RUN-026.2")
def test_many_names_bind_together_and_a_taken_one_is_returned_untouched(tmp_path: Path) -> None:
    with g.Store.open(tmp_path / "store") as store:
        first, second, third = (_actor(store, str(i)) for i in range(3))
        bind_name(store, "held", first)
        bind_name(store, "same", second)
        taken = bind_names(store, {"free": third, "held": second, "same": second})
        assert taken == {"held": first}
        assert actor_names(store) == {"free": third, "held": first, "same": second}
        with pytest.raises(g.InvalidRefName):  # checked before anything is written
            bind_names(store, {"later": first, "Bad": first})
        assert "later" not in actor_names(store)


# --- RUN-026.3: rebinding and unbinding, explicitly -------------------------------------------


@pytest.mark.req("RUN-026.3")
def test_rebinding_and_unbinding_name_the_actor_they_move_from() -> None:
    store = g.Store.memory()
    first, second = _actor(store, "1"), _actor(store, "2")
    bind_name(store, "c1", first)
    with pytest.raises(g.RefConflict, match=r"RUN-026\.3"):
        rebind_name(store, "c1", second, first)  # it does not name second
    rebind_name(store, "c1", first, second)
    assert resolve_actor(store, "c1") == second
    with pytest.raises(g.RefConflict, match=r"RUN-026\.3"):
        unbind_name(store, "c1", first)
    unbind_name(store, "c1", second)
    assert actor_names(store) == {}
    assert store.has(second)  # the actor stays, under its id
    with pytest.raises(g.RefConflict, match=r"RUN-026\.3"):
        unbind_name(store, "c1", second)  # names nothing now


@pytest.mark.req("RUN-026.3", "RUN-026.1", "RUN-026.2")
def test_a_rebind_or_unbind_of_a_bad_name_is_refused_for_the_name_first() -> None:
    store = g.Store.memory()
    actor = _actor(store)
    absent = g.object_id(g.Blob(data=b"never stored"))
    for bad in ("Upper", "a/b", ""):
        # the name is judged before the new target is read: invalid-ref-name, not not-found
        with pytest.raises(g.InvalidRefName, match=r"RUN-026\.1"):
            rebind_name(store, bad, actor, absent)
        with pytest.raises(g.InvalidRefName, match=r"RUN-026\.1"):
            unbind_name(store, bad, actor)
    assert actor_names(store) == {}


# --- RUN-026.4: resolution ------------------------------------------------------------------


@pytest.mark.req("RUN-026.4")
def test_sixty_four_hex_digits_are_an_id_and_anything_else_a_name() -> None:
    store = g.Store.memory()
    actor = _actor(store)
    other = _actor(store, "5")
    bind_name(store, "c1", actor)
    assert resolve_actor(store, "c1") == actor
    assert resolve_actor(store, other.hex()) == other
    unknown = "ab" * 32  # an id of no actor: taken as given
    assert resolve_actor(store, unknown) == g.ObjectId.from_hex(unknown)


@pytest.mark.req("RUN-026.4")
def test_an_unknown_name_is_not_found_and_a_bad_one_invalid() -> None:
    store = g.Store.memory()
    with pytest.raises(g.ObjectNotFound, match=r"RUN-026\.4") as caught:
        resolve_actor(store, "nobody")
    assert caught.value.error_class == "not-found"
    for bad in ("AB" * 32, "ab" * 32 + "a", "Nobody", ""):
        with pytest.raises(g.InvalidRefName, match=r"RUN-026\.1"):
            resolve_actor(store, bad)


@pytest.mark.req("RUN-026.4")
@given(st.binary(min_size=32, max_size=32))
def test_every_id_resolves_to_itself_whatever_names_exist(digest: bytes) -> None:
    store = g.Store.memory()
    actor = _actor(store)
    bind_name(store, "c1", actor)
    assert resolve_actor(store, digest.hex()) == g.ObjectId(digest)


@pytest.mark.req("HTTP-015.4", "HTTP-015.2")
def test_only_refs_whose_rest_is_a_name_are_listed_each_with_its_target() -> None:
    """Refs under ``names/actors/`` set by a tool that does not bind: one holding ``/``,
    one in upper case and one that is an id's text are no names and are not listed; a
    name bound to a tree no genesis was sent for, and one set to a blob, are listed with
    their targets as they are, and resolve to them (HTTP-015.4)."""
    from types import SimpleNamespace

    from gritwit.serve._life import name_page

    store = g.Store.memory()
    headless = _actor(store)  # a tree, its genesis never sent: no head
    blob = store.put_object(g.Blob(data=b"not a core"))
    for rest in ("a/b", "Upper", "ab" * 32):
        store.cas_ref("names/actors/" + rest, None, headless)
    bind_name(store, "headless", headless)
    store.cas_ref("names/actors/blob", None, blob)
    expected = {"blob": blob, "headless": headless}
    assert actor_names(store) == expected
    page = name_page(SimpleNamespace(store=store), after=None, limit=10)  # type: ignore[arg-type]
    assert page == ({n: a.hex() for n, a in expected.items()}, None)
    assert resolve_actor(store, "blob") == blob and resolve_actor(store, "headless") == headless
    assert store.get_ref(f"heads/{headless.hex()}") is None
