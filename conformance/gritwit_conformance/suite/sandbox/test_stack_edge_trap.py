"""A trap near the end of the interpreter's stack that is no exhaustion stays ``trap`` (SBX-008.6).

SBX-008.6 draws the line at a stack pointer below 65 536: a trap there is the interpreter's
stack exhausted, ``stack-exhausted``; any other trap is ``trap`` (SBX-008.4).  The tests of
``test_stack_exhausted.py`` look at the two ends only: recursion past the whole stack (its
pointer below 0) and ``os.abort()`` at the top.  Here a program's own wild read — a code
object whose ``LOAD_CONST`` reads a constant 2**28 entries past its tuple, a gibibyte past
any memory the run may have — traps ``MEMORY_OUT_OF_BOUNDS`` at the top of the stack and
near its end, where the pointer is still above 64 KiB.

The depth is found on the implementation itself, relative to the end of the stack, so it
does not depend on where the host's start-up leaves the pointer: ``P`` is the least depth
of a recursion through C (``sorted`` calling its key) that exhausts the stack, and the
read is made ``P - 9`` levels down.  Each level of the pinned build takes 10 208 bytes of
its stack, and the plain recursion exhausts it at the first depth at which the read's
pointer would be below a point between -2 016 and 8 192 bytes, so at ``P - 1`` that pointer
lies between -2 016 and 18 400, and at ``P - 9``, eight levels up, between 79 648 and
100 064 (89 856 in the reference): above the line, and below 131 072.  A host that draws
the line at 128 KiB, or takes every out-of-bounds trap for an exhausted stack, answers
``stack-exhausted`` there.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from ._runs import check_class, failure_class

pytestmark = pytest.mark.profile("sandbox")

#: ``h(n)`` recurses ``n`` levels through C (``sorted`` calling ``h`` as its key), then
#: calls ``f``: a wild read when ``{wild}`` makes ``f``'s code read constant 2**28
#: (``EXTENDED_ARG`` ×3, ``LOAD_CONST``), else a plain return.
PROGRAM = (
    "def f():\n    return 1\n"
    "{wild}"
    "def h(n):\n    if n <= 0:\n        f()\n        return 0\n    sorted([n - 1], key=h)\n"
    "    return 0\n"
    "h({depth})\nprint('done')\n"
)
WILD = (
    "f.__code__ = f.__code__.replace(\n"
    "    co_code=bytes([151, 0, 144, 0x10, 144, 0, 144, 0, 100, 0, 83, 0])\n)\n"
)
#: Levels above the stack's end where the wild read is made (the module doc).
ABOVE_END = 9
#: The deepest recursion looked for; the pinned build's stack ends some 50 levels down.
DEEPEST = 4096


def _exhausting_depth(impl: Implementation) -> int:
    """The least depth at which the plain recursion fails (SBX-008.6: ``stack-exhausted``)."""
    low, high = 0, 64
    while failure_class(impl, PROGRAM.format(wild="", depth=high)) is None and high < DEEPEST:
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        if failure_class(impl, PROGRAM.format(wild="", depth=middle)) is None:
            low = middle
        else:
            high = middle
    check_class(
        "SBX-008.6",
        "stack-exhausted",
        failure_class(impl, PROGRAM.format(wild="", depth=high)),
        f"a recursion through C (sorted calling its key) {high} levels deep, the least depth "
        f"found to fail (at most {DEEPEST}): the interpreter's stack exhausted",
    )
    return high


@pytest.mark.req("SBX-008.6", "SBX-008.4", "SBX-008.1")
@pytest.mark.req("CONV-004")
def test_a_wild_read_above_the_last_64_kib_of_the_stack_is_trap(impl: Implementation) -> None:
    check_class(
        "SBX-008.4",
        "trap",
        failure_class(impl, PROGRAM.format(wild=WILD, depth=0)),
        "a LOAD_CONST 2**28 entries past its constants, at the top of the stack: a trap of "
        "the interpreter (memory out of bounds), not its stack exhausted",
    )
    end = _exhausting_depth(impl)
    depth = end - ABOVE_END
    check_class(
        "SBX-008.6",
        "trap",
        failure_class(impl, PROGRAM.format(wild=WILD, depth=depth)),
        f"the same wild read {depth} levels down, {ABOVE_END} levels above the depth at which "
        f"the recursion exhausts the stack ({end}): its pointer is still above 64 KiB (some "
        "79 000 to 101 000 bytes of the pinned build's stack left), so the trap is a trap, "
        "not the stack exhausted",
    )


#: ``f`` aborts the interpreter (``os.abort()``: a trap that is no access outside the memory).
ABORT = "import os\ndef f():\n    os.abort()\n"
#: Levels above the stack's end where ``os.abort()`` is called: at ``P - 3`` the pointer
#: lies between 18 400 and 38 816 bytes (the module doc's figures, two levels further
#: up), inside the stack's last 64 KiB, and the abort's own C frames are small.
ABORT_ABOVE_END = 3


@pytest.mark.req("SBX-008.6", "SBX-008.4")
@pytest.mark.req("CONV-004")
def test_an_abort_in_the_last_64_kib_of_the_stack_is_trap(impl: Implementation) -> None:
    """SBX-008.6 draws its 64 KiB line for traps of an access outside the memory; any
    other trap is no exhaustion wherever the pointer stands: ``os.abort()`` a few levels
    above the depth at which the recursion exhausts the stack, the pointer inside the last
    64 KiB, stays ``trap``. A host that takes every trap below the line for an exhausted
    stack answers ``stack-exhausted``."""
    end = _exhausting_depth(impl)
    depth = end - ABORT_ABOVE_END
    check_class(
        "SBX-008.6",
        "trap",
        failure_class(impl, PROGRAM.format(wild=ABORT, depth=depth)),
        f"os.abort() {depth} levels down, {ABORT_ABOVE_END} levels above the depth at which "
        f"the recursion exhausts the stack ({end}): an abort, no access outside the memory, "
        "is a trap wherever the stack pointer stands",
    )
