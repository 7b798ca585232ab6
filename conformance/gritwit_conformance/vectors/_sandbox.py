"""Sandbox vectors (``vectors/sandbox.json``, ADP-019; chapter 09, SBX-001 … SBX-009).

Runs of Python programs through ``sandbox-run``: a counter whose core is carried
from run to run, an agent loop in the spirit of seed 003 (messages in, state in
files, requests to its host out as sends), the input file, the core round trip,
sends, and hostile programs, each followed by a normal run on the same adapter (a
neighbour that must keep working, ADP-019.4).  Cores the vector builds are recorded
in an operation's ``given``; cores a run leaves in its ``objects`` (ADP-017.1), and
the harness sends each run the objects its ``core`` reaches (ADP-019.6).

Expected cores are declared by hand from the objects the program should leave, and
expected output and sends as text: the generator checks them against what the
reference answered.  Each program is far from every limit except the one it is
about; the limits of the hostile ones are small, so the whole file runs in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from gritwit._codec import decode_object, encode_object, object_id
from gritwit._ids import ObjectId
from gritwit._json import object_from_json, object_to_json
from gritwit._objects import Blob, GritObject, Tree

from ._format import Case, Group, Suite
from ._sandbox_actors import actors as program_actors
from ._scenario_build import MAX_RECORDED_BLOB, children, with_answer

__all__ = [
    "COUNTER",
    "HOSTILE",
    "SandboxVector",
    "request_objects",
    "sandbox_problems",
    "suite",
]

Json = dict[str, Any]
#: The arguments of ``sandbox-run`` a vector operation carries (ADP-019.6: not ``objects``).
RUN_ARGUMENTS: Final = ("program", "core", "messages", "limits", "interpreter")

COUNTER: Final = (
    "import os\n"
    "n = int(open('n').read()) if os.path.exists('n') else 0\n"
    "open('n', 'w').write(str(n + 1))\n"
    "print(n + 1)\n"
)


def _counter_core(n: int) -> ObjectId:
    """The core the counter leaves after counting to ``n``: one file ``n`` (SBX-004.2)."""
    return object_id(Tree(entries={"n": object_id(Blob(data=str(n).encode()))}))


def files(entries: Mapping[str, Any]) -> tuple[ObjectId, Json]:
    """A core built from ``{name: text | bytes | (text, headers) | {sub-entries}}``.

    Returns the tree's id and the descriptions (OBJ-018) of all its objects.
    """
    found: dict[ObjectId, GritObject] = {}

    def build(node: Mapping[str, Any]) -> ObjectId:
        built: dict[str, ObjectId] = {}
        for name, value in node.items():
            obj: GritObject
            if isinstance(value, Mapping):
                built[name] = build(value)
                continue
            if isinstance(value, tuple):
                obj = Blob(data=value[0].encode(), headers=value[1])
            else:
                obj = Blob(data=value.encode() if isinstance(value, str) else value)
            built[name] = object_id(obj)
            found[built[name]] = obj
        tree = Tree(entries=built)
        found[object_id(tree)] = tree
        return object_id(tree)

    root = build(entries)
    return root, {oid.hex(): object_to_json(obj) for oid, obj in sorted(found.items())}


class SandboxVector:
    """Declares one sandbox vector: runs, plus hand-declared expectations."""

    def __init__(
        self, sid: str, comment: str, requirements: tuple[str, ...], flags: tuple[str, ...] = ()
    ) -> None:
        self.id, self.comment = "sandbox/" + sid, comment
        self.requirements = tuple(dict.fromkeys(("ADP-019", *requirements)))
        self.flags = flags
        self.operations: list[Json] = []
        self.declared: list[tuple[int, str, Any]] = []

    def _declare(self, key: str, value: Any) -> None:
        self.declared.append((len(self.operations) - 1, key, value))

    def info(self) -> None:
        self.operations.append({"op": "info"})

    def run(
        self,
        program: str,
        *,
        core: ObjectId | None = None,
        given: Json | None = None,
        messages: list[Json] | None = None,
        limits: dict[str, int] | None = None,
        interpreter: ObjectId | None = None,
        stdout: str | None = None,
        new_core: ObjectId | str | None = "?",
        sends: list[Json] | None = None,
        error: str | None = None,
    ) -> None:
        """One ``sandbox-run``; ``stdout``, ``new_core``, ``sends`` or ``error`` declared."""
        op: Json = {"op": "run", "program": program}
        if core is not None:
            op["core"] = core.hex()
        if given:
            op["given"] = given
        if messages is not None:
            op["messages"] = messages
        if limits:
            op["limits"] = limits
        if interpreter is not None:
            op["interpreter"] = interpreter.hex()
        self.operations.append(op)
        if error is not None:
            self._declare("error", error)
        if stdout is not None:
            self._declare("stdout", stdout.encode().hex())
        if new_core != "?":
            self._declare("core", None if new_core is None else str(new_core))
        if sends is not None:
            self._declare("sends", sends)

    def case(self) -> Case:
        answers, objects = observe(self.operations)
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


def request_objects(pool: Mapping[str, Json], core: str | None) -> list[str]:
    """The encodings (hex) of the objects ``core`` reaches in ``pool``, by ascending id."""
    if core is None:
        return []
    reached: dict[str, str] = {}
    todo = [core]
    while todo:
        oid = todo.pop()
        if oid in reached or oid not in pool:
            continue
        reached[oid] = encode_object(object_from_json(pool[oid])).hex()
        todo.extend(children(pool[oid]))
    return [reached[oid] for oid in sorted(reached)]


def _answer(reply: Json) -> Json:
    if not reply["ok"]:
        return {"error": reply["error"]["class"]}
    if "interpreter" in reply:
        return {"interpreter": reply["interpreter"]}
    return {k: reply[k] for k in ("stdout", "core", "sends")}


def observe(operations: list[Json] | tuple[Json, ...]) -> tuple[list[Json], list[Json]]:
    """Replay ``operations`` on one reference adapter: each answer, and its new objects."""
    from gritwit.adapter import ReferenceAdapter

    adapter = ReferenceAdapter()
    pool: Json = {}
    answers, objects = [], []
    for seq, op in enumerate(operations, 1):
        pool.update(op.get("given", {}))
        if op["op"] == "info":
            reply = adapter.handle({"seq": seq, "cmd": "sandbox-info"})
        else:
            args: Json = {k: op[k] for k in RUN_ARGUMENTS if k in op}
            args["objects"] = request_objects(pool, op.get("core"))
            reply = adapter.handle({"seq": seq, "cmd": "sandbox-run", **args})
        found: Json = {}
        for encoded in reply.get("objects", []) if reply["ok"] else []:
            obj = decode_object(bytes.fromhex(encoded))
            oid = object_id(obj).hex()
            if oid not in pool:
                if isinstance(obj, Blob) and len(obj.data) > MAX_RECORDED_BLOB:
                    raise ValueError(f"a vector's core holds a blob over {MAX_RECORDED_BLOB} bytes")
                found[oid] = object_to_json(obj)
        pool.update(found)
        answers.append(_answer(reply))
        objects.append(dict(sorted(found.items())))
    adapter.close()
    return answers, objects


def sandbox_problems(vector: Mapping[str, Any]) -> list[str]:
    """Problems replaying a sandbox vector: ``expect`` and ``objects`` must be the reference's."""
    operations = vector["operations"]
    answers, objects = observe(operations)
    problems = []
    for index, (op, got, found) in enumerate(zip(operations, answers, objects, strict=True)):
        if op["expect"] != got:
            problems.append(
                f"operation {index} ({op['op']}): recorded {json.dumps(op['expect'])[:300]}, "
                f"the reference answers {json.dumps(got)[:300]}"
            )
        if op.get("objects", {}) != found:
            problems.append(f"operation {index}: recorded objects differ from the reference's")
    return problems


V = SandboxVector


def _programs() -> list[SandboxVector]:
    out = []
    v = V("counter/runs", "a counter carried from run to run: the same core ids every time",
          ("SBX-003.1", "SBX-004.1", "SBX-004.2", "SBX-007.1", "SBX-009.1"))  # fmt: skip
    v.info()
    v.run(COUNTER, stdout="1\n", new_core=_counter_core(1).hex())
    for n in (1, 2, 1):  # the third run repeats the second's input: the same answer
        v.run(COUNTER, core=_counter_core(n), stdout=f"{n + 1}\n",
              new_core=_counter_core(n + 1).hex(), sends=[])  # fmt: skip
    out.append(v)

    v = V("input/transition", "the program, its input file, its directory and flags",
          ("SBX-003.2", "SBX-003.3", "SBX-005.1", "SBX-005.2"))  # fmt: skip
    core, given = files({"note": "hi"})
    program = (
        "import json, os, sys\n"
        "t = json.load(open('/input/transition.json'))\n"
        f"print(t['format'], t['core'] == {core.hex()!r},\n"
        "      json.dumps(t['messages'], sort_keys=True))\n"
        "print(__name__, os.path.isfile('/input/main.py'), os.getcwd(), sorted(os.environ))\n"
        "print(sys.flags.isolated, sys.flags.no_site, sys.flags.dont_write_bytecode)\n"
    )
    messages: list[Json] = [
        {"kind": "user", "text": "Grüezi"},
        {"n": 2, "nested": {"a": [1, None, True]}},
    ]
    v.run(program, core=core, given=given, messages=messages, new_core=core.hex(), stdout=(
        'gritwit-sandbox/1 True [{"kind": "user", "text": "Gr\\u00fcezi"}, '
        '{"n": 2, "nested": {"a": [1, null, true]}}]\n'
        "__main__ True /core []\n1 1 1\n"
    ))  # fmt: skip
    v.run("import json\nprint(json.load(open('/input/transition.json')))\n",
          stdout="{'core': None, 'format': 'gritwit-sandbox/1', 'messages': []}\n",
          new_core=None)  # fmt: skip
    out.append(v)

    v = V("core/round-trip", "unchanged files keep their blob ids and headers; empty "
          "directories vanish; an empty mount is no core",
          ("SBX-004.1", "SBX-004.2", "SBX-004.3"))  # fmt: skip
    core, given = files({
        "keep.txt": ("same", {"mime": "text/plain"}),
        "rewritten": ("same", {"mime": "text/plain"}),
        "changed": ("old", {"mime": "text/plain"}),
        "gone": "bye",
        "dir": {"sub": {"a": "x"}},
    })  # fmt: skip
    program = (
        "import os\n"
        "print(sorted(os.listdir('.')), open('dir/sub/a').read())\n"
        "open('rewritten', 'w').write('same')\n"
        "open('changed', 'w').write('new')\n"
        "os.remove('gone')\n"
        "os.remove('dir/sub/a')\n"
        "os.makedirs('new/deep')\n"
        "open('new/file', 'wb').write(bytes(range(4)))\n"
    )
    after, _ = files({
        "keep.txt": ("same", {"mime": "text/plain"}),
        "rewritten": ("same", {"mime": "text/plain"}),
        "changed": "new",
        "new": {"file": bytes(range(4))},
    })  # fmt: skip
    v.run(program, core=core, given=given, new_core=after.hex(),
          stdout="['changed', 'dir', 'gone', 'keep.txt', 'rewritten'] x\n")  # fmt: skip
    wipe = "import shutil, os\nfor name in os.listdir('.'):\n    shutil.rmtree(name) " \
        "if os.path.isdir(name) else os.remove(name)\n"  # fmt: skip
    v.run(wipe, core=after, new_core=None, stdout="")
    out.append(v)

    v = V("sends/declared", "sends declared in /out/sends.json, in order; a malformed file",
          ("SBX-004.5",))  # fmt: skip
    to = object_id(Blob(data=b"someone")).hex()
    program = (
        "import json\n"
        "open('/out/sends.json', 'w').write(json.dumps([\n"
        f"    {{'to': '{to}', 'headers': {{'mt': 'greet'}}, 'data': 'aGk='}},\n"
        f"    {{'to': '{to}'}},\n"
        "]))\n"
    )
    v.run(program, new_core=None, sends=[
        {"to": to, "headers": {"mt": "greet"}, "data": "6869"},
        {"to": to, "headers": {}, "data": ""},
    ])  # fmt: skip
    v.run("open('/out/sends.json', 'w').write('{\"to\": 1}')", error="invalid-transition")
    v.run("open('/out/sends.json', 'w').write('[{\"to\": \"zz\"}]')", error="invalid-transition")
    out.append(v)

    v = V("clock/fixed", "the clock never moves: two readings are equal, and a program that "
          "expects a difference fails", ("SBX-005.4", "SBX-008.3"))  # fmt: skip
    v.run(
        "import time\na = time.time()\nsum(range(10**5))\nb = time.time()\n"
        "print(a == b, a, time.monotonic_ns() == time.monotonic_ns(), time.time_ns())\n",
        stdout="True 946684800.0 True 946684800000000000\n", new_core=None,
    )  # fmt: skip
    v.run("import time\na = time.time()\nsum(range(10**5))\nassert time.time() > a\n",
          error="program-exit")  # fmt: skip
    v.run(COUNTER, stdout="1\n", new_core=_counter_core(1).hex())
    out.append(v)
    return out


AGENT: Final = """\
import json, os

t = json.load(open('/input/transition.json'))
history = json.load(open('history.json')) if os.path.exists('history.json') else []
step = int(open('step').read()) if os.path.exists('step') else 0
host = open('host').read().strip()
for m in t['messages']:
    if m['kind'] == 'reset':
        history = []
    elif m['kind'] in ('user', 'assistant'):
        history.append({'role': m['kind'], 'content': m['text']})
step += 1
open('step', 'w').write(str(step))
if history:
    open('history.json', 'w').write(json.dumps(history, ensure_ascii=False))
elif os.path.exists('history.json'):
    os.remove('history.json')
sends = []
if history and history[-1]['role'] == 'user':
    request = {'session': open('session').read(), 'messages': history}
    data = json.dumps(request, sort_keys=True).encode()
    import base64
    sends.append({'to': host, 'headers': {'mt': 'llm-request'},
                  'data': base64.b64encode(data).decode()})
open('/out/sends.json', 'w').write(json.dumps(sends))
print('step', step, 'turns', len(history), 'asks' if sends else 'waits')
"""


def _agent() -> list[SandboxVector]:
    v = V("agent/loop", "an agent loop (seed 003): messages in, history in files, requests "
          "for its host out as sends",
          ("SBX-003.3", "SBX-004.2", "SBX-004.5", "SBX-009.1"))  # fmt: skip
    host = object_id(Blob(data=b"llm-host")).hex()
    core, given = files({"host": host, "session": "demo"})

    def request(*turns: tuple[str, str]) -> Json:
        body = {"messages": [{"content": c, "role": r} for r, c in turns], "session": "demo"}
        data = json.dumps(body, sort_keys=True).encode()
        return {"to": host, "headers": {"mt": "llm-request"}, "data": data.hex()}

    def state(step: int, *turns: tuple[str, str]) -> ObjectId:
        entries: dict[str, Any] = {"host": host, "session": "demo", "step": str(step)}
        if turns:
            history = [{"role": r, "content": c} for r, c in turns]
            entries["history.json"] = json.dumps(history, ensure_ascii=False)
        return files(entries)[0]

    first = ("user", "What time is it?")
    v.run(AGENT, core=core, given=given, messages=[{"kind": "user", "text": first[1]}],
          stdout="step 1 turns 1 asks\n", new_core=state(1, first).hex(),
          sends=[request(first)])  # fmt: skip
    turns = (first, ("assistant", "Let me look."), ("user", "Thanks — and in Zürich?"))
    v.run(AGENT, core=state(1, first), messages=[
        {"kind": "assistant", "text": turns[1][1]}, {"kind": "user", "text": turns[2][1]},
    ], stdout="step 2 turns 3 asks\n", new_core=state(2, *turns).hex(),
        sends=[request(*turns)])  # fmt: skip
    done = (*turns, ("assistant", "It is noon in Zürich."))
    v.run(AGENT, core=state(2, *turns), messages=[{"kind": "assistant", "text": done[3][1]}],
          stdout="step 3 turns 4 waits\n", new_core=state(3, *done).hex(), sends=[])  # fmt: skip
    v.run(AGENT, core=state(3, *done), messages=[{"kind": "reset"}],
          stdout="step 4 turns 0 waits\n", new_core=state(4).hex(), sends=[])  # fmt: skip
    return [v]


#: hostile program → (its class, its limits, its flags, what it checks)
HOSTILE: Final[dict[str, tuple[str, str, dict[str, int], tuple[str, ...], tuple[str, ...]]]] = {
    "os-system": (
        "import os\nos.system('rm -rf /')\n",
        "forbidden-operation",
        {},
        (),
        ("SBX-005.6", "SBX-008.2"),
    ),
    "etc-passwd": (
        "print(open('/etc/passwd').read())\n",
        "forbidden-operation",
        {},
        (),
        ("SBX-005.1", "SBX-005.6"),
    ),
    "socket": (
        "import socket\nsocket.socket().connect(('127.0.0.1', 9))\n",
        "forbidden-operation",
        {},
        (),
        ("SBX-005.3", "SBX-005.6"),
    ),
    "sleep": ("import time\ntime.sleep(1)\n", "forbidden-operation", {}, (), ("SBX-005.3",)),
    "fork-bomb": (
        "import os\nwhile True:\n    os.fork()\n",
        "forbidden-operation",
        {},
        (),
        ("SBX-005.6", "SBX-008.2"),
    ),
    "infinite-loop": (
        "while True:\n    pass\n",
        "fuel-exhausted",
        {"fuel": 500_000_000},
        ("Fuel",),
        ("SBX-006.1",),
    ),
    "memory-hog": (
        "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
        "memory-limit",
        {"memory": 48 << 20},
        ("Memory",),
        ("SBX-006.2",),
    ),
    "huge-output": (
        "print('x' * 10_000)\n",
        "output-too-large",
        {"output": 4096},
        (),
        ("SBX-007.2",),
    ),
    "huge-core": (
        "open('big', 'wb').write(bytes(5000))\n",
        "output-too-large",
        {"core": 4096},
        (),
        ("SBX-007.3",),
    ),
    "abort": ("import os\nos.abort()\n", "trap", {}, (), ("SBX-008.4",)),
    "exit": ("raise SystemExit(3)\n", "program-exit", {}, (), ("SBX-008.3",)),
    "output-then-exit": (
        "print('x' * 10_000)\nraise SystemExit(1)\n",
        "output-too-large",
        {"output": 4096},
        (),
        ("SBX-008.1",),
    ),
    "forbidden-then-loop": (
        "import os\ntry:\n    os.system('x')\nexcept BaseException:\n"
        "    pass\nwhile True:\n    pass\n",
        "forbidden-operation",
        {"fuel": 500_000_000},
        (),
        ("SBX-008.1", "SBX-008.2"),
    ),
    "link": (
        "import os\nos.mkdir('d')\nopen('d/n', 'w').write('0')\nos.symlink('n', 'd/link')\n",
        "forbidden-operation",
        {},
        (),
        ("SBX-004.4",),
    ),
}


def _hostiles() -> list[SandboxVector]:
    out = []
    for name, (program, error, limits, flags, reqs) in HOSTILE.items():
        v = V(f"hostile/{name}", f"the hostile program {name} fails {error}; a counter "
              "beside it keeps counting", (*reqs, "SBX-008.1"), flags)  # fmt: skip
        v.run(program, limits=limits, error=error)
        v.run(COUNTER, stdout="1\n", new_core=_counter_core(1).hex())
        out.append(v)
    v = V("hostile/unknown-interpreter", "a run that names another interpreter: unknown-wit",
          ("SBX-002.1",))  # fmt: skip
    v.run("print(1)", interpreter=object_id(Blob(data=b"python-0.0.wasm")), error="unknown-wit")
    v.run(COUNTER, stdout="1\n", new_core=_counter_core(1).hex())
    out.append(v)
    return out


def suite() -> Suite:
    programs = Group("programs", "Python programs run through sandbox-run (ADP-019)", "sandbox")
    programs.cases.extend(v.case() for v in (*_programs(), *_agent()))
    hostile = Group("hostile", "Hostile programs: typed failures, neighbours unharmed", "sandbox")
    hostile.cases.extend(v.case() for v in _hostiles())
    actors = Group("actors", "Python programs as actors' Wits (ADP-019.7)", "scenario")
    actors.cases.extend(s.case() for s in program_actors())
    return Suite(
        "sandbox",
        "Sandboxed Python runs through the adapter protocol (ADP-019): programs, cores carried "
        "from run to run, an agent loop and hostile programs, with the reference's answers.",
        (programs, hostile, actors),
    )
