"""Wasm scenario vectors (``vectors/wasm.json``, ADP-016; WASM-001 … WASM-022).

The Wasm builds of the test actors (``conformance/wasm/actors``) in the
scenarios of their Python twins, and the hostile modules
(``conformance/wasm/hostile``): loaded alone (``wasm-load``) and as actors.
Modules are embedded as hex; each is far from every limit except the one a
hostile module is about, so any host within the fuel bounds of WASM-020 agrees.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from gritwit.wasm import wasm_wit_blob

from ..data._paths import wasm_dir
from ._format import Group, Suite
from ._scenario_build import Scenario, blob, content_id, tree

__all__ = ["suite"]

S = Scenario


@cache
def _module(kind: str, name: str) -> bytes:
    return (wasm_dir() / kind / f"{name}.wasm").read_bytes()


def _actor(name: str) -> bytes:
    return _module("actors", name)


def _hostile(name: str) -> bytes:
    return _module("hostile", name)


def _wasm_core(name: str, **state: str) -> dict[str, object]:
    """A content description of a core running the Wasm build of test actor ``name``."""
    wit = wasm_wit_blob(_actor(name))
    return tree(wit=blob(wit.data, dict(wit.headers)), **{k: blob(v) for k, v in state.items()})


def _actors() -> list[Scenario]:
    out = []
    s = S("actor/echo", "the Wasm echo replies to every message, in order",
          ("ADP-016", "WASM-001.1", "WASM-022.2", "WIT-019", "WIT-005"))  # fmt: skip
    e = s.genesis_module(_actor("echo"))
    for text in ("one", "two"):
        s.say(e, "m", text)
    s.run(failures=[])
    s.say(e, "m", "three", signal=True)
    s.run(failures=[])
    out.append(s)

    s = S("actor/counter", "the Wasm counter counts across steps and answers its query",
          ("ADP-016", "WASM-014.6", "WASM-014.7", "WASM-022.2", "WIT-020"), ("Query",))  # fmt: skip
    c = s.genesis_module(_actor("counter"), count="10")
    s.say(c, "inc")
    s.say(c, "inc", "5")
    s.run(failures=[])
    s.say(c, "inc", "x")
    s.say(c, "get")
    s.run(failures=[])
    s.query(c, "count", text="16")
    s.query(c, "wut")
    s.fails_query(c, "nope", "unknown-query")
    out.append(s)

    s = S("actor/fanout", "the Wasm fanout queues to Wasm echoes; bad entries are skipped",
          ("ADP-016", "WASM-022.2", "WIT-021"))  # fmt: skip
    f = s.genesis_module(_actor("fanout"))
    e0 = s.genesis_module(_actor("echo"), n="0")
    e1 = s.genesis_module(_actor("echo"), n="1")
    s.send(f, "fanout", tree(a=blob(e0.hex()), b=blob(e1.hex()), c=blob("not an id")))
    s.run(failures=[])
    out.append(s)

    s = S("actor/spawner", "the Wasm spawner creates a Wasm echo by genesis",
          ("ADP-016", "WASM-022.2", "WIT-022", "WIT-012"), ("Spawn",))  # fmt: skip
    sp = s.genesis_module(_actor("spawner"))
    child = s.send(sp, "spawn", _wasm_core("echo", n="child"))
    s.run(failures=[])
    s.say(child, "m", "hello child")
    s.run(failures=[])
    out.append(s)

    s = S("actor/updater", "the Wasm updater turns itself into the test actor counter",
          ("ADP-016", "WASM-022.2", "WIT-023", "WIT-013"), ("Update",))  # fmt: skip
    u = s.genesis_module(_actor("updater"))
    s.say(u, "set-code", "counter")
    s.run()
    out.append(s)

    s = S("actor/budget", "two spends of the whole budget: exactly one granted",
          ("ADP-016", "WASM-022.2", "WIT-025"))  # fmt: skip
    b = s.genesis_module(_actor("budget"), budget="10")
    s.say(b, "spend", "10")
    s.say(b, "spend", "10")
    s.run(failures=[])
    s.query(b, "budget", text="0")
    out.append(s)

    s = S("actor/requester", "the Wasm requester asks a Wasm echo and keeps the answer",
          ("ADP-016", "WASM-022.2", "WIT-026"))  # fmt: skip
    r = s.genesis_module(_actor("requester"))
    e = s.genesis_module(_actor("echo"))
    s.send(r, "ask", tree(to=blob(e.hex()), question=blob("why?")))
    s.run(failures=[])
    out.append(s)

    s = S("actor/failing", "the Wasm failing actor traps: no step, messages stay pending",
          ("ADP-016", "WIT-024", "WASM-021", "WASM-015.1"), ("FailedTransition",))  # fmt: skip
    f = s.genesis_module(_actor("failing"))
    s.say(f, "m", "x")
    s.run()
    out.append(s)

    s = S("actor/slow", "the Wasm slow actor runs out of fuel; other actors keep running",
          ("ADP-016", "WIT-027", "WASM-020.1", "WASM-022.2"),
          ("FailedTransition", "Fuel"))  # fmt: skip
    slow = s.genesis_module(_actor("slow"))
    c = s.genesis_module(_actor("counter"))
    s.say(c, "inc", "2")
    s.run(failures=[[slow.hex(), "fuel-exhausted"]])
    s.query(c, "count", text="2")
    out.append(s)

    s = S("actor/wasm-and-test-actors", "a Wasm echo and the Python counter in one runtime",
          ("ADP-016", "WASM-001.1", "WIT-001"))  # fmt: skip
    e = s.genesis_module(_actor("echo"))
    c = s.genesis("counter")
    s.say(e, "m", "a")
    s.say(c, "inc", "3")
    s.run(failures=[])
    out.append(s)
    return out


def _agent() -> list[Scenario]:
    """The C agent of ``conformance/wasm/agent`` (built with Zig): a real guest, same ids."""
    agent = (wasm_dir() / "agent" / "agent.wasm").read_bytes()
    s = S("agent/conversation", "the C agent keeps a session's history across turns",
          ("ADP-016", "WASM-001.2", "WASM-007.4"))  # fmt: skip
    a = s.genesis_module(agent)
    s.say(a, "user", "What time is it?")
    s.run(failures=[])
    s.say(a, "assistant", "Let me look.")
    s.say(a, "user", "Thanks — and in Zürich?")
    s.run(failures=[])
    s.query(a, "step", text="1")
    s.query(a, "history")
    s.say(a, "reset")
    s.run(failures=[])
    s.query(a, "step", text="0")
    return [s]


def _images() -> list[Scenario]:
    """An image actor (WASM-023 … WASM-029): plain Wasm globals and memory kept by the host."""
    module = _module("image", "image_counter")
    out = []
    s = S("image/counter", "globals and memory survive steps; queries change nothing",
          ("ADP-016", "WASM-023.1", "WASM-024.3", "WASM-025.4", "WASM-025.7", "WASM-026.1",
           "WASM-027.2"),
          ("Image",))  # fmt: skip
    a = s.genesis_module(module, image="")
    s.say(a, "append", "abc")
    s.run(failures=[])
    s.say(a, "append", "de")
    s.say(a, "other", "ignored")
    s.run(failures=[])
    s.query(a, "count", text="2")
    s.query(a, "buffer", text="abcde")
    s.query(a, "starts", text="1")
    s.query(a, "bump", text="3")
    s.query(a, "count", text="2")
    out.append(s)

    s = S("image/large-write", "a write beyond the first data page grows memory; one page changes",
          ("ADP-016", "WASM-024.4", "WASM-025.2", "WASM-026.3"), ("Image",))  # fmt: skip
    a = s.genesis_module(module, image="")
    s.say(a, "append", "x" * 70_000)
    s.run(failures=[])
    s.say(a, "append", "y")
    s.run(failures=[])
    s.query(a, "count", text="2")
    out.append(s)

    s = S("image/not-empty-at-genesis", "a genesis image that is not the empty blob",
          ("ADP-016", "WASM-023.1"), ("Image", "FailedTransition"))  # fmt: skip
    a = s.genesis_module(module, image="junk")
    s.say(a, "append", "abc")
    s.run(failures=[[a.hex(), "invalid-image"]])
    out.append(s)
    return out


#: hostile module → (the class of loading it, or None; the class of running it)
HOSTILE: Final[dict[str, tuple[str | None, str]]] = {
    "forbidden_import": ("forbidden-import", "forbidden-import"),
    "wrong_signature": ("forbidden-import", "forbidden-import"),
    "two_memories": ("invalid-module", "invalid-module"),
    "no_step": ("invalid-module", "invalid-module"),
    "big_memory": ("memory-limit", "memory-limit"),
    "trap": (None, "trap"),
    "host_misuse": (None, "trap"),
    "memory_hog": (None, "trap"),
    "oversized_output": (None, "output-too-large"),
    "infinite_loop": (None, "fuel-exhausted"),
    "host_call_loop": (None, "fuel-exhausted"),
}
#: Outcomes that depend on fuel metering (ADP-016: flag ``Fuel``).
FUEL: Final = frozenset({"infinite_loop", "host_call_loop"})


def _hostiles() -> list[Scenario]:
    out = []
    for name, (load_error, run_error) in HOSTILE.items():
        flags = ("FailedTransition", "Fuel") if name in FUEL else ("FailedTransition",)
        slug = name.replace("_", "-")
        s = S(f"hostile/{slug}", f"the hostile module {name}: a typed error, no step adopted",
              ("ADP-016", "WASM-002.1", "WASM-021"), flags)  # fmt: skip
        s.load(_hostile(name), load_error)
        h = s.genesis_module(_hostile(name))
        c = s.genesis_module(_actor("counter"))
        s.say(h, "m", "go")
        s.say(c, "inc", "1")
        s.run(failures=[[h.hex(), run_error]])
        s.query(c, "count", text="1")
        out.append(s)
    s = S("hostile/memory-probe", "memory.grow is refused exactly at the memory limit",
          ("ADP-016", "WASM-016", "WASM-017.1"))  # fmt: skip
    s.load(_hostile("memory_probe"), None)
    probe = s.genesis_module(_hostile("memory_probe"))
    s.say(probe, "m", "grow")
    s.run(failures=[])
    out.append(s)
    s = S("hostile/not-wasm", "bytes that are not a Wasm binary module",
          ("ADP-016", "WASM-002.1", "WASM-001.2"))  # fmt: skip
    s.load(b"", "invalid-module")
    s.load(b"(module)", "invalid-module")
    s.load(b"\x00asm\x0d\x00\x01\x00", "invalid-module")
    s.load(_actor("echo")[:20], "invalid-module")
    s.load(_actor("echo"), None)
    out.append(s)
    s = S("hostile/unknown-abi", "a wit blob with runtime wasm and an unknown abi",
          ("ADP-016", "WASM-001.3"))  # fmt: skip
    core = tree(wit=blob(_actor("echo"), {"runtime": "wasm", "abi": "2"}))
    actor = content_id(core)
    s.send(actor, "genesis", core)
    s.run(failures=[[actor.hex(), "unknown-wit"]])
    out.append(s)
    return out


def suite() -> Suite:
    actors = Group("actors", "The Wasm builds of the test actors (ADP-016)", "scenario")
    actors.cases.extend(s.case() for s in (*_actors(), *_agent(), *_images()))
    hostile = Group("hostile", "Hostile modules: load checks and typed failures", "scenario")
    hostile.cases.extend(s.case() for s in _hostiles())
    return Suite(
        "wasm",
        "Wasm Wit scenarios through the adapter protocol (ADP-016): the test actors built for "
        "ABI 1 and hostile modules, with the reference's answers.",
        (actors, hostile),
    )
