"""Scenario vectors: operations on a Wit runtime and what the reference answered (ADP-014).

A scenario is a list of operations — ``genesis``, ``send``, ``run``, ``query``
— whose arguments are those of the ``wit-*`` adapter commands (without
``runtime``).  :class:`Scenario` declares them; :func:`observe` replays them
through a fresh :class:`~gritwit.adapter.ReferenceAdapter` runtime and returns
what each answered, in the ``expect`` form a vector records:

* ``genesis`` → ``{"actor": id}``; ``send`` → ``{"message": id}``;
* ``run`` → ``{"steps": [[actor, step]…], "failures": [[actor, class]…],
  "quiescent": bool, "heads": {actor: step or null}}`` — ``heads`` of every actor
  the scenario has named so far (created, addressed or stepped);
* ``query`` → ``{"data": hex}`` or ``{"error": class}``; the query ``wut`` →
  ``{"wut": name}`` (its document is valid against ``wut.schema.json``; WIT-018
  fixes the document's content, not its bytes).

Beside ``expect``, an operation records ``objects`` (ADP-017): the JSON
description (OBJ-018) of every object reachable from its answer's ids that no
earlier operation recorded (:func:`collect_objects`), so that a vector shows
the steps, cores, mailboxes and messages its ids name, not only their hashes.

The generator records :func:`observe` and checks hand-declared values against
it; ``gritwit vectors verify`` replays every committed scenario and compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import jsonschema

from gritwit._codec import decode_object, object_id
from gritwit._ids import ObjectId
from gritwit._json import object_to_json
from gritwit._objects import Blob
from gritwit._schemas import load_schema
from gritwit.wit import TEST_RUNTIME, test_actor_core

from ._format import Case

__all__ = [
    "OPERATIONS",
    "Scenario",
    "blob",
    "collect_objects",
    "content_id",
    "core",
    "observe",
    "scenario_problems",
    "tree",
]

OPERATIONS: Final = ("genesis", "send", "run", "query", "load")
Json = dict[str, Any]


def blob(text: str | bytes = "", headers: dict[str, str] | None = None) -> Json:
    """A blob content description (UTF-8 text or bytes)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    described: Json = {"blob": data.hex()}
    if headers:
        described["headers"] = dict(headers)
    return described


def tree(**entries: Json) -> Json:
    """A tree content description."""
    return {"tree": dict(entries)}


def core(name: str, **state: str) -> Json:
    """The content description of a core running test actor ``name`` (WIT-001)."""
    return tree(wit=blob(name, {"runtime": TEST_RUNTIME}), **{k: blob(v) for k, v in state.items()})


def content_id(description: Json) -> ObjectId:
    """The id of the object a content description names."""
    from gritwit.adapter._wit import content_objects

    return content_objects(description, [])


class Scenario:
    """Declares one scenario vector: operations plus optional hand-declared expectations."""

    def __init__(
        self, sid: str, comment: str, requirements: tuple[str, ...], flags: tuple[str, ...] = ()
    ) -> None:
        self.id, self.comment = "scenario/" + sid, comment
        self.requirements, self.flags = requirements, flags
        self.operations: list[Json] = []
        self.declared: list[tuple[int, str, Any]] = []

    def _declare(self, key: str, value: Any) -> None:
        self.declared.append((len(self.operations) - 1, key, value))

    def genesis(self, actor: str, **state: str) -> ObjectId:
        """Create test actor ``actor``; returns its id (WIT-002), declared from the core."""
        blobs = {k: Blob(data=v.encode("utf-8")) for k, v in state.items()}
        oid = object_id(test_actor_core(actor, dict(blobs))[0])
        hexed = {k: v.encode("utf-8").hex() for k, v in state.items()}
        self.operations.append({"op": "genesis", "actor": actor, "state": hexed})
        self._declare("actor", oid.hex())
        return oid

    def genesis_module(self, module: bytes, **state: str) -> ObjectId:
        """Create a Wasm Wit running ``module`` (ADP-016); its id is declared from the core."""
        from gritwit.adapter._wit import wasm_core

        blobs = {k: Blob(data=v.encode("utf-8")) for k, v in state.items()}
        oid = object_id(wasm_core(module, dict(blobs))[0])
        hexed = {k: v.encode("utf-8").hex() for k, v in state.items()}
        self.operations.append({"op": "genesis", "module": module.hex(), "state": hexed})
        self._declare("actor", oid.hex())
        return oid

    def load(self, module: bytes, error: str | None) -> None:
        """``wasm-load`` of ``module``: declared to pass, or to fail with ``error`` (WASM-002)."""
        self.operations.append({"op": "load", "module": module.hex()})
        self._declare("error", error)

    def send(
        self, to: ObjectId, mt: str | None, content: Json, *, signal: bool = False
    ) -> ObjectId:
        """Send from the outside; returns the content id."""
        op: Json = {"op": "send", "to": to.hex(), "content": content, "signal": signal}
        if mt is not None:
            op["mt"] = mt
        self.operations.append(op)
        return content_id(content)

    def say(self, to: ObjectId, mt: str, text: str = "", *, signal: bool = False) -> ObjectId:
        return self.send(to, mt, blob(text), signal=signal)

    def run(self, max_steps: int = 100, *, failures: list[list[str]] | None = None) -> None:
        self.operations.append({"op": "run", "max_steps": max_steps})
        if failures is not None:
            self._declare("failures", failures)

    def query(self, actor: ObjectId, name: str, *, text: str | None = None) -> None:
        """Query ``actor``; ``text`` declares the expected blob data."""
        self.operations.append({"op": "query", "actor": actor.hex(), "name": name})
        if text is not None:
            self._declare("data", text.encode("utf-8").hex())

    def fails_query(self, actor: ObjectId, name: str, error: str) -> None:
        self.operations.append({"op": "query", "actor": actor.hex(), "name": name})
        self._declare("error", error)

    def case(self) -> Case:
        """The vector: operations with the reference's answers (``expect``) and new objects."""
        answers, objects = observe_with_objects(self.operations)
        operations = tuple(
            with_answer(op, expect, found)
            for op, expect, found in zip(self.operations, answers, objects, strict=True)
        )
        return Case(
            self.id,
            self.comment,
            self.requirements,
            b"",
            self.flags,
            operations=operations,
            declared=tuple(self.declared),
        )


def _wut_validator() -> Any:
    schema = load_schema("wut.schema.json")
    return jsonschema.Draft202012Validator(schema)


def _answer(reply: Json, op: Json) -> Json:
    if not reply["ok"]:
        return {"error": reply["error"]["class"]}
    if op["op"] == "load":
        return {}
    if op["op"] == "genesis":
        return {"actor": reply["actor"]}
    if op["op"] == "send":
        return {"message": reply["message"]}
    if op["op"] == "query" and op["name"] == "wut":
        document = json.loads(bytes.fromhex(reply["data"]))
        errors = list(_wut_validator().iter_errors(document))
        return (
            {"error": f"wut document invalid: {errors[0].message}"}
            if errors
            else {"wut": document["name"]}
        )
    if op["op"] == "query":
        return {"data": reply["data"]}
    return {k: reply[k] for k in ("steps", "failures", "quiescent")}


#: Fields of a description (OBJ-018) that name other objects, as RUN-009.1 walks them:
#: a step's ``actor`` names its first core, which need not be reachable.
_ID_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "step": ("previous", "core", "inbox", "outbox"),
    "message": ("content", "previous"),
}


def children(description: Mapping[str, Any]) -> list[str]:
    """The ids a description (OBJ-018) refers to: tree and mailbox entries, a mailbox's
    base (OBJ-019), step/message ids."""
    kind = description.get("type")
    if kind == "tree":
        return list(description["entries"].values())
    if kind == "mailbox":
        base = [description["base"]] if description.get("base") else []
        return [*description["entries"].values(), *base]
    return [description[f] for f in _ID_FIELDS.get(str(kind), ()) if description.get(f)]


def answer_ids(answer: Mapping[str, Any]) -> list[str]:
    """The object ids an ``expect`` answer names: actor, message, head, step, steps, heads."""
    keys = ("actor", "message", "head", "step")
    ids = [answer[k] for k in keys if isinstance(answer.get(k), str)]
    steps = answer.get("steps")  # rt-verify answers a count
    if isinstance(steps, list):
        ids += [pair[1] for pair in steps if isinstance(pair[1], str)]
    ids += [head for head in (answer.get("heads") or {}).values() if head]
    return ids


#: Blobs with more data than this are not recorded (Wasm modules and memory images): their
#: ids still name them, and a module is the ``module`` of its genesis operation.
MAX_RECORDED_BLOB: Final = 1024


def collect_objects(
    fetch: Callable[[str], bytes | None], roots: Iterable[str], known: set[str]
) -> Json:
    """Descriptions (OBJ-018) of the objects reachable from ``roots`` and not in ``known``.

    ``fetch`` gives an object's stored bytes, or ``None`` (absent, erased).  The
    walk follows :func:`children` and stops at known ids; the found ids are
    added to ``known``.  Blobs over :data:`MAX_RECORDED_BLOB` bytes are left out.
    """
    found: Json = {}
    todo = list(roots)
    while todo:
        oid = todo.pop()
        if oid in known or oid in found:
            continue
        data = fetch(oid)
        if data is None:
            continue
        obj = decode_object(data)
        if isinstance(obj, Blob) and len(obj.data) > MAX_RECORDED_BLOB:
            continue
        found[oid] = object_to_json(obj)
        todo.extend(children(found[oid]))
    known.update(found)
    return found


def with_answer(op: Json, expect: Json, objects: Json) -> Json:
    """An operation as a vector records it: ``expect``, and ``objects`` unless none is new."""
    return {**op, "expect": expect, **({"objects": objects} if objects else {})}


#: Keys of a recorded operation that are not arguments of its command.
NOT_ARGUMENTS: Final = ("op", "expect", "objects")


def observe_with_objects(
    operations: list[Json] | tuple[Json, ...],
) -> tuple[list[Json], list[Json]]:
    """Replay ``operations`` on a fresh reference runtime: each answer, and the new objects."""
    from gritwit.adapter import ReferenceAdapter

    adapter = ReferenceAdapter()
    handle = adapter.handle({"seq": 0, "cmd": "wit-open"})["runtime"]

    def fetch(oid: str) -> bytes | None:
        reply = adapter.handle({"seq": 0, "cmd": "wit-object", "runtime": handle, "id": oid})
        return bytes.fromhex(reply["bytes"]) if reply["ok"] else None

    named: set[str] = set()
    known: set[str] = set()
    observed, objects = [], []
    for seq, op in enumerate(operations, 1):
        args = {k: v for k, v in op.items() if k not in NOT_ARGUMENTS}
        if op["op"] == "load":  # wasm-load (ADP-016): no runtime
            reply = adapter.handle({"seq": seq, "cmd": "wasm-load", **args})
        else:
            reply = adapter.handle(
                {"seq": seq, "cmd": f"wit-{op['op']}", "runtime": handle, **args}
            )
        expect = _answer(reply, op)
        named.update(v for k, v in expect.items() if k == "actor")
        named.update(v for k, v in args.items() if k in ("to", "actor") and op["op"] != "genesis")
        if op["op"] == "run" and reply["ok"]:
            named.update(actor for actor, _ in reply["steps"])
            heads = {}
            for actor in sorted(named):
                head = adapter.handle(
                    {"seq": 0, "cmd": "wit-head", "runtime": handle, "actor": actor}
                )
                heads[actor] = head.get("step")
            expect["heads"] = heads
        observed.append(expect)
        objects.append(collect_objects(fetch, answer_ids(expect), known))
    adapter.close()
    return observed, objects


def observe(operations: list[Json] | tuple[Json, ...]) -> list[Json]:
    """Replay ``operations`` on a fresh reference runtime; what each answered (``expect`` form)."""
    return observe_with_objects(operations)[0]


def scenario_problems(vector: Mapping[str, Any]) -> list[str]:
    """Problems replaying a scenario vector: ``expect`` and ``objects`` must be the reference's."""
    operations = vector["operations"]
    problems = []
    answers, objects = observe_with_objects(operations)
    for index, (op, got, found) in enumerate(zip(operations, answers, objects, strict=True)):
        if op["expect"] != got:
            problems.append(
                f"operation {index} ({op['op']}): recorded {json.dumps(op['expect'])[:300]}, "
                f"the reference answers {json.dumps(got)[:300]}"
            )
        if op.get("objects", {}) != found:
            problems.append(
                f"operation {index} ({op['op']}): recorded objects "
                f"{sorted(op.get('objects', {}))}, the reference's new objects {sorted(found)}"
            )
    return problems
