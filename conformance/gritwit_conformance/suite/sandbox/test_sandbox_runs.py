"""``sandbox-run`` at its edges (ADP-019.2 … ADP-019.5; SBX-002, SBX-006, SBX-007).

Both sides of each limit — output, core and sends exactly at the limit pass, one
byte over fails; a program that fits its fuel and the same with less —, the
argument checks in the order of ADP-019.3, and after every hostile program a
counter on the same adapter process that must still count (ADP-019.4).  Expected
cores are built here from the files the program should leave, not asked of the
reference.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_error_class, error_answer, ok_answer, suite_premise
from ._runs import COUNTER, build, encodings, ran

pytestmark = pytest.mark.profile("sandbox")


def _fails(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return reply.error_class


def _counter_after(impl: Implementation, n: int) -> None:
    """A neighbour: the counter at ``n`` counts to ``n + 1`` (ADP-019.4, SBX-003.1)."""
    core, objects = build({"n": str(n).encode()})
    result = ran(impl, COUNTER, core=core, objects=encodings(objects, core))
    want, _ = build({"n": str(n + 1).encode()})
    check_equal(
        "ADP-019.4",
        (f"{n + 1}\n".encode(), want),
        (bytes.fromhex(result["stdout"]), result["core"]),
        f"after a hostile run, the counter at {n} answers {result}",
    )


@pytest.mark.smoke
@pytest.mark.req("ADP-019.1", "ADP-019.5", "SBX-002.2", "SBX-002.3")
def test_sandbox_info_names_the_pinned_interpreter(impl: Implementation) -> None:
    from gritwit.sandbox import INTERPRETER_SHA256, interpreter_path
    from gritwit.sandbox._interpreter import module_tree_id

    reply = impl.call("sandbox-info")
    info = ok_answer(reply, "ADP-019.5", "sandbox-info")
    path = interpreter_path()
    if path is None:
        pytest.skip("the harness has no interpreter to compute the expected id from")
    data = path.read_bytes()
    suite_premise(
        hashlib.sha256(data).hexdigest() == INTERPRETER_SHA256,
        "the harness's interpreter is the pinned build",
    )
    check_equal(
        "SBX-002.3",
        module_tree_id(data).hex(),
        info["interpreter"],
        "sandbox-info names another interpreter than the pinned build",
    )


#: hostile program → its class (each with limits small enough to be quick)
HOSTILE = {
    "import os\nos.system('echo hi')": ("forbidden-operation", {}),
    "open('/etc/hostname').read()": ("forbidden-operation", {}),
    "import socket\nsocket.create_connection(('example.org', 80))": ("forbidden-operation", {}),
    "import subprocess\nsubprocess.run(['ls'])": ("forbidden-operation", {}),
    "import os\nos.kill(1, 9)": ("forbidden-operation", {}),
    "while True:\n    pass": ("fuel-exhausted", {"fuel": 400_000_000}),
    "b = bytearray(100 << 20)": ("memory-limit", {"memory": 48 << 20}),
    "import sys\nsys.stderr.write('e' * 5000)": ("output-too-large", {"output": 4096}),
    "raise ValueError('no')": ("program-exit", {}),
}


@pytest.mark.req("ADP-019.4", "SBX-008.1", "SBX-003.1", "SBX-005.6", "SBX-006.1", "SBX-006.2",
                 "SBX-007.2", "SBX-008.3")  # fmt: skip
@pytest.mark.parametrize("program", list(HOSTILE), ids=lambda p: p.splitlines()[-1][:30])
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_neighbour_keeps_working_after_a_hostileran(impl: Implementation, program: str) -> None:
    error, limits = HOSTILE[program]
    got = _fails(impl, program, limits=limits)
    check_error_class("ADP-019.4", error, got, f"{program!r} with limits {limits}")
    _counter_after(impl, 41)


@pytest.mark.req("ADP-019.2", "SBX-007.1", "SBX-007.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("limit", [1000, 999])
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_output_at_the_limit_passes_one_byte_over_fails(impl: Implementation, limit: int) -> None:
    program = "import sys\nsys.stdout.write('x' * 1000)"
    if limit >= 1000:
        check_equal(
            "SBX-007.2",
            "78" * 1000,
            ran(impl, program, rule=("SBX-007.2", "ADP-019.2"), limits={"output": limit})["stdout"],
            f"stdout of 1000 bytes written under an output limit of {limit}",
        )
    else:
        check_error_class(
            "SBX-007.2",
            "output-too-large",
            _fails(impl, program, limits={"output": limit}),
            f"the class of 1000 bytes written under an output limit of {limit}",
        )


@pytest.mark.req("ADP-019.2", "SBX-007.3")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("limit", [1000, 999])
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_core_at_the_limit_passes_one_byte_over_fails(impl: Implementation, limit: int) -> None:
    program = "open('a', 'wb').write(bytes(600))\nopen('b', 'wb').write(bytes(400))"
    if limit >= 1000:
        want, _ = build({"a": bytes(600), "b": bytes(400)})
        check_equal(
            "SBX-007.3",
            want,
            ran(impl, program, rule=("SBX-007.3", "ADP-019.2"), limits={"core": limit})["core"],
            f"the core of 1000 bytes of files left under a core limit of {limit}",
        )
    else:
        check_error_class(
            "SBX-007.3",
            "output-too-large",
            _fails(impl, program, limits={"core": limit}),
            f"the class of 1000 bytes of files left under a core limit of {limit}",
        )


@pytest.mark.req("ADP-019.2", "SBX-004.5", "SBX-007.3")
@pytest.mark.inputs("ascii", "largest", "past-largest")
@pytest.mark.parametrize("limit", [300, 299])
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_sends_at_the_limit_pass_one_byte_over_fails(impl: Implementation, limit: int) -> None:
    to = "ab" * 32
    text = json.dumps([{"to": to}])
    padded = text + " " * (300 - len(text))
    program = f"open('/out/sends.json', 'w').write({padded!r})"
    if limit >= 300:
        sends = ran(impl, program, rule=("SBX-007.3", "ADP-019.2"), limits={"sends": limit})[
            "sends"
        ]
        check_equal(
            "SBX-007.3",
            [{"to": to, "headers": {}, "data": ""}],
            sends,
            f"the sends of a sends.json of 300 bytes under a sends limit of {limit}",
        )
    else:
        check_error_class(
            "SBX-007.3",
            "output-too-large",
            _fails(impl, program, limits={"sends": limit}),
            f"the class of a sends.json of 300 bytes under a sends limit of {limit}",
        )


@pytest.mark.req("ADP-019.2", "SBX-006.1")
@pytest.mark.req("ADP-019.4", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_program_that_fits_its_fuel_fails_with_less(impl: Implementation) -> None:
    # about 5.5 x 10**8 fuel from the snapshot point, where the run's fuel starts (SBX-006.4)
    program = "for i in range(3 * 10**5):\n    pass\nprint('done')"
    check_equal(
        "SBX-006.1",
        b"done\n".hex(),
        ran(impl, program, rule=("SBX-006.1", "ADP-019.2"), limits={"fuel": 1_000_000_000})[
            "stdout"
        ],
        "stdout of a loop that needs about 5.5 x 10**8 fuel, with 10**9",
    )
    check_error_class(
        "SBX-006.1",
        "fuel-exhausted",
        _fails(impl, program, limits={"fuel": 400_000_000}),
        "the class of a loop that needs about 5.5 x 10**8 fuel, with 4 x 10**8",
    )
    _counter_after(impl, 1)


@pytest.mark.req("ADP-019.2", "SBX-006.2")
@pytest.mark.req("ADP-019.4", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_program_that_fits_its_memory_fails_with_less(impl: Implementation) -> None:
    program = "b = bytearray(64 << 20)\nprint(len(b))"
    check_equal(
        "SBX-006.2",
        b"67108864\n".hex(),
        ran(impl, program, rule=("SBX-006.2", "ADP-019.2"), limits={"memory": 128 << 20})["stdout"],
        "stdout of a program using 64 MiB under a memory limit of 128 MiB",
    )
    check_error_class(
        "SBX-006.2",
        "memory-limit",
        _fails(impl, program, limits={"memory": 48 << 20}),
        "the class of a program using 64 MiB under a memory limit of 48 MiB",
    )
    _counter_after(impl, 1)


@pytest.mark.req("ADP-019.3", "ADP-004.6", "SBX-006.9")
@pytest.mark.inputs("ascii", "lone-surrogate", "empty", "past-largest")
@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({}, "bad-request"),
        ({"program": 5}, "bad-request"),
        ({"program": "\ud800"}, "bad-request"),
        ({"program": 5, "core": "zz"}, "bad-request"),
        ({"program": "", "core": "zz"}, "invalid-id"),
        ({"program": "", "core": "zz", "objects": "00"}, "invalid-id"),
        ({"program": "", "objects": "00"}, "bad-request"),
        ({"program": "", "objects": ["abc"]}, "bad-request"),
        ({"program": "", "objects": ["AB"]}, "bad-request"),
        ({"program": "", "objects": ["abc"], "messages": 1}, "bad-request"),
        ({"program": "", "messages": [1]}, "bad-request"),
        ({"program": "", "messages": {}}, "bad-request"),
        ({"program": "", "messages": [{"a": "\ud800"}]}, "bad-request"),
        ({"program": "", "limits": []}, "bad-request"),
        ({"program": "", "limits": {"speed": 1}}, "bad-request"),
        ({"program": "", "limits": {"fuel": 0}}, "bad-request"),
        ({"program": "", "limits": {"fuel": True}}, "bad-request"),
        ({"program": "", "limits": {"memory": 1.5}}, "bad-request"),
        ({"program": "", "limits": {"output": 2**53}}, "bad-request"),
        ({"program": "", "limits": {"fuel": 0}, "interpreter": "zz"}, "bad-request"),
        ({"program": "", "interpreter": "zz"}, "invalid-id"),
        ({"program": "", "interpreter": "ab" * 32}, "unknown-wit"),
        ({"program": "", "interpreter": "ab" * 32, "objects": ["00"]}, "unknown-wit"),
    ],
)
@pytest.mark.req("CONV-004")
def test_arguments_are_checked_in_the_table_s_order(
    impl: Implementation, args: dict[str, Any], error: str
) -> None:
    reply = impl.call("sandbox-run", check=False, **args)
    error_answer(reply, "ADP-019.3", error, f"sandbox-run {args!r:.200}")


@pytest.mark.req("ADP-019.3", "ADP-019.2")
@pytest.mark.inputs("largest")
@pytest.mark.req("ENC-014")
def test_the_largest_limit_is_accepted(impl: Implementation) -> None:
    result = ran(impl, "print(7)", limits={"output": 2**53 - 1, "sends": 2**53 - 1})
    check_equal(
        "ADP-019.3", b"7\n".hex(), result["stdout"], "stdout of print(7) under the largest limits"
    )


@pytest.mark.req("ADP-019.3", "ID-004", "SBX-004.1")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_the_objects_and_core_are_checked_before_theran(impl: Implementation) -> None:
    core, objects = build({"n": b"1"})
    blob = g.object_id(g.Blob(data=b"1")).hex()
    everything = encodings(objects, core)
    try:
        g.decode_object(bytes.fromhex("00"))
        undecodable = None
    except g.GritError as exc:
        undecodable = exc.error_class
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"objects": ["00"]}, undecodable),
        ({"core": core}, "not-found"),
        ({"core": core, "objects": [e for e in everything if e != everything[0]]}, "not-found"),
        ({"core": blob, "objects": everything}, "invalid-transition"),
    ]
    for args, error in cases:
        reply = impl.call("sandbox-run", program="print(1)", **args)
        check_equal(
            "ADP-019.3",
            error,
            reply.error_class,
            f"sandbox-run {args!r:.200}: expected {error}, got {reply}",
        )
    result = ran(impl, "print(open('n').read())", core=core, objects=everything)
    check_equal(
        "ADP-019.3",
        (b"1\n".hex(), core),
        (result["stdout"], result["core"]),
        "stdout and core of a run given its core's objects",
    )
