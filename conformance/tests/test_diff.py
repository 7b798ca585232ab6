"""The structural diff of mismatching ids (ADP-017.2) and the objects vectors record (ADP-017.1)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.diff._more import (
    bundle_divergence,
    bytes_divergence,
    description_divergence,
    reachable,
)
from gritwit_conformance.diff._objects import (
    SHOWN,
    Divergence,
    describe_bytes,
    first_divergence,
    list_divergence,
    recorded_objects,
    render,
    show_data,
)
from gritwit_conformance.vectors import find_vectors_dir

Json = dict[str, Any]
ZERO = "00" * 32


class Store:
    """Objects built with the public constructors, looked up by text-form id."""

    def __init__(self) -> None:
        self.table: dict[str, Json] = {}

    def put(self, obj: g.GritObject) -> str:
        oid = g.object_id(obj).hex()
        self.table[oid] = g.object_to_json(obj)
        return oid

    def lookup(self, oid: str) -> Mapping[str, Any] | str:
        return self.table.get(oid, "absent here")

    def blob(self, text: str, **headers: str) -> str:
        return self.put(g.Blob(data=text.encode(), headers=headers))

    def core(self, actor: str, /, **entries: str) -> str:
        ids = {"wit": self.blob(actor, runtime="test-actor")}
        ids |= {name: self.blob(text) for name, text in entries.items()}
        return self.put(g.Tree(entries={k: g.ObjectId.from_hex(v) for k, v in ids.items()}))

    def step(self, core: str, previous: str | None = None, outbox: str | None = None) -> str:
        def oid(text: str | None) -> g.ObjectId | None:
            return None if text is None else g.ObjectId.from_hex(text)

        return self.put(
            g.Step(
                actor=g.ObjectId.from_hex(ZERO),
                core=g.ObjectId.from_hex(core),
                previous=oid(previous),
                outbox=oid(outbox),
            )
        )


def diverge(expected: str, got: str, want: Store, have: Store) -> Divergence:
    found = first_divergence(expected, got, want.lookup, have.lookup, root="step", requirement="R")
    assert found is not None, "ids differ, so there is a divergence"
    return found


names = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8)
texts = st.text(max_size=40)


@pytest.mark.req("ADP-017.2")
@given(
    entries=st.dictionaries(names.filter(lambda n: n != "wit"), texts, min_size=1, max_size=5),
    data=st.data(),
)
def test_a_changed_core_entry_is_named_with_both_values(
    entries: dict[str, str], data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(entries)))
    other = data.draw(texts.filter(lambda t: t != entries[name]))
    want, have = Store(), Store()
    expected = want.step(want.core("counter", **entries))
    got = have.step(have.core("counter", **{**entries, name: other}))
    found = diverge(expected, got, want, have)
    assert found.path == ("step", "core", f"entry `{name}`", "data")
    assert found.expected == show_data(entries[name].encode().hex())
    assert found.got == show_data(other.encode().hex())
    assert found.requirement.startswith("WIT-020"), "counter's clause is cited"


@pytest.mark.req("ADP-017.2")
def test_counter_count_renders_as_text() -> None:
    want, have = Store(), Store()
    expected = want.step(want.core("counter", count="1"))
    got = have.step(have.core("counter", count="2"))
    text = render(diverge(expected, got, want, have))
    assert "entry `count` → data" in text
    assert 'expected "1"' in text and 'got      "2"' in text
    assert "WIT-020" in text and "differs" not in text


@pytest.mark.req("ADP-017.2")
def test_equal_ids_have_no_divergence() -> None:
    store = Store()
    step = store.step(store.core("echo"))
    found = first_divergence(step, step, store.lookup, store.lookup, root="s", requirement="R")
    assert found is None


@pytest.mark.req("ADP-017.2")
def test_an_entry_only_one_side_has_is_shown_with_its_object() -> None:
    want, have = Store(), Store()
    expected = want.step(want.core("budget", budget="10"))
    got = have.step(have.core("budget"))
    found = diverge(expected, got, want, have)
    assert found.path[-1] == "entry `budget`"
    assert found.expected == 'blob "10"' and found.got == "absent"


@pytest.mark.req("ADP-017.2")
def test_the_walk_goes_down_previous_steps_first() -> None:
    want, have = Store(), Store()
    first = want.step(want.core("counter", count="1"))
    wrong_first = have.step(have.core("counter", count="2"))
    expected = want.step(want.core("counter", count="3"), previous=first)
    got = have.step(have.core("counter", count="3"), previous=wrong_first)
    found = diverge(expected, got, want, have)
    assert found.path == ("step", "previous", "core", "entry `count`", "data")
    assert found.requirement.startswith("WIT-020")


@pytest.mark.req("ADP-017.2")
def test_outbox_to_message_content_is_walked() -> None:
    want, have = Store(), Store()

    def outbox(store: Store, text: str) -> str:
        message = store.put(
            g.Message(content=g.ObjectId.from_hex(store.blob(text)), headers={"mt": "count"})
        )
        return store.put(
            g.Mailbox(entries={g.ObjectId.from_hex(ZERO): g.ObjectId.from_hex(message)})
        )

    expected = want.step(want.core("counter"), outbox=outbox(want, "5"))
    got = have.step(have.core("counter"), outbox=outbox(have, "6"))
    found = diverge(expected, got, want, have)
    assert found.path == ("step", "outbox", f"key {ZERO[:12]}…", "content", "data")
    assert (found.expected, found.got) == ('"5"', '"6"')


@pytest.mark.req("ADP-017.2", "OBJ-019.1")
def test_a_mailbox_base_is_walked_after_its_keys() -> None:
    """Same entries over different bases: the divergence is below ``base``, not a claim
    that one description has two encodings."""
    want, have = Store(), Store()

    def outbox(store: Store, text: str) -> str:
        message = store.put(g.Message(content=g.ObjectId.from_hex(store.blob(text))))
        below = store.put(
            g.Mailbox(entries={g.ObjectId(b"\x01" * 32): g.ObjectId.from_hex(message)})
        )
        top = {g.ObjectId.from_hex(ZERO): g.ObjectId.from_hex(message)}
        return store.put(g.Mailbox(entries=top, base=g.ObjectId.from_hex(below)))

    expected = want.step(want.core("counter"), outbox=outbox(want, "5"))
    got = have.step(have.core("counter"), outbox=outbox(have, "5"))
    assert expected == got  # the control: equal chains, equal ids
    other = Store()
    message = other.put(g.Message(content=g.ObjectId.from_hex(other.blob("5"))))
    below = other.put(g.Mailbox(entries={g.ObjectId(b"\x02" * 32): g.ObjectId.from_hex(message)}))
    top = {g.ObjectId.from_hex(ZERO): g.ObjectId.from_hex(message)}
    box = other.put(g.Mailbox(entries=top, base=g.ObjectId.from_hex(below)))
    found = diverge(expected, other.step(other.core("counter"), outbox=box), want, other)
    assert found.path[:3] == ("step", "outbox", "base"), found
    assert found.requirement != "ENC-014"


@pytest.mark.req("ADP-017.2")
def test_an_object_the_implementation_cannot_give_is_named() -> None:
    want = Store()
    expected = want.step(want.core("echo"))
    found = first_divergence(
        expected,
        "ab" * 32,
        want.lookup,
        lambda oid: "wit-object answers not-found",
        root="head",
        requirement="WIT-007",
    )
    assert found is not None and "not-found" in found.got and "step of actor" in found.expected


@pytest.mark.req("ADP-017.2")
@given(st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_shown_data_is_text_or_hex_and_bounded(data: bytes) -> None:
    shown = show_data(data.hex())
    assert len(shown) <= SHOWN + 40
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or not text.translate({9: None, 10: None, 13: None}).isprintable():
        assert shown.startswith("hex " + data.hex()[: SHOWN - 4])
    elif len(json.dumps(text, ensure_ascii=False)) <= SHOWN:
        assert json.loads(shown) == text


@pytest.mark.req("ADP-017.2")
def test_run_lists_report_order_and_length() -> None:
    store = Store()
    a, b = store.step(store.core("echo")), store.step(store.core("counter"))
    order = list_divergence(
        [["1" * 64, a], ["2" * 64, b]],
        [["2" * 64, b], ["1" * 64, a]],
        store.lookup,
        store.lookup,
        requirement="R",
    )
    assert order is not None and order.path == ("step #0 of the run", "actor")
    short = list_divergence(
        [["1" * 64, a], ["2" * 64, b]], [["1" * 64, a]], store.lookup, store.lookup, requirement="R"
    )
    assert short is not None and short.expected.startswith("2 steps")
    assert short.got == "1 steps"


@pytest.mark.req("ADP-017.2")
def test_render_folds_previous_chains() -> None:
    text = render(
        Divergence(
            path=("head", "previous", "previous", "previous", "core"),
            expected="x",
            got="y",
            requirement="R",
        )
    )
    assert "head → previous×3 → core" in text


@pytest.mark.req("ADP-017.2")
def test_describe_bytes_checks_the_hash() -> None:
    blob = g.Blob(data=b"hi")
    data = g.encode_object(blob).hex()
    assert describe_bytes(g.object_id(blob).hex(), data) == g.object_to_json(blob)
    assert "not to its id" in str(describe_bytes("ab" * 32, data))
    assert "undecodable" in str(describe_bytes("ab" * 32, "ff"))


def _scenario_vectors() -> list[Json]:
    found = []
    directory = find_vectors_dir()
    for name in ("scenarios.json", "wasm.json", "runtime.json"):
        document = json.loads((directory / name).read_text("utf-8"))
        found += [v for group in document["groups"] for v in group["vectors"]]
    return found


@pytest.mark.req("ADP-017.1", "OBJ-018.1")
def test_vectors_record_the_objects_their_steps_name() -> None:
    """Every recorded description encodes to its id; every step and head of a run is recorded."""
    vectors = _scenario_vectors()
    assert vectors, "no scenario vectors found"
    steps_seen = 0
    for vector in vectors:
        lookup = recorded_objects(vector["operations"])
        for op in vector["operations"]:
            for oid, description in (op.get("objects") or {}).items():
                built = g.object_from_json(description)
                assert g.object_id(built).hex() == oid, f"{vector['id']}: {oid} is not its object"
            steps = op["expect"].get("steps")
            for _, step in steps if isinstance(steps, list) else []:
                steps_seen += 1
                assert not isinstance(lookup(step), str), f"{vector['id']}: step {step} missing"
                core = lookup(step)["core"]
                assert not isinstance(lookup(core), str), f"{vector['id']}: core {core} missing"
    assert steps_seen > 100, f"only {steps_seen} steps in the scenario vectors"


@pytest.mark.req("ADP-017.2", "OBJ-018.1")
def test_descriptions_part_at_their_first_field() -> None:
    want = g.object_to_json(g.Blob(data=b"one", headers={"mt": "a"}))
    got = g.object_to_json(g.Blob(data=b"one", headers={"mt": "b"}))
    found = description_divergence(want, got, root="description", requirement="OBJ-018.1")
    assert found.path == ("description", "header `mt`")
    assert (found.expected, found.got) == ('"a"', '"b"')
    tree = g.object_to_json(g.Tree(entries={"x": g.ObjectId.from_hex("11" * 32)}))
    other = g.object_to_json(g.Tree(entries={"x": g.ObjectId.from_hex("22" * 32)}))
    found = description_divergence(tree, other, root="description", requirement="R")
    assert found.path == ("description", "entry `x`") and "111111111111" in found.expected


@pytest.mark.req("ADP-017.2", "ENC-014")
@given(st.binary(min_size=1, max_size=80), st.data())
def test_bytes_divergence_names_the_first_different_byte(data: bytes, draw: st.DataObject) -> None:
    offset = draw.draw(st.integers(0, len(data) - 1))
    changed = data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]
    assert f"first different byte at offset {offset} " in bytes_divergence(
        data.hex(), changed.hex()
    )


def _bundle(store: Store, actor: str, head: str, leave_out: str | None = None) -> str:
    ids = sorted(oid for oid in reachable(head, store.lookup) if oid != leave_out)
    items = [g.encode_object(g.object_from_json(store.table[oid])) for oid in ids]
    return g.encode_value(["gritwit-bundle/1", actor, head, items]).hex()


@pytest.mark.req("ADP-017.2", "RUN-009.1")
def test_a_bundle_is_compared_object_by_object() -> None:
    store = Store()
    core = store.core("counter", count="3")
    head = store.step(core)
    assert (
        bundle_divergence(ZERO, head, store.lookup, _bundle(store, ZERO, head), requirement="R")
        is None
    )
    missing = bundle_divergence(
        ZERO, head, store.lookup, _bundle(store, ZERO, head, leave_out=core), requirement="R"
    )
    assert missing is not None and missing.got == "absent" and "tree of" in missing.expected
    other = store.step(store.core("counter", count="4"))
    wrong = bundle_divergence(
        ZERO, head, store.lookup, _bundle(store, ZERO, other), requirement="R"
    )
    assert wrong is not None and wrong.path == ("bundle", "head")
