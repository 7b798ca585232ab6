"""Runtime scenario vectors: operations on a durable runtime, kills included (ADP-015).

A runtime scenario opens a runtime (``rt-open`` with the vector's ``open``
options) in a fresh directory and sends each operation as ``rt-<op>``; its
arguments are those of the command without ``runtime``.  Three operations are
not commands:

* ``kill`` — the adapter is killed without shutdown (``SIGKILL``) and every
  runtime it had open is opened again on the same directory: a restart
  (RUN-003, RUN-007);
* ``transfer`` — ``rt-export`` of ``actor`` from the first runtime and
  ``rt-import`` into a second one, opened on a fresh directory the first time
  (RUN-009); later operations with ``"on": 1`` address the second runtime;
* every other operation MAY carry ``"on": 1`` likewise.

:func:`replay` drives any implementation through two callbacks and yields what
each operation answered in the vector's ``expect`` form; the generator records
the reference's answers and the conformance suite compares an implementation's
with them.  ``run`` answers carry ``heads``: the head of every actor the
scenario has named so far, read from the runtime that ran.  Beside ``expect``
an operation records ``objects``, the descriptions of the objects its answer's
ids reach that no earlier operation recorded (ADP-017, as in
:mod:`._scenario_build`); :func:`replay` ignores them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import blake3

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.wit import test_actor_core

from ._format import Case
from ._scenario_build import answer_ids, collect_objects, with_answer

__all__ = [
    "RUNTIME_OPERATIONS",
    "Call",
    "RuntimeScenario",
    "observe_runtime",
    "replay",
    "runtime_problems",
]

Json = dict[str, Any]
#: ``call(cmd, args) -> response`` — a response is ``{"ok": …, …}`` as on the wire.
Call = Callable[[str, Json], Json]

#: Operations that are sent as ``rt-<op>``.
COMMANDS: Final = (
    "genesis", "send", "run", "head", "object", "query", "ref", "events", "evict", "fork",
    "verify", "erase", "revert", "clear",
)  # fmt: skip
RUNTIME_OPERATIONS: Final = (*COMMANDS, "kill", "transfer")


def _bundle_answer(bundle_hex: str) -> Json:
    try:
        data = bytes.fromhex(bundle_hex)
    except ValueError:  # the protocol schema checks the digits, not the even length
        raise ValueError(
            f"rt-export answered a bundle that is not lowercase hex of even length "
            f"(ADP-004): {bundle_hex[:80]!r}"
        ) from None
    return {"bundle": blake3.blake3(data).hexdigest(), "size": len(data)}


def replay(
    call: Call,
    kill: Callable[[], None],
    options: Json,
    operations: Sequence[Json],
    directories: Callable[[int], Path],
) -> Iterator[Json]:
    """Run ``operations`` through ``call``; yield each one's answer in ``expect`` form (ADP-015).

    ``kill`` stops the implementation without shutdown; ``directories(n)``
    gives the directory of runtime ``n`` (created empty by the caller).
    """
    handles: list[str] = []

    def open_runtime(index: int) -> None:
        # no back-off between retries (ADP-015's first_delay): a scenario checks outcomes,
        # never the delay, and an overrun's retries would otherwise wait 15 s (RUN-004.10)
        reply = call("rt-open", {"path": str(directories(index)), "first_delay": 0, **options})
        if not reply["ok"]:
            raise RuntimeError(f"rt-open failed: {reply.get('error')}")
        if index < len(handles):
            handles[index] = reply["runtime"]
        else:
            handles.append(reply["runtime"])

    open_runtime(0)
    named: set[str] = set()
    for op in operations:
        args = {k: v for k, v in op.items() if k not in ("op", "expect", "objects", "on")}
        kind = op["op"]
        if kind == "kill":
            kill()
            for index in range(len(handles)):
                open_runtime(index)
            yield {}
            continue
        if kind == "transfer":
            if len(handles) < 2:
                open_runtime(1)
            exported = call("rt-export", {"runtime": handles[0], "actor": args["actor"]})
            if not exported["ok"]:
                yield {"error": exported["error"]["class"]}
                continue
            answer = _bundle_answer(exported["bundle"])  # checked before it is passed on
            imported = call("rt-import", {"runtime": handles[1], "bundle": exported["bundle"]})
            if imported["ok"]:
                answer |= {"actor": imported["actor"], "head": imported["head"]}
            else:
                answer["error"] = imported["error"]["class"]
            yield answer
            continue
        handle = handles[op.get("on", 0)]
        reply = call(f"rt-{kind}", {"runtime": handle, **args})
        if not reply["ok"]:
            yield {"error": reply["error"]["class"]}
            continue
        answer = {k: v for k, v in reply.items() if k not in ("ok", "seq")}
        if kind in ("genesis", "fork"):
            named.add(answer["actor"])
        if kind != "genesis":  # its ``actor`` is a test-actor name
            named.update(v for k, v in args.items() if k in ("to", "actor"))
        if kind == "run":
            named.update(actor for actor, _ in answer["steps"])
            heads = {}
            for actor in sorted(named):
                head = call("rt-head", {"runtime": handle, "actor": actor})
                heads[actor] = head["step"] if head["ok"] else None
            answer["heads"] = heads
        yield answer


def observe_runtime_objects(
    options: Json, operations: Sequence[Json]
) -> tuple[list[Json], list[Json]]:
    """What the reference answers to ``operations``, and each one's new objects (ADP-017).

    Every ``kill`` is a real abandonment.  The objects are read with ``rt-object``
    from the runtime the operation's last command addressed.
    """
    import tempfile

    from gritwit.adapter import ReferenceAdapter

    adapters = [ReferenceAdapter()]
    seq = 0
    last_runtime = ""

    def call(cmd: str, args: Json) -> Json:
        nonlocal seq, last_runtime
        seq += 1
        last_runtime = args.get("runtime", last_runtime)
        return adapters[-1].handle({"seq": seq, "cmd": cmd, **args})

    def kill() -> None:  # abandon without close, as SIGKILL would: nothing is flushed
        adapters.append(ReferenceAdapter())

    def fetch(oid: str) -> bytes | None:
        reply = call("rt-object", {"runtime": last_runtime, "id": oid})
        return bytes.fromhex(reply["bytes"]) if reply["ok"] else None

    with tempfile.TemporaryDirectory(prefix="gritwit-runtime-vector-") as top:

        def directory(index: int) -> Path:
            path = Path(top) / f"runtime-{index}"
            path.mkdir(exist_ok=True)
            return path

        known: set[str] = set()
        answers, objects = [], []
        for answer in replay(call, kill, options, operations, directory):
            answers.append(answer)
            objects.append(collect_objects(fetch, answer_ids(answer), known))
        for adapter in adapters:
            adapter.close()
    return answers, objects


def observe_runtime(options: Json, operations: Sequence[Json]) -> list[Json]:
    """What the reference answers to ``operations`` (each ``kill`` a real abandonment)."""
    return observe_runtime_objects(options, operations)[0]


def runtime_problems(vector: Mapping[str, Any]) -> list[str]:
    """Problems replaying a runtime vector: ``expect`` and ``objects`` must be the reference's."""
    operations = vector["operations"]
    problems = []
    answers, objects = observe_runtime_objects(vector["open"], operations)
    for index, (op, answer, found) in enumerate(zip(operations, answers, objects, strict=True)):
        if op["expect"] != answer:
            problems.append(
                f"operation {index} ({op['op']}): recorded {json.dumps(op['expect'])[:300]}, "
                f"the reference answers {json.dumps(answer)[:300]}"
            )
        if op.get("objects", {}) != found:
            problems.append(
                f"operation {index} ({op['op']}): recorded objects "
                f"{sorted(op.get('objects', {}))}, the reference's new objects {sorted(found)}"
            )
    return problems


class RuntimeScenario:
    """Declares one runtime scenario vector."""

    def __init__(
        self,
        sid: str,
        comment: str,
        requirements: tuple[str, ...],
        *,
        time_limit: float = 5.0,
        max_resident: int | None = None,
    ) -> None:
        self.id, self.comment = "runtime/" + sid, comment
        self.requirements = requirements
        self.options: Json = {"time_limit": time_limit, "max_resident": max_resident}
        self.operations: list[Json] = []
        self.declared: list[tuple[int, str, Any]] = []

    def _op(self, kind: str, on: int = 0, **args: Any) -> None:
        op: Json = {"op": kind, **args}
        if on:
            op["on"] = on
        self.operations.append(op)

    def declare(self, key: str, value: Any) -> None:
        """Declare part of the last operation's expected answer (checked at generation)."""
        self.declared.append((len(self.operations) - 1, key, value))

    def genesis(self, actor: str, on: int = 0, **state: str) -> ObjectId:
        blobs = {k: Blob(data=v.encode("utf-8")) for k, v in state.items()}
        oid = object_id(test_actor_core(actor, dict(blobs))[0])
        self._op("genesis", on, actor=actor, state={k: v.encode().hex() for k, v in state.items()})
        self.declare("actor", oid.hex())
        return oid

    def say(self, to: ObjectId, mt: str, text: str = "", on: int = 0, signal: bool = False) -> None:
        content = {"blob": text.encode("utf-8").hex()}
        self._op("send", on, to=to.hex(), mt=mt, content=content, signal=signal)

    def run(self, max_steps: int = 100, on: int = 0) -> None:
        self._op("run", on, max_steps=max_steps)

    def query(self, actor: ObjectId, name: str, on: int = 0, text: str | None = None) -> None:
        self._op("query", on, actor=actor.hex(), name=name)
        if text is not None:
            self.declare("data", text.encode("utf-8").hex())

    def op(self, kind: str, on: int = 0, **args: Any) -> None:
        """Any other operation (``kill``, ``events``, ``evict``, ``fork``, ``transfer`` …)."""
        self._op(kind, on, **args)

    def case(self) -> Case:
        answers, objects = observe_runtime_objects(self.options, self.operations)
        operations = tuple(
            with_answer(op, expect, found)
            for op, expect, found in zip(self.operations, answers, objects, strict=True)
        )
        return Case(
            self.id,
            self.comment,
            self.requirements,
            b"",
            (),
            operations=operations,
            declared=tuple(self.declared),
            options=dict(self.options),
        )
