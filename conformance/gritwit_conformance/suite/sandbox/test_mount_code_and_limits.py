"""The mount, the code entries and the limits of an actor's run (SBX-006.3, SBX-010,
SBX-011, SBX-013.1, SBX-015): the mount is the core without its code, a run that
leaves a code entry fails, the frozen entry is guarded, limits left out are the
defaults, genesis and updates as the Wit chapter says.  Helpers: :mod:`._clauses`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._clauses import _class, _interpreter, _run, _stdout

pytestmark = pytest.mark.profile("sandbox")


@pytest.mark.req("SBX-006.3", "SBX-007.2", "ADP-019.2")
def test_limits_left_out_are_the_defaults(impl: Implementation) -> None:
    mib = 1 << 20
    exact = f"import sys\nsys.stdout.write('x' * {mib})\n"
    assert len(_run(impl, exact)["stdout"]) == 2 * mib, "1 MiB of output is within the default"
    assert _class(impl, exact.replace(f"{mib})", f"{mib + 1})")) == "output-too-large"
    memory = "b = bytearray(160 << 20)\nprint(len(b) >> 20)\n"
    assert _stdout(impl, memory) == "160\n", "160 MiB is within the default 256 MiB"
    assert _class(impl, "b = bytearray(300 << 20)\n") == "memory-limit"


# --- a program as an actor (SBX-010 … SBX-015) --------------------------------------------


def _core_of_head(impl: Implementation, runtime: str, actor: str) -> dict[str, Any]:
    step = impl.call("wit-head", runtime=runtime, actor=actor).result["step"]
    assert step, f"actor {actor[:12]}… has no step"

    def get(oid: str) -> dict[str, Any]:
        reply = impl.call("wit-object", runtime=runtime, id=oid)
        assert reply.ok, f"wit-object {oid[:12]}…: {reply}"
        return dict(g.object_to_json(g.decode_object(bytes.fromhex(reply.result["bytes"]))))

    core = get(get(step)["core"])
    return {name: get(oid) for name, oid in core["entries"].items()}


@pytest.mark.req("SBX-010.3", "SBX-011.1", "SBX-011.2", "SBX-012.4", "SBX-010.1")
def test_the_mount_is_the_core_without_its_code(impl: Implementation) -> None:
    program = (
        "import json, os\nt = json.load(open('/input/transition.json'))\n"
        "seen = [t['core'], sorted(os.listdir('.'))]\n"
        "open('seen', 'w').write(json.dumps(seen))\n"
        "print('printed, not kept')\n"
    )
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=program, state={"x": "01"})
    assert actor.ok, f"wit-genesis: {actor}"
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], f"wit-run: {reply}"
    entries = _core_of_head(impl, runtime, actor.result["actor"])
    mounted = g.object_id(g.Tree(entries={"x": g.object_id(g.Blob(data=b"\x01"))})).hex()
    assert sorted(entries) == ["seen", "wit", "x"], (
        f"the new core holds {sorted(entries)}: what the run left plus wit, nothing the "
        "program printed (SBX-011.2, SBX-012.4)"
    )
    seen = json.loads(bytes.fromhex(entries["seen"]["data"]))
    assert seen == [mounted, ["x"]], (
        f"the program saw core {seen[0]!r} and /core {seen[1]}: expected the mounted tree "
        f"{mounted[:12]}… without the code entries (SBX-010.3, SBX-011.1)"
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.2", "SBX-013.1")
@pytest.mark.inputs("ascii")
@pytest.mark.parametrize("name", ["wit", "wit_update"])
def test_a_run_that_leaves_a_code_entry_fails(impl: Implementation, name: str) -> None:
    runtime = impl.call("wit-open").result["runtime"]
    program = f"open({name!r}, 'w').write('print(1)')\n"
    actor = impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [[actor, "invalid-transition"]], (
        f"a run leaving {name} at the top of /core must fail → invalid-transition "
        f"(SBX-011.2); got {reply}"
    )
    assert impl.call("wit-head", runtime=runtime, actor=actor).result["step"] is None
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-015.2", "SBX-015.1")
def test_a_python_wit_update_names_no_update_function(impl: Implementation) -> None:
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program="open('n', 'w').write('1')\n")
    actor_id = actor.result["actor"]
    assert impl.call("wit-run", runtime=runtime, max_steps=10).result["failures"] == []
    headers = {
        "interpreter": _interpreter(impl),
        "runtime": "python-wasi",
        "sandbox": "1",
    }
    update = {"tree": {"wit_update": {"blob": b"print(1)".hex(), "headers": headers}}}
    sent = impl.call("wit-send", runtime=runtime, to=actor_id, mt="update", content=update)
    assert sent.ok, f"wit-send of an update: {sent}"
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [[actor_id, "unknown-wit"]], (
        f"an update whose wit_update is a python-wasi blob must fail → unknown-wit "
        f"(SBX-015.2); got {reply}"
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-010.1", "SBX-006.3")
def test_an_actor_runs_under_the_default_limits(impl: Implementation) -> None:
    program = "b = bytearray(160 << 20)\nopen('n', 'w').write(str(len(b) >> 20))\n"
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], (
        f"a transition using 160 MiB fails, within the default 256 MiB (SBX-010.1, "
        f"SBX-006.3): {reply}"
    )
    assert _core_of_head(impl, runtime, actor)["n"]["data"] == b"160".hex()
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.3")
@pytest.mark.req("WIT-016")
def test_the_frozen_entry_is_mounted_and_guarded(impl: Implementation) -> None:
    held = _interpreter(impl)
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = impl.call("wit-open").result["runtime"]
    actors = {}
    for name, program in {
        "reads": "import os\nseen = ' '.join(sorted(os.listdir('.')))\n"
        "open('seen', 'w').write(seen)\n",
        "removes": "import os\nos.remove('frozen')\nopen('n', 'w').write('1')\n",
        "changes": "open('frozen', 'w').write('thawed')\n",
    }.items():
        wit = g.Blob(data=program.encode(), headers=headers)
        frozen = g.Blob(data=b"yes")
        core = g.Tree(entries={"wit": g.object_id(wit), "frozen": g.object_id(frozen)})
        content = {
            "tree": {
                "wit": {"blob": wit.data.hex(), "headers": headers},
                "frozen": {"blob": frozen.data.hex()},
            }
        }
        actor = g.object_id(core).hex()
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt="genesis", content=content)
        assert sent.ok, f"wit-send: {sent}"
        actors[name] = actor
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok, f"wit-run: {reply}"
    failures = dict(map(tuple, reply.result["failures"]))
    assert failures == {actors["removes"]: "frozen-core", actors["changes"]: "frozen-core"}, (
        f"a run that removes or changes the frozen entry must fail → frozen-core "
        f"(SBX-011.3, WIT-016); failures: {reply.result['failures']}"
    )
    seen = _core_of_head(impl, runtime, actors["reads"])["seen"]["data"]
    assert bytes.fromhex(seen) == b"frozen", "frozen is mounted like any state entry"
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-015.1", "SBX-010.2")
@pytest.mark.req("WIT-013.4")
def test_genesis_and_updates_as_the_wit_chapter_says(impl: Implementation) -> None:
    first = (
        "import json, os\nt = json.load(open('/input/transition.json'))\n"
        "log = open('log').read() if os.path.exists('log') else ''\n"
        "for m in t['messages']:\n"
        "    log += m['headers'].get('mt', '-') + ':' + repr(m['data']) + ';'\n"
        "open('log', 'w').write(log)\n"
    )
    second = "open('v2', 'w').write('yes')\n"
    headers = {"interpreter": _interpreter(impl), "runtime": "python-wasi", "sandbox": "1"}
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=first).result["actor"]

    def step(mt: str, content: dict[str, Any]) -> dict[str, Any]:
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt=mt, content=content)
        assert sent.ok, f"wit-send {mt}: {sent}"
        reply = impl.call("wit-run", runtime=runtime, max_steps=10)
        assert reply.ok and reply.result["failures"] == [], f"wit-run after {mt}: {reply}"
        return _core_of_head(impl, runtime, actor)

    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], f"the genesis transition: {reply}"
    log = bytes.fromhex(_core_of_head(impl, runtime, actor)["log"]["data"])
    assert log == b"genesis:None;", (
        f"the first transition's messages must hold the genesis, data null (SBX-015.1, "
        f"SBX-010.2): {log!r}"
    )
    core = step("update", {"tree": {"x": {"blob": "01"}}})
    assert sorted(core) == ["log", "wit", "x"] and bytes.fromhex(core["log"]["data"]) == log, (
        "an update is merged into the core without running the program (SBX-015.1, WIT-013.4)"
    )
    core = step("ping", {"blob": b"hi".hex()})
    assert bytes.fromhex(core["log"]["data"]) == log + b"ping:'aGk=';"
    wit = {"blob": second.encode().hex(), "headers": headers}
    core = step("update", {"tree": {"wit": wit}})
    assert "v2" not in core
    core = step("ping", {"blob": b"again".hex()})
    assert core.get("v2", {}).get("data") == b"yes".hex(), (
        "after an update that replaces wit, the next transition runs the new program (SBX-015.1)"
    )
    impl.call("wit-close", runtime=runtime)
