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

from .._check import call_ok, check, check_equal, check_error_class
from ._clauses import _class, _interpreter, _run, _stdout

pytestmark = pytest.mark.profile("sandbox")


@pytest.mark.req("SBX-006.3", "SBX-007.2", "ADP-019.2")
@pytest.mark.req("CONV-004")
def test_limits_left_out_are_the_defaults(impl: Implementation) -> None:
    mib = 1 << 20
    exact = f"import sys\nsys.stdout.write('x' * {mib})\n"
    hexed = _run(impl, exact, rule=("SBX-007.2", "ADP-019.2"))["stdout"]
    check_equal(
        ("SBX-007.2", "ADP-019.2"),
        2 * mib,
        len(hexed),
        "hex digits of the stdout of a run writing 1 MiB, within the default output limit",
    )
    over = _class(impl, exact.replace(f"{mib})", f"{mib + 1})"))
    check_error_class(
        ("SBX-007.2", "ADP-019.2"),
        "output-too-large",
        over,
        "the class of a run writing 1 MiB + 1 byte, past the default output limit",
    )
    memory = "b = bytearray(160 << 20)\nprint(len(b) >> 20)\n"
    check_equal(
        ("SBX-006.3", "ADP-019.2"),
        "160\n",
        _stdout(impl, memory, rule=("SBX-006.3", "ADP-019.2")),
        "stdout of a run using 160 MiB, within the default 256 MiB",
    )
    check_error_class(
        ("SBX-006.3", "ADP-019.2"),
        "memory-limit",
        _class(impl, "b = bytearray(300 << 20)\n"),
        "the class of a run using 300 MiB, past the default 256 MiB",
    )


# --- a program as an actor (SBX-010 … SBX-015) --------------------------------------------


def _core_of_head(impl: Implementation, runtime: str, actor: str, clause: str) -> dict[str, Any]:
    """The entries of the core of ``actor``'s head, each described; every answer on the
    way checked under ``clause``, the rule of the run that made the head."""
    step = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    check(clause, step, expected=f"a step of actor {actor[:12]}…", came=step)

    def get(oid: str) -> dict[str, Any]:
        found = call_ok(impl, clause, "wit-object", runtime=runtime, id=oid)
        return dict(g.object_to_json(g.decode_object(bytes.fromhex(found["bytes"]))))

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
    runtime = call_ok(impl, "SBX-010.1", "wit-open")["runtime"]
    made = call_ok(
        impl, "SBX-010.1", "wit-genesis", runtime=runtime, program=program, state={"x": "01"}
    )
    run = call_ok(impl, "SBX-010.1", "wit-run", runtime=runtime, max_steps=10)
    check_equal("SBX-010.1", [], run["failures"], "wit-run failures of a program's transition")
    entries = _core_of_head(impl, runtime, made["actor"], "SBX-011.2")
    mounted = g.object_id(g.Tree(entries={"x": g.object_id(g.Blob(data=b"\x01"))})).hex()
    check_equal(
        ("SBX-011.2", "SBX-012.4"),
        ["seen", "wit", "x"],
        sorted(entries),
        "the new core's entries: what the run left plus wit, nothing the program printed",
    )
    seen = json.loads(bytes.fromhex(entries["seen"]["data"]))
    check_equal(
        ("SBX-010.3", "SBX-011.1"),
        [mounted, ["x"]],
        seen,
        "the core id and /core listing the program saw: the mounted tree without the code entries",
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.2", "SBX-013.1")
@pytest.mark.inputs("ascii")
@pytest.mark.parametrize("name", ["wit", "wit_update"])
def test_a_run_that_leaves_a_code_entry_fails(impl: Implementation, name: str) -> None:
    runtime = call_ok(impl, "SBX-011.2", "wit-open")["runtime"]
    program = f"open({name!r}, 'w').write('print(1)')\n"
    actor = call_ok(impl, "SBX-011.2", "wit-genesis", runtime=runtime, program=program)["actor"]
    run = call_ok(impl, "SBX-011.2", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        ("SBX-011.2", "SBX-013.1"),
        [[actor, "invalid-transition"]],
        run["failures"],
        f"wit-run failures of a run leaving {name} at the top of /core",
    )
    head = call_ok(impl, "SBX-013.1", "wit-head", runtime=runtime, actor=actor)["step"]
    check_equal("SBX-013.1", None, head, "the head of an actor whose genesis failed")
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-015.2", "SBX-015.1")
def test_a_python_wit_update_names_no_update_function(impl: Implementation) -> None:
    runtime = call_ok(impl, "SBX-015.2", "wit-open")["runtime"]
    made = call_ok(
        impl, "SBX-015.2", "wit-genesis", runtime=runtime, program="open('n', 'w').write('1')\n"
    )
    actor_id = made["actor"]
    first = call_ok(impl, "SBX-015.1", "wit-run", runtime=runtime, max_steps=10)
    check_equal("SBX-015.1", [], first["failures"], "wit-run failures of the genesis transition")
    headers = {
        "interpreter": _interpreter(impl, "SBX-015.2"),
        "runtime": "python-wasi",
        "sandbox": "1",
    }
    update = {"tree": {"wit_update": {"blob": b"print(1)".hex(), "headers": headers}}}
    call_ok(
        impl, "SBX-015.2", "wit-send", runtime=runtime, to=actor_id, mt="update", content=update
    )
    run = call_ok(impl, "SBX-015.2", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        "SBX-015.2",
        [[actor_id, "unknown-wit"]],
        run["failures"],
        "wit-run failures of an update whose wit_update is a python-wasi blob",
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-010.1", "SBX-006.3")
def test_an_actor_runs_under_the_default_limits(impl: Implementation) -> None:
    program = "b = bytearray(160 << 20)\nopen('n', 'w').write(str(len(b) >> 20))\n"
    runtime = call_ok(impl, "SBX-010.1", "wit-open")["runtime"]
    actor = call_ok(impl, "SBX-010.1", "wit-genesis", runtime=runtime, program=program)["actor"]
    run = call_ok(impl, "SBX-010.1", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        ("SBX-010.1", "SBX-006.3"),
        [],
        run["failures"],
        "wit-run failures of a transition using 160 MiB, within the default 256 MiB",
    )
    entries = _core_of_head(impl, runtime, actor, "SBX-010.1")
    check_equal("SBX-010.1", b"160".hex(), entries["n"]["data"], "the entry n the run wrote")
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.3")
@pytest.mark.req("WIT-016")
def test_the_frozen_entry_is_mounted_and_guarded(impl: Implementation) -> None:
    held = _interpreter(impl, "SBX-011.3")
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = call_ok(impl, "SBX-011.3", "wit-open")["runtime"]
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
        call_ok(
            impl, "SBX-011.3", "wit-send", runtime=runtime, to=actor, mt="genesis", content=content
        )
        actors[name] = actor
    run = call_ok(impl, "SBX-011.3", "wit-run", runtime=runtime, max_steps=10)
    failures = dict(map(tuple, run["failures"]))
    check_equal(
        ("SBX-011.3", "WIT-016"),
        {actors["removes"]: "frozen-core", actors["changes"]: "frozen-core"},
        failures,
        "the failures of runs that read, remove and change the frozen entry",
    )
    seen = _core_of_head(impl, runtime, actors["reads"], "SBX-011.3")["seen"]["data"]
    check_equal(
        "SBX-011.3", "frozen", bytes.fromhex(seen).decode("latin-1"), "the /core the program saw"
    )
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
    headers = {
        "interpreter": _interpreter(impl, "SBX-015.1"),
        "runtime": "python-wasi",
        "sandbox": "1",
    }
    runtime = call_ok(impl, "SBX-015.1", "wit-open")["runtime"]
    actor = call_ok(impl, "SBX-015.1", "wit-genesis", runtime=runtime, program=first)["actor"]

    def step(mt: str, content: dict[str, Any]) -> dict[str, Any]:
        call_ok(impl, "SBX-015.1", "wit-send", runtime=runtime, to=actor, mt=mt, content=content)
        run = call_ok(impl, "SBX-015.1", "wit-run", runtime=runtime, max_steps=10)
        check_equal("SBX-015.1", [], run["failures"], f"wit-run failures after {mt}")
        return _core_of_head(impl, runtime, actor, "SBX-015.1")

    run = call_ok(impl, "SBX-015.1", "wit-run", runtime=runtime, max_steps=10)
    check_equal("SBX-015.1", [], run["failures"], "wit-run failures of the genesis transition")
    log = bytes.fromhex(_core_of_head(impl, runtime, actor, "SBX-015.1")["log"]["data"])
    check_equal(
        ("SBX-015.1", "SBX-010.2"),
        "genesis:None;",
        log.decode("latin-1"),
        "the log of the first transition's messages (the genesis, data null)",
    )
    core = step("update", {"tree": {"x": {"blob": "01"}}})
    check_equal(
        ("SBX-015.1", "WIT-013.4"),
        (["log", "wit", "x"], log.hex()),
        (sorted(core), core["log"]["data"]),
        "the core's entries and log after an update: merged, the program not run",
    )
    core = step("ping", {"blob": b"hi".hex()})
    check_equal(
        "SBX-015.1",
        (log + b"ping:'aGk=';").decode("latin-1"),
        bytes.fromhex(core["log"]["data"]).decode("latin-1"),
        "the log after a ping",
    )
    wit = {"blob": second.encode().hex(), "headers": headers}
    core = step("update", {"tree": {"wit": wit}})
    check(
        "SBX-015.1",
        "v2" not in core,
        expected="no entry v2 after the update that replaces wit (the new program not run yet)",
        came=lambda: sorted(core),
    )
    core = step("ping", {"blob": b"again".hex()})
    check_equal(
        "SBX-015.1",
        b"yes".hex(),
        core.get("v2", {}).get("data"),
        "the entry v2 the new program writes at the next transition",
    )
    impl.call("wit-close", runtime=runtime)
