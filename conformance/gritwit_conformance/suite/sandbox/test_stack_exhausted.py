"""The interpreter's stack exhausted is ``stack-exhausted``, not a generic trap (SBX-008.6).

Before, recursion through C past the interpreter's stack in its linear memory was reported
as a memory-out-of-bounds ``trap``, indistinguishable from a crash.  Three
programs recurse through C with the recursion limit raised: one exhausts the engine's
call stack first, two the interpreter's own stack (its pointer wraps below 0); each fails
``stack-exhausted``.  ``os.abort()`` still fails ``trap`` (SBX-008.4).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from ._runs import check_class, failure_class

pytestmark = pytest.mark.profile("sandbox")

DEEP = {
    "sorted-key": (
        "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return sorted([n], key=f)\nf(0)\n"
    ),
    "getattr": (
        "class A:\n    def __getattr__(self, name):\n        return getattr(self, name)\nA().x\n"
    ),
    "tuple-hash": "t = ()\nfor i in range(300000):\n    t = (t,)\nprint(hash(t))\n",
}


@pytest.mark.req("SBX-008.6", "SBX-008.4", "SBX-008.1")
@pytest.mark.req("CONV-004")
def test_recursion_through_c_exhausts_the_stack_and_an_abort_is_a_trap(
    impl: Implementation,
) -> None:
    for name, program in DEEP.items():
        got = failure_class(impl, program)
        check_class(
            "SBX-008.6",
            "stack-exhausted",
            got,
            f"{name}: recursion through C past the interpreter's stack",
        )
    check_class(
        "SBX-008.4",
        "trap",
        failure_class(impl, "import os\nos.abort()\n"),
        "os.abort(): a trap of the interpreter, not its stack exhausted",
    )
