"""Bounds of one run on both sides, and the classes at their edges (SBX-003 … SBX-012).

Written against the surviving mutants of ``gritwit/sandbox/_run.py``, ``_actor.py``,
``wasi/_cost.py`` and ``wasi/_state.py``: the limits a caller leaves out are the
defaults exactly (SBX-006.3, SBX-007.3), a start-up below the snapshot point's memory
is ``memory-limit`` (SBX-006.8), a trap is ``trap`` unless it is at the memory limit
or the fuel's (SBX-006.2, SBX-008.1, SBX-008.4), a write past the output limit copies
and pays only the room left (SBX-005.16, SBX-006.5), every entry listed is paid
(SBX-006.5, SBX-006.6), an ``iovec`` array longer than one block is read whole
(SBX-005.15), the random stream is handed out whole and in order (SBX-005.5), a
malformed ``/out/sends.json`` of any JSON type is ``invalid-transition`` (SBX-004.5),
and a transition mounts the whole state, subtrees included (SBX-010.1, SBX-011.1).

Expected answers come from the rules; where a rule fixes a bound relative to what a
program costs (fuel), the cost is measured on the in-process reference, as
``test_run_limits_at_the_edge`` does.  Many checks share one run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_error_class, suite_premise
from ._runs import failure_class, ran

pytestmark = pytest.mark.profile("sandbox")

MIB = 1 << 20


def _stdout(impl: Implementation, program: str, **args: Any) -> bytes:
    return bytes.fromhex(ran(impl, program, **args)["stdout"])


_class = failure_class


def _reference_fuel(program: str, **limits: int) -> int:
    """The fuel the in-process reference meters for a successful run of ``program``."""
    from gritwit.sandbox import SandboxLimits, interpreter_path, run_python

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to measure the fuel with")
    with g.Store.memory() as store:
        fuel: int = run_python(program, store=store, limits=SandboxLimits(**limits)).fuel
    return fuel


# --------------------------------------------------------------------------- defaults


#: A ``/out/sends.json`` of exactly ``n`` bytes: an empty list padded with spaces.
SENDS = "open('/out/sends.json', 'w').write('[' + ' ' * ({n} - 2) + ']')\n"
#: 64 MiB + 1 byte of files in /core, none larger than one object holds (SBX-007.6).
CORE_OVER = (
    "m = memoryview(bytes(13 << 20))\n"
    "for name in 'abcd':\n"
    "    open(name, 'wb').write(m)\n"
    "open('e', 'wb').write(m[: (12 << 20) + 1])\n"
)
#: Needs a little more than 256 MiB of linear memory, and less than 257 MiB (it passes
#: with a limit of 257 MiB; not run here: filling 246 MiB takes most of a second).
MEMORY_OVER = "b = bytearray(246 << 20)\nprint(len(b))\n"


@pytest.mark.req("SBX-006.3", "SBX-007.3", "SBX-006.2", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_limits_left_out_are_the_defaults_at_their_bounds(impl: Implementation) -> None:
    """A member of ``limits`` left out keeps its default (ADP-019.2): a sends file of
    exactly 1 MiB passes and one byte more fails; 64 MiB + 1 byte of core fails (exactly
    64 MiB is not run: its answer would carry 64 MiB of objects); a program that needs a
    little more than 256 MiB fails as with an explicit limit of 256 MiB."""
    check_equal(
        ("SBX-007.3", "ADP-019.2"),
        [],
        ran(impl, SENDS.format(n=MIB))["sends"],
        "the sends of a /out/sends.json of exactly 1 MiB, within the default sends limit",
    )
    check_error_class(
        ("SBX-007.3", "ADP-019.2"),
        "output-too-large",
        _class(impl, SENDS.format(n=MIB + 1)),
        "the class of a /out/sends.json of 1 MiB + 1 byte, past the default sends limit",
    )
    check_error_class(
        ("SBX-007.3", "ADP-019.2"),
        "output-too-large",
        _class(impl, CORE_OVER),
        "the class of 64 MiB + 1 byte of files left in /core, past the default core limit",
    )
    check_error_class(
        "SBX-006.2",
        "memory-limit",
        _class(impl, MEMORY_OVER, limits={"memory": 256 * MIB}),
        "the class of a program needing more than 256 MiB under a memory limit of 256 MiB",
    )
    check_error_class(
        ("SBX-006.3", "ADP-019.2"),
        "memory-limit",
        _class(impl, MEMORY_OVER),
        "the class of a program needing more than 256 MiB (it fits 257 MiB) under the "
        "default memory limit of 256 MiB",
    )


# --------------------------------------------------------------------------- memory, traps


@pytest.mark.req("SBX-006.8", "SBX-006.4")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_start_up_below_the_snapshot_point_memory_is_memory_limit(impl: Implementation) -> None:
    """The module's minimum is 10 MiB and its start-up needs 10.875 MiB (SBX-006.8): a
    limit the interpreter instantiates in but cannot reach the snapshot point with fails
    → ``memory-limit``, never ``program-exit``, ``trap`` or ``fuel-exhausted``."""
    for memory in (10 * MIB, 10 * MIB + MIB // 2):
        check_error_class(
            "SBX-006.8",
            "memory-limit",
            _class(impl, "print(1)\n", limits={"memory": memory}),
            f"the class under a memory limit of {memory} bytes: the interpreter instantiates "
            "(its minimum is 10 MiB) but cannot start",
        )
    # the other side: the start-up needs 174 pages, 10.875 MiB (SBX-006.8)
    check_equal(
        "SBX-006.8",
        b"1\n",
        _stdout(impl, "print(1)\n", limits={"memory": 12 * MIB}),
        "stdout of print(1) under a memory limit of 12 MiB, above the start-up's 10.875 MiB",
    )


#: Takes memory a MiB at a time until there is none, then ends with ``{end}``.
AT_THE_LIMIT = """\
import os
keep = []
try:
    while True:
        keep.append(bytearray(1 << 20))
except MemoryError:
    pass
{end}
"""


@pytest.mark.req("SBX-008.4", "SBX-006.2", "SBX-008.1", "SBX-006.1")
@pytest.mark.req("CONV-004")
def test_a_trap_is_trap_at_the_memory_limit_memory_limit_and_out_of_fuel_fuel_exhausted(
    impl: Implementation,
) -> None:
    """``os.abort()`` traps (``unreachable``): far from the memory limit → ``trap``
    (SBX-008.4); after the program could get no more memory → ``memory-limit`` (a trap
    with the memory within 16 MiB of the limit, SBX-006.2); a loop that runs out of fuel
    there is ``fuel-exhausted``, which SBX-008.1 puts before ``memory-limit``."""
    check_error_class(
        "SBX-008.4",
        "trap",
        _class(impl, "import os\nos.abort()\n"),
        "the class of os.abort() far from the memory limit (a trap of the interpreter)",
    )
    limits = {"memory": 32 * MIB, "fuel": 400_000_000}
    at_limit = _class(impl, AT_THE_LIMIT.format(end="os.abort()"), limits=limits)
    check_error_class(
        "SBX-006.2",
        "memory-limit",
        at_limit,
        "the class of a trap once the program cannot get more memory",
    )
    looping = _class(impl, AT_THE_LIMIT.format(end="while True:\n    pass"), limits=limits)
    check_error_class(
        ("SBX-008.1", "SBX-006.1"),
        "fuel-exhausted",
        looping,
        "the class of running out of fuel at the memory limit (SBX-008.1's order)",
    )


# --------------------------------------------------------------------------- host work, fuel


#: Writes 5 bytes to standard output, then 1 MiB in one call.
WRITE = "import os\nos.write(1, b'12345')\nos.write(1, bytes(1 << 20))\n"
#: Lists a directory of five entries.
LISTING = "import os\nfor n in 'edcba':\n    open(n, 'w').close()\nprint(os.listdir('.'))\n"


@pytest.mark.req("SBX-005.16", "SBX-006.5", "SBX-006.6", "SBX-007.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_host_work_is_paid_exactly(impl: Implementation) -> None:
    """A write past the output limit copies and pays at most the room left and the byte
    that shows the limit passed (SBX-005.16, SBX-006.5): the same program, which pays its
    5 bytes and 1 MiB in full under a limit of 2 MiB, pays 5 and 5 + 1 under a limit of
    10 bytes, so it needs at most 1 MiB - 6 fuel less, and then fails
    ``output-too-large``, not ``fuel-exhausted``.  Listing five
    entries costs 5 000 each and their sort 500 each (SBX-006.5, SBX-006.6): the run
    passes with exactly its fuel, not with one less."""
    whole = _reference_fuel(WRITE, output_bytes=2 * MIB)
    limits = {"output": 10, "fuel": whole - MIB + 6}
    check_error_class(
        ("SBX-006.5", "SBX-005.16"),
        "output-too-large",
        _class(impl, WRITE, limits=limits),
        f"the class of 5 bytes then 1 MiB written with an output limit of 10 and "
        f"{whole - MIB + 6} fuel (what the run needs when it may write all of it, less the "
        "1 MiB - 6 bytes the host must not copy): the host pays for the room left and one "
        "byte only",
    )
    fuel = _reference_fuel(LISTING)
    want = b"['a', 'b', 'c', 'd', 'e']\n"
    check_equal(
        ("SBX-006.5", "SBX-006.6"),
        want,
        _stdout(impl, LISTING, limits={"fuel": fuel}),
        f"stdout of listing five entries with {fuel} fuel, what SBX-006.5's rates ask",
    )
    check_error_class(
        ("SBX-006.5", "SBX-006.6"),
        "fuel-exhausted",
        _class(impl, LISTING, limits={"fuel": fuel - 1}),
        f"the class of listing five entries with {fuel - 1} fuel, one less than "
        "SBX-006.5's and SBX-006.6's rates ask",
    )


#: Twenty writes and twenty reads through ``iovec`` arrays of 1 024 one-byte entries.
IOVECS = """\
import os
fd = os.open('f', os.O_CREAT | os.O_RDWR)
parts = [b'y'] * 1024
bufs = [bytearray(1) for _ in range(1024)]
for i in range(20):
    os.lseek(fd, 0, 0)
    os.writev(fd, parts)
    os.lseek(fd, 0, 0)
    os.readv(fd, bufs)
print(bytes(bufs[1023]).decode())
"""


@pytest.mark.req("SBX-006.5")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_iovec_entries_are_paid_each(impl: Implementation) -> None:
    """Every entry of an ``iovec`` array costs 2 000 (SBX-006.5): the 40 calls here pay
    81 920 000 for their entries, and the run passes with exactly the fuel the reference
    meters for it, not with one less.  A host that charges an array a flat rate, or 500
    an entry (the rate before the host-cost gate), lets it finish with less."""
    fuel = _reference_fuel(IOVECS)
    check_equal(
        "SBX-006.5",
        b"y\n",
        _stdout(impl, IOVECS, limits={"fuel": fuel}),
        f"stdout of 20 writes and 20 reads through 1 024 iovecs with {fuel} fuel",
    )
    check_error_class(
        "SBX-006.5",
        "fuel-exhausted",
        _class(impl, IOVECS, limits={"fuel": fuel - 1}),
        f"the class of 20 writes and 20 reads through 1 024 iovecs with {fuel - 1} fuel, one "
        "less than SBX-006.5's rates ask (2 000 an iovec entry)",
    )


#: More than one block of iovecs; the random stream in pieces that are no whole blocks.
STREAMS = """\
import os
print(os.writev(1, [b'a'] * 1024 + [b'b', b'c', b'd']))
for n in (65, 66, 97, 99, 130, 200, 231, 300, 1000):
    print(n, os.urandom(n).hex())
"""


@pytest.mark.req("SBX-005.15", "SBX-005.5", "SBX-009.1", "SBX-005.16")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_long_iovec_arrays_and_the_random_stream_are_handed_out_whole(
    impl: Implementation,
) -> None:
    """``os.writev`` of 1 027 buffers writes each, in order, and answers their sum
    (SBX-005.15, SBX-005.16); ``os.urandom`` of lengths that are no multiple of a SHA-256
    block hands out the run's stream whole and in order, from n = 0 (SBX-005.5), as the
    reference does in every process (SBX-009.1)."""
    got = _stdout(impl, STREAMS)
    head, _, rest = got.partition(b"1027\n")
    check_equal(
        "SBX-005.15",
        b"a" * 1024 + b"bcd",
        head,
        "what os.writev of 1024 x b'a' then b'b', b'c', b'd' wrote: every entry of the array, "
        "also past the first 1024",
    )
    known = reference_answer("sandbox-run", program=STREAMS)
    suite_premise(known.ok, f"the reference runs the streams program: {known}")
    want = bytes.fromhex(str(dict(known.result)["stdout"]))
    check_equal(
        ("SBX-005.5", "SBX-009.1"),
        want.partition(b"1027\n")[2],
        rest,
        "what os.urandom handed out: the run's stream SHA-256(seed ‖ n) from n = 0, whole "
        "and in order",
    )


# --------------------------------------------------------------------------- /out/sends.json


@pytest.mark.req("SBX-004.5")
@pytest.mark.inputs("ascii")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_sends_json_of_every_json_type_but_a_list_is_invalid_transition(
    impl: Implementation,
) -> None:
    """``/out/sends.json`` MUST be a JSON list of objects whose headers map text to
    text: an empty object, an empty string, a number, ``null``, ``true``, or a header
    value that is a number, are ``invalid-transition``."""
    to = "ab" * 32
    cases = ["{}", '""', "0", "null", "true", json.dumps([{"to": to, "headers": {"mt": 1}}])]
    program = "open('/out/sends.json', 'w').write({text!r})\n"
    for text in cases:
        check_error_class(
            "SBX-004.5",
            "invalid-transition",
            _class(impl, program.format(text=text)),
            f"the class of a /out/sends.json holding {text!r}, no list of sends",
        )
    good = json.dumps([{"to": to, "headers": {"mt": "1"}}])
    sends = ran(impl, program.format(text=good))["sends"]
    check_equal(
        "SBX-004.5",
        [{"to": to, "headers": {"mt": "1"}, "data": ""}],
        sends,
        "the sends of a /out/sends.json holding one send",
    )


# --------------------------------------------------------------------------- actors


FIRST_THEN_READ = """\
import os
if os.path.exists('d'):
    open('copy', 'w').write(open('d/e/f').read() + open('g').read())
else:
    os.makedirs('d/e')
    open('d/e/f', 'w').write('deep')
    open('g', 'w').write('top')
"""

EMPTY_HEADER_NAME = """\
import json
open('/out/sends.json', 'w').write(json.dumps([{{"to": {to!r}, "headers": {{"": "x"}}}}]))
"""


@pytest.mark.req("SBX-010.1", "SBX-011.1", "SBX-011.2", "SBX-012.3", "SBX-013.1", "OBJ-006.2")
@pytest.mark.req("SBX-004.1")
def test_a_transition_mounts_subtrees_and_refuses_a_header_a_message_cannot_carry(
    impl: Implementation,
) -> None:
    """The second transition of an actor sees the directories its first one left, all the
    way down (SBX-011.1: ``/core`` holds the core's other entries, SBX-004.1); a send whose
    header name is empty (OBJ-006.2: no message carries it) fails the transition →
    ``invalid-transition`` (SBX-012.3), and no step is adopted (SBX-013.1)."""
    runtime = call_ok(impl, "SBX-010.1", "wit-open")["runtime"]
    made = call_ok(impl, "SBX-010.1", "wit-genesis", runtime=runtime, program=FIRST_THEN_READ)
    actor = made["actor"]
    program = EMPTY_HEADER_NAME.format(to=actor)
    sender = call_ok(impl, "SBX-012.3", "wit-genesis", runtime=runtime, program=program)["actor"]
    run = call_ok(impl, "SBX-012.3", "wit-run", runtime=runtime, max_steps=20)
    check_equal(
        ("SBX-012.3", "OBJ-006.2"),
        [[sender, "invalid-transition"]],
        run["failures"],
        "wit-run failures: a send whose header name is empty fails its transition, the other "
        "actor runs",
    )
    head = call_ok(impl, "SBX-013.1", "wit-head", runtime=runtime, actor=sender)["step"]
    check_equal("SBX-013.1", None, head, "the head of the actor whose transition failed")
    call_ok(impl, "SBX-011.1", "wit-send", runtime=runtime, to=actor, mt="go", content={"blob": ""})
    run = call_ok(impl, "SBX-011.1", "wit-run", runtime=runtime, max_steps=20)
    check(
        ("SBX-011.1", "SBX-010.1"),
        actor not in dict(map(tuple, run["failures"])),
        expected=f"no failure of {actor[:12]}…: its second transition reads d/e/f its first "
        "one left",
        came=lambda: run["failures"],
    )
    step = call_ok(impl, "SBX-011.1", "wit-head", runtime=runtime, actor=actor)["step"]

    def get(oid: str) -> dict[str, Any]:
        got = call_ok(impl, "SBX-011.1", "wit-object", runtime=runtime, id=oid)
        return dict(g.object_to_json(g.decode_object(bytes.fromhex(got["bytes"]))))

    entries = get(get(step)["core"])["entries"]
    check_equal(
        ("SBX-011.1", "SBX-004.1"),
        b"deeptop",
        bytes.fromhex(get(entries["copy"])["data"]),
        "what the second run read of d/e/f and g of the mounted state",
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.profile("runtime")
@pytest.mark.req("SBX-008.4", "SBX-013.1", "RUN-005.3", "SBX-006.10")
def test_a_trap_in_a_runtime_transition_is_trap_not_time_limit(
    impl: Implementation, tmp_path: Path
) -> None:
    """Under a runtime's time bound (RUN-005.7) a transition that traps at once fails
    → ``trap`` (SBX-008.4, SBX-013.1): ``time-limit`` is only for a run the bound stops
    (SBX-006.10)."""
    held = call_ok(impl, "SBX-008.4", "sandbox-info")["interpreter"]
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    program = b"import os\nos.abort()\n"
    wit = g.object_id(g.Blob(data=program, headers=headers))
    actor = g.object_id(g.Tree(entries={"wit": wit})).hex()
    opened = call_ok(impl, "SBX-013.1", "rt-open", path=str(tmp_path), time_limit=30, first_delay=0)
    runtime = opened["runtime"]
    try:
        content = {"tree": {"wit": {"blob": program.hex(), "headers": headers}}}
        call_ok(
            impl, "SBX-013.1", "rt-send", runtime=runtime, to=actor, mt="genesis", content=content
        )
        run = call_ok(impl, "SBX-013.1", "rt-run", runtime=runtime, max_steps=20)
        classes = {cls for who, cls in run["attempts"] if who == actor}
        check_equal(
            ("SBX-008.4", "SBX-013.1"),
            ["trap"],
            sorted(classes),
            "the classes of every attempt of a python-wasi transition calling os.abort(), "
            "never time-limit within its bound",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# ------------------------------------------------------------------------ reads into iovecs

#: Reads of a 6-byte file into several buffers: split across two, one longer than what
#: is left, at an offset, and at the end.
READS = """\
import os
with open('/core/f', 'wb') as f:
    f.write(b'abcdef')
fd = os.open('/core/f', os.O_RDONLY)
a, b = bytearray(3), bytearray(5)
print(os.readv(fd, [a, b]), bytes(a), bytes(b))
os.lseek(fd, 0, 0)
c, d = bytearray(4), bytearray(4)
print(os.readv(fd, [c, d]), bytes(c), bytes(d))
print(os.readv(fd, [bytearray(2)]))
e, f2 = bytearray(1), bytearray(9)
print(os.preadv(fd, [e, f2], 2), bytes(e), bytes(f2))
print(os.preadv(fd, [bytearray(1)], 6))
"""


@pytest.mark.req("SBX-005.32")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_reads_fill_iovec_buffers_in_order(impl: Implementation) -> None:
    """A read fills its buffers in order, each whole before the next, and answers the
    bytes read, fewer only where the file ends (SBX-005.32)."""
    got = _stdout(impl, READS).decode().splitlines()
    z = "\\x00"
    want = [
        "6 b'abc' b'def" + z * 2 + "'",
        "6 b'abcd' b'ef" + z * 2 + "'",
        "0",
        "4 b'c' b'def" + z * 6 + "'",
        "0",
    ]
    check_equal("SBX-005.32", want, got, "what reads into several buffers printed")
