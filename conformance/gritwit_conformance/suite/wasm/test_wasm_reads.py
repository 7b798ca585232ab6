"""What a step reads around genesis messages (WASM-010.2, WASM-010.3).

The driver sends messages of type ``genesis`` between ordinary ones: the guest does
not see them (WASM-009.1), and a step reads them exactly when they directly follow
the sender's last marked message, or start the sender's list. The steps (whose ids
hold their read counts) and the next step's ``msg_count`` must be the reference's.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .test_wasm_clauses_calls import _entry, _marking

pytestmark = pytest.mark.profile("wasm")

#: name → (types of the messages sent before the first step, message marked, or None).
CASES: dict[str, tuple[list[str], int | None]] = {
    "genesis-after-the-marked-one": (["m", "genesis", "m"], 0),
    "two-genesis-after-the-marked-one": (["m", "genesis", "genesis", "m"], 0),
    "genesis-after-an-unmarked-one": (["m", "m", "genesis"], 0),
    "genesis-first-nothing-marked": (["genesis", "m", "m"], None),
    "genesis-after-the-last-marked": (["m", "m", "genesis"], 1),
    "genesis-between-unmarked": (["m", "genesis", "m"], None),
}


def _runs(impl: Implementation, types: list[str], mark: int | None) -> tuple[list[Any], str, str]:
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    wasm = _marking(mark)
    actor = str(
        impl.call("wit-genesis", runtime=runtime, module=wasm.hex(), state={}).expect_ok()["actor"]
    )
    runs = [impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()]  # the genesis step
    for index, mt in enumerate(types):
        content = {"blob": bytes([index]).hex()}
        impl.call("wit-send", runtime=runtime, to=actor, mt=mt, content=content).expect_ok()
    runs.append(impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok())
    impl.call("wit-send", runtime=runtime, to=actor, mt="m", content={"blob": "ff"}).expect_ok()
    runs.append(impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok())
    seen = _entry(impl, runtime, actor, "n").hex()  # what the last step saw
    return [(run["steps"], run["failures"]) for run in runs] + [seen], runtime, actor


@pytest.mark.req("WASM-010.2", "WASM-010.3")
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_step_reads_the_genesis_messages_after_its_marked_prefix(
    impl: Implementation, name: str
) -> None:
    types, mark = CASES[name]
    runs, _, _ = _runs(impl, types, mark)
    assert all(failures == [] and len(steps) == 1 for steps, failures in runs[:-1]), runs
    oracle = InProcess()
    try:
        assert runs == _runs(oracle, types, mark)[0], f"{name}: not the reference's steps"
    finally:
        oracle.close()
