"""What a Python actor's transition leaves deep under ``/core`` is its new core, every
object of it kept (SBX-004.2, SBX-010.1, SBX-011.2).

The genesis makes ``d/e/f``, a file two new directories down; the next transition mounts
that core (SBX-004.1) and copies the file to ``seen``. Each object of the new core is the
runtime's from then on: ``wit-object`` reads the trees ``d`` and ``d/e`` and the blob
``d/e/f``, and the next run finds the file where the genesis left it.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from ._sandbox_texts import _head_core, _object, _wit_genesis, _wit_run

pytestmark = pytest.mark.profile("sandbox")

#: The genesis makes ``d/e/f``; every later transition copies it to ``seen``.
PROGRAM = (
    "import os\n"
    "if os.path.exists('/core/d/e/f'):\n"
    "    open('/core/seen', 'wb').write(open('/core/d/e/f', 'rb').read())\n"
    "else:\n"
    "    os.makedirs('/core/d/e')\n"
    "    open('/core/d/e/f', 'wb').write(b'deep')\n"
)


@pytest.mark.req("SBX-004.2", "SBX-004.1", "SBX-010.1", "SBX-011.2", "ADP-019.1")
def test_a_file_left_two_new_directories_down_is_kept_and_mounted_again(
    impl: Implementation,
) -> None:
    runtime, actor = _wit_genesis(impl, PROGRAM, "SBX-004.2", "the genesis that makes d/e/f")
    core = _head_core(impl, runtime, actor, "SBX-004.2")
    check(
        "SBX-004.2",
        "d" in core,
        expected="the genesis's new core with the entry d",
        came=sorted(core),
        what="the head core's entries after the genesis",
    )
    below = _object(impl, runtime, core["d"]["entries"]["e"], "SBX-004.2")
    check_equal(
        "SBX-004.2",
        b"deep".hex(),
        _object(impl, runtime, below["entries"]["f"], "SBX-004.2")["data"],
        "the data of the blob d/e/f of the genesis's new core, read with wit-object",
    )
    call_ok(impl, "SBX-004.1", "wit-send", runtime=runtime, to=actor, mt="x", content={"blob": ""})
    _, failures = _wit_run(impl, runtime, "SBX-004.1")
    check_equal("SBX-004.1", {}, failures, "the failures of the transition that mounts d/e/f")
    core = _head_core(impl, runtime, actor, "SBX-004.1")
    check(
        "SBX-004.1",
        "seen" in core,
        expected="a core with the entry seen, the copy of d/e/f",
        came=sorted(core),
        what="the head core's entries after the second transition",
    )
    check_equal(
        "SBX-004.1",
        b"deep".hex(),
        core["seen"]["data"],
        "the data of seen: the file d/e/f as the second transition found it mounted",
    )
    impl.call("wit-close", runtime=runtime)
