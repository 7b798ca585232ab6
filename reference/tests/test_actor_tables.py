"""The test actors' tables (WIT-019 … WIT-028) predict every step of every scenario vector.

A small model of the tables, written from the spec's text alone (it shares no code
with ``gritwit.wit._actors``), replays each scenario of ``vectors/scenarios.json``
and ``vectors/wasm.json`` on the reference.  For every step a test actor produces it
derives, from the input core and the messages the step read, the new core's entries
(their exact bytes) and the messages sent to each recipient (``mt`` and content);
for every query it derives the answer.  Any byte the tables leave open shows up here
as a mismatch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit.adapter import ReferenceAdapter

ROOT = Path(__file__).resolve().parents[2]
ACTORS = ROOT / "conformance" / "wasm" / "actors"
DIGITS = frozenset(b"0123456789")
HEX = frozenset(b"0123456789abcdef")
Sends = dict[g.ObjectId, list[tuple[str, g.ObjectId]]]


# --- the model: WIT-028 terms and one function per table -----------------------------------


def _data(store: g.Store, oid: g.ObjectId | None) -> bytes | None:
    """Data of a present blob, else None (WIT-028.6)."""
    if oid is None or not store.has(oid):
        return None
    obj = store.get_object(oid)
    return obj.data if isinstance(obj, g.Blob) else None


def _decimal(data: bytes | None) -> int | None:
    """1 to 18 ASCII digits (WIT-028.6)."""
    if data is None or not 1 <= len(data) <= 18 or not DIGITS.issuperset(data):
        return None
    return int(data.decode("ascii"))


def _text_id(data: bytes | None) -> g.ObjectId | None:
    """64 lowercase hex digits (WIT-028.6, ID-003)."""
    if data is None or len(data) != 64 or not HEX.issuperset(data):
        return None
    return g.ObjectId(bytes.fromhex(data.decode("ascii")))


def _new(
    created: list[g.GritObject], data: bytes, headers: dict[str, str] | None = None
) -> g.ObjectId:
    blob = g.Blob(data=data, headers=headers or {})
    created.append(blob)
    return g.object_id(blob)


def _canonical(created: list[g.GritObject], value: int) -> g.ObjectId:
    """WIT-028.7: digits, no sign, no leading zero, no newline, no headers."""
    return _new(created, str(value).encode("ascii"))


def model(
    name: str,
    entries: dict[str, g.ObjectId],
    read: list[tuple[g.ObjectId, g.Message]],
    store: g.Store,
) -> tuple[dict[str, g.ObjectId], Sends]:
    """The new core's entries and the messages sent, per the tables."""
    entries = dict(entries)
    sends: Sends = {}
    created: list[g.GritObject] = []

    def queue(to: g.ObjectId, mt: str, content: g.ObjectId) -> None:
        sends.setdefault(to, []).append((mt, content))

    acted = [
        (s, m)
        for s, m in sorted(read, key=lambda sm: sm[0].digest)  # stable: oldest first per sender
        if m.headers.get("mt") not in ("genesis", "update")  # WIT-028.3
    ]
    if name == "echo":  # WIT-019.1
        for sender, m in acted:
            queue(sender, "echo", m.content)
    elif name == "counter":
        stored = _data(store, entries.get("count"))
        count = _decimal(stored) or 0  # WIT-020.1
        write = stored is None  # WIT-020.4
        for sender, m in acted:
            if m.headers.get("mt") == "inc":  # WIT-020.2
                data = _data(store, m.content)
                amount = 1 if data == b"" else _decimal(data)
                if amount is not None and count + amount <= 999_999_999_999_999_999:
                    count, write = count + amount, True
            elif m.headers.get("mt") == "get":  # WIT-020.3
                queue(sender, "count", _canonical(created, count))
        if write:
            entries["count"] = _canonical(created, count)
    elif name == "fanout":  # WIT-021.1
        for _, m in acted:
            content = store.get_object(m.content)
            if m.headers.get("mt") == "fanout" and isinstance(content, g.Tree):
                for oid in content.entries.values():
                    to = _text_id(_data(store, oid))
                    if to is not None:
                        queue(to, "fanned", m.content)
    elif name == "spawner":  # WIT-022.1
        for sender, m in acted:
            if m.headers.get("mt") == "spawn":
                queue(m.content, "genesis", m.content)
                queue(sender, "spawned", _new(created, m.content.hex().encode("ascii")))
    elif name == "updater":  # WIT-023.1
        for _, m in acted:
            data = _data(store, m.content)
            if m.headers.get("mt") == "set-code" and data is not None and len(data) <= 57_344:
                entries["wit"] = _new(created, data, {"runtime": "test-actor"})
    elif name == "budget":
        budget = start = _decimal(_data(store, entries.get("budget"))) or 0  # WIT-025.1
        for sender, m in acted:
            if m.headers.get("mt") != "spend":
                continue
            amount = _decimal(_data(store, m.content))
            if amount is None:  # WIT-025.3
                queue(sender, "refused", _new(created, b""))
            elif amount <= budget:  # WIT-025.2
                budget -= amount
                queue(sender, "granted", _canonical(created, amount))
            else:
                queue(sender, "refused", _canonical(created, amount))
        if budget != start:  # WIT-025.4
            entries["budget"] = _canonical(created, budget)
    elif name == "requester":
        for _, m in acted:
            content = store.get_object(m.content)
            if m.headers.get("mt") == "ask" and isinstance(content, g.Tree):  # WIT-026.1
                to = _text_id(_data(store, content.entries.get("to")))
                question = content.entries.get("question")
                if to is not None and question is not None:
                    queue(to, "question", question)
            elif m.headers.get("mt") == "echo":  # WIT-026.2
                entries["answer"] = m.content
    else:
        raise AssertionError(f"{name} must never produce a step (WIT-024, WIT-027)")
    return entries, sends


def query_model(name: str, query: str, entries: dict[str, g.ObjectId], store: g.Store) -> Any:
    """What a query answers (WIT-018, WIT-020.5, WIT-025.5, WIT-026.3, WIT-028.9)."""
    if query == "wut":
        return {"wut": name}
    table = {"counter": ("count", b"0"), "budget": ("budget", b"0"), "requester": ("answer", b"")}
    if name not in table or table[name][0] != query:
        return {"error": "unknown-query"}
    entry, default = table[name]
    oid = entries.get(entry)
    data = _data(store, oid)
    return {"data": (default if data is None else data).hex()}


# --- replaying a scenario and reading what each step did ------------------------------------


def _wasm_names() -> dict[bytes, str]:
    return {p.read_bytes(): p.stem for p in ACTORS.glob("*.wasm")}


def _actor_name(store: g.Store, core: g.Tree, wasm: dict[bytes, str]) -> str | None:
    wit = store.get_object(core.entries["wit"])
    assert isinstance(wit, g.Blob)
    if wit.headers.get("runtime") == "test-actor":
        return wit.data.decode("utf-8", "replace")
    return wasm.get(wit.data)  # a Wasm test actor, or None for other modules


def _chain(store: g.Store, new: g.ObjectId | None, old: g.ObjectId | None) -> list[g.Message]:
    """Messages from ``new`` back to (excluding) ``old``, oldest first (WIT-005)."""
    out: list[g.Message] = []
    at = new
    while at is not None and at != old:
        message = store.get_object(at)
        assert isinstance(message, g.Message)
        out.append(message)
        at = message.previous
    return out[::-1]


def _box(store: g.Store, oid: g.ObjectId | None) -> dict[g.ObjectId, g.ObjectId]:
    if oid is None:
        return {}
    box = store.get_object(oid)
    assert isinstance(box, g.Mailbox)
    return dict(box.entries)


def _tree(store: g.Store, oid: g.ObjectId) -> g.Tree:
    tree = store.get_object(oid)
    assert isinstance(tree, g.Tree)
    return tree


def _check_step(store: g.Store, step_id: g.ObjectId, wasm: dict[bytes, str]) -> str | None:
    """Compare one step with the model; the actor's name, or None when no table applies."""
    step = store.get_object(step_id)
    assert isinstance(step, g.Step)
    last = None if step.previous is None else store.get_object(step.previous)
    assert last is None or isinstance(last, g.Step)
    in_core = _tree(store, step.actor if last is None else last.core)
    name = _actor_name(store, in_core, wasm)
    old_in = _box(store, None if last is None else last.inbox)
    old_out = _box(store, None if last is None else last.outbox)
    new_in, new_out = _box(store, step.inbox), _box(store, step.outbox)
    read = [
        (sender, m)
        for sender in sorted(new_in, key=lambda s: s.digest)
        if new_in[sender] != old_in.get(sender)
        for m in _chain(store, new_in[sender], old_in.get(sender))
    ]
    types = [m.headers.get("mt") for _, m in read]
    if name is None or types == ["update"] or (last is not None and types == ["genesis"]):
        return None  # not a test actor, or its Wit did not run (WIT-012.5, WIT-013, WIT-014)
    entries, sends = model(name, dict(in_core.entries), read, store)
    got_core = _tree(store, step.core)
    assert dict(got_core.entries) == entries, (name, "core", dict(got_core.entries), entries)
    got: Sends = {}
    for to, head in new_out.items():
        if head != old_out.get(to):
            chain = _chain(store, head, old_out.get(to))
            for m in chain:
                assert set(m.headers) == {"mt"}, (name, "headers", dict(m.headers))  # WIT-028.5
            assert chain[0].previous == old_out.get(to), (name, "signalled")  # WIT-028.5
            got[to] = [(m.headers["mt"], m.content) for m in chain]
    assert got == sends, (name, "sends", got, sends)
    return name


def _scenarios(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    for group in document["groups"]:
        for case in group["vectors"]:
            if "operations" in case:
                yield case["id"], case["operations"]


def _replay(operations: list[dict[str, Any]], wasm: dict[bytes, str]) -> set[str]:
    adapter = ReferenceAdapter()
    handle = adapter.handle({"seq": 0, "cmd": "wit-open"})["runtime"]
    store, _ = adapter._runtime({"runtime": handle})
    checked: set[str] = set()
    for seq, op in enumerate(operations, 1):
        args = {k: v for k, v in op.items() if k not in ("op", "expect", "objects")}
        if op["op"] == "load":
            continue
        reply = adapter.handle({"seq": seq, "cmd": f"wit-{op['op']}", "runtime": handle, **args})
        if op["op"] == "run" and reply["ok"]:
            for _, step_id in reply["steps"]:
                name = _check_step(store, g.ObjectId.from_hex(step_id), wasm)
                checked.update([name] if name else [])
        if op["op"] == "query":
            head = adapter.handle(
                {"seq": 0, "cmd": "wit-head", "runtime": handle, "actor": op["actor"]}
            )
            step = store.get_object(g.ObjectId.from_hex(head["step"]))
            assert isinstance(step, g.Step)
            core = _tree(store, step.core)
            name = _actor_name(store, core, wasm)
            if name is not None:
                expected = query_model(name, op["name"], dict(core.entries), store)
                assert op["expect"] == expected, (op, expected)
    adapter.close()
    return checked


def _cases() -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        case
        for file in ("scenarios.json", "wasm.json")
        for case in _scenarios(ROOT / "vectors" / file)
    ]


@pytest.mark.req(
    "WIT-019.1", "WIT-020.1", "WIT-020.2", "WIT-020.3", "WIT-020.4", "WIT-020.5", "WIT-021.1",
    "WIT-022.1", "WIT-023.1", "WIT-025.1", "WIT-025.2", "WIT-025.3", "WIT-025.4", "WIT-025.5",
    "WIT-026.1", "WIT-026.2", "WIT-026.3", "WIT-028.4", "WIT-028.5", "WIT-028.6", "WIT-028.7",
    "WIT-028.8", "WIT-028.9",
)  # fmt: skip
def test_every_scenario_step_follows_the_tables() -> None:
    wasm = _wasm_names()
    checked: set[str] = set()
    cases = _cases()
    assert len(cases) > 100
    for _, operations in cases:
        checked |= _replay(operations, wasm)
    assert checked == {"echo", "counter", "fanout", "spawner", "updater", "budget", "requester"}
