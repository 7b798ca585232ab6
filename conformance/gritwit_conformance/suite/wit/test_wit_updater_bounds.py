"""``set-code`` at both sides of its limit: 57 344 bytes are copied, 57 345 ignored (WIT-023.1).

``updater`` copies a ``set-code`` blob of at most 57 344 bytes into its ``wit``
entry (the data buffer of the Wasm builds); a longer one is read without effect.
The name need not be a test actor, so after the longest accepted one the core's
``wit`` is that blob, byte for byte, with only ``runtime: "test-actor"``.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, check_type, fail

pytestmark = pytest.mark.profile("wit")

#: WIT-023.1's limit.
LIMIT = 57_344


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    data = call_ok(impl, "WIT-023.1", "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("WIT-023.1")
@pytest.mark.inputs("ascii", "largest", "past-largest")
@pytest.mark.parametrize(("size", "copied"), [(LIMIT, True), (LIMIT + 1, False)])
def test_set_code_at_its_limit(impl: Implementation, size: int, copied: bool) -> None:
    runtime = call_ok(impl, "WIT-023.1", "wit-open")["runtime"]
    actor = call_ok(impl, "WIT-023.1", "wit-genesis", runtime=runtime, actor="updater")["actor"]
    call_ok(impl, "WIT-023.1", "wit-run", runtime=runtime, max_steps=10)
    name = bytes([0x61 + i % 26 for i in range(size)])
    content = {"blob": name.hex()}
    call_ok(
        impl, "WIT-023.1", "wit-send", runtime=runtime, to=actor, mt="set-code", content=content
    )
    call_ok(impl, "WIT-023.1", "wit-run", runtime=runtime, max_steps=10)
    head = call_ok(impl, "WIT-023.1", "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(
        "WIT-023.1", _object(impl, runtime, head), g.Step, expected="a step", what="the head"
    )
    core = check_type(
        "WIT-023.1",
        _object(impl, runtime, step.core),
        g.Tree,
        expected="a tree",
        what="the head step's core",
    )
    wit_id = core.entries.get("wit")
    if wit_id is None:
        fail(
            "WIT-023.1",
            expected="a core with a wit entry",
            came=sorted(core.entries),
            what="the names of the head step's core",
        )
    wit = check_type(
        "WIT-023.1",
        _object(impl, runtime, wit_id),
        g.Blob,
        expected="a blob",
        what="the core's wit entry",
    )
    came = {"data": wit.data.hex(), "headers": dict(wit.headers)}
    if copied:
        check_equal(
            "WIT-023.1",
            {"data": name.hex(), "headers": {"runtime": "test-actor"}},
            came,
            f"the wit after a set-code of {size} bytes (the limit): that blob, byte for byte, "
            "with only runtime: test-actor",
        )
    else:
        check_equal(
            "WIT-023.1",
            {"data": b"updater".hex(), "headers": {"runtime": "test-actor"}},
            came,
            f"the wit after a set-code of {size} bytes (one past the limit): unchanged, the "
            "message read without effect",
        )
    call_ok(impl, "WIT-023.1", "wit-close", runtime=runtime)
