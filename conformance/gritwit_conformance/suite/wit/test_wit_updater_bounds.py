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

pytestmark = pytest.mark.profile("wit")

#: WIT-023.1's limit.
LIMIT = 57_344


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    data = impl.call("wit-object", runtime=runtime, id=text).expect_ok()["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("WIT-023.1")
@pytest.mark.inputs("ascii", "largest", "past-largest")
@pytest.mark.parametrize(("size", "copied"), [(LIMIT, True), (LIMIT + 1, False)])
def test_set_code_at_its_limit(impl: Implementation, size: int, copied: bool) -> None:
    runtime = impl.call("wit-open").expect_ok()["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, actor="updater").expect_ok()["actor"]
    impl.call("wit-run", runtime=runtime, max_steps=10).expect_ok()
    name = bytes([0x61 + i % 26 for i in range(size)])
    content = {"blob": name.hex()}
    impl.call("wit-send", runtime=runtime, to=actor, mt="set-code", content=content).expect_ok()
    impl.call("wit-run", runtime=runtime, max_steps=10).expect_ok()
    step = _object(
        impl, runtime, impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"]
    )
    assert isinstance(step, g.Step)
    core = _object(impl, runtime, step.core)
    assert isinstance(core, g.Tree)
    wit = _object(impl, runtime, core.entries["wit"])
    assert isinstance(wit, g.Blob)
    if copied:
        assert wit.data == name and wit.headers == {"runtime": "test-actor"}, (
            f"a set-code of {size} bytes (the limit) must become the wit, byte for byte"
        )
    else:
        assert wit.data == b"updater", (
            f"a set-code of {size} bytes (one past the limit) must be read without effect; "
            f"the wit is now {len(wit.data)} bytes"
        )
    impl.call("wit-close", runtime=runtime).expect_ok()
