"""The wit blob of a program and the interpreter it names (SBX-001, SBX-002, ADP-019.3,
ADP-019.7): three headers on the source, a blob the host cannot run fails
``unknown-wit``, another interpreter is refused.  Helpers: :mod:`._clauses`.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_error_class
from ._clauses import _class, _interpreter, _stdout

pytestmark = pytest.mark.profile("sandbox")


# --- naming the code (SBX-001, SBX-002) --------------------------------------------------


@pytest.mark.req("SBX-001.1", "SBX-001.2", "SBX-001.3", "ADP-019.7")
@pytest.mark.inputs("ascii")
@pytest.mark.req("WIT-002")
def test_the_wit_blob_of_a_program_is_the_source_with_three_headers(impl: Implementation) -> None:
    program = "# Grüße\nprint('x')  \n\n\n"  # non-ASCII, trailing blanks: kept byte for byte
    held = _interpreter(impl, "SBX-001.1")
    blob = g.Blob(
        data=program.encode("utf-8"),
        headers={"interpreter": held, "runtime": "python-wasi", "sandbox": "1"},
    )
    runtime = call_ok(impl, "ADP-019.7", "wit-open")["runtime"]
    made = call_ok(impl, "ADP-019.7", "wit-genesis", runtime=runtime, program=program)
    core = g.Tree(entries={"wit": g.object_id(blob)})
    # wit-genesis of a program builds that core (ADP-019.7) of the wit blob SBX-001 fixes
    check_equal(
        ("ADP-019.7", "SBX-001.1", "SBX-001.2", "SBX-001.3", "WIT-002"),
        g.object_id(core).hex(),
        made["actor"],
        "the actor of wit-genesis of a program: the id of the core whose wit is the "
        "program's UTF-8 with the headers interpreter, runtime python-wasi and sandbox 1",
    )
    found = call_ok(impl, "ADP-019.7", "wit-object", runtime=runtime, id=g.object_id(blob).hex())
    check_equal(
        ("ADP-019.7", "SBX-001.1"),
        g.encode_object(blob),
        bytes.fromhex(found["bytes"]),
        "the stored wit blob of the program",
    )
    impl.call("wit-close", runtime=runtime)


def _genesis_of(impl: Implementation, runtime: str, headers: dict[str, str]) -> str:
    """Send the genesis of a core whose ``wit`` has ``headers``; the actor's id (WIT-002)."""
    wit = g.Blob(data=b"open('n', 'w').write('1')\n", headers=headers)
    actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    content = {"tree": {"wit": {"blob": wit.data.hex(), "headers": headers}}}
    call_ok(impl, "SBX-001.1", "wit-send", runtime=runtime, to=actor, mt="genesis", content=content)
    return actor


@pytest.mark.req("SBX-001.1", "SBX-001.3", "SBX-001.4", "SBX-002.1", "SBX-002.2", "SBX-002.3")
@pytest.mark.inputs("ascii")
@pytest.mark.req("CONV-004")
def test_a_wit_blob_the_host_cannot_run_fails_unknown_wit(impl: Implementation) -> None:
    held = _interpreter(impl, "SBX-001.1")
    good = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    other = held[:-1] + ("0" if held[-1] != "0" else "1")
    cases = {
        "sandbox 2": {**good, "sandbox": "2"},
        "sandbox 1.0": {**good, "sandbox": "1.0"},
        "no sandbox": {k: v for k, v in good.items() if k != "sandbox"},
        "no interpreter": {k: v for k, v in good.items() if k != "interpreter"},
        "another interpreter": {**good, "interpreter": other},
        "the uppercase id": {**good, "interpreter": held.upper()},
    }
    runtime = call_ok(impl, "SBX-001.4", "wit-open")["runtime"]
    fine = _genesis_of(impl, runtime, good)
    actors = {_genesis_of(impl, runtime, headers): name for name, headers in cases.items()}
    run = call_ok(impl, "SBX-001.4", "wit-run", runtime=runtime, max_steps=50)
    failures = {actor: error for actor, error in run["failures"]}
    stepped = {actor for actor, _ in run["steps"]}
    check(
        "SBX-001.1",
        fine in stepped,
        expected=f"a step of the control actor, whose wit has {good}",
        came=run,
    )
    for actor, name in actors.items():
        check_error_class(
            ("SBX-001.4", "SBX-002.1"),
            "unknown-wit",
            failures.get(actor),
            f"the failure of the transition of a wit blob with {name} (stepped: "
            f"{actor in stepped})",
        )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-002.1", "SBX-002.2", "ADP-019.3")
@pytest.mark.req("CONV-004")
def test_a_run_asking_for_another_interpreter_is_refused(impl: Implementation) -> None:
    held = _interpreter(impl, "SBX-002.1")
    other = held[:-1] + ("0" if held[-1] != "0" else "1")
    check_error_class(
        ("SBX-002.1", "SBX-002.2"),
        "unknown-wit",
        _class(impl, "print(1)", interpreter=other),
        "the class of a run naming an interpreter the host does not hold (not run on "
        "another build)",
    )
    check_equal(
        "SBX-002.1",
        "1\n",
        _stdout(impl, "print(1)", interpreter=held, rule="SBX-002.1"),
        "stdout of print(1) naming the interpreter the host holds",
    )
