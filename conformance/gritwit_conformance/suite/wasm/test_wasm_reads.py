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

from .._check import call_ok, check_equal
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
    rule = "WASM-010.2"  # every answer of the scenario is checked to be a value under it
    runtime = str(call_ok(impl, rule, "wit-open")["runtime"])
    wasm = _marking(mark)
    actor = str(
        call_ok(impl, rule, "wit-genesis", runtime=runtime, module=wasm.hex(), state={})["actor"]
    )
    runs = [call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1)]  # the genesis step
    for index, mt in enumerate(types):
        content = {"blob": bytes([index]).hex()}
        call_ok(impl, rule, "wit-send", runtime=runtime, to=actor, mt=mt, content=content)
    runs.append(call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1))
    call_ok(impl, rule, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": "ff"})
    runs.append(call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1))
    seen = _entry(impl, runtime, actor, "n", rule).hex()  # what the last step saw
    return [(run["steps"], run["failures"]) for run in runs] + [seen], runtime, actor


@pytest.mark.req("WASM-010.2", "WASM-010.3")
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_step_reads_the_genesis_messages_after_its_marked_prefix(
    impl: Implementation, name: str
) -> None:
    types, mark = CASES[name]
    runs, _, _ = _runs(impl, types, mark)
    check_equal(
        "WASM-010.2",
        [[1, []]] * (len(runs) - 1),
        [[len(steps), failures] for steps, failures in runs[:-1]],
        "each run's [number of steps, failures]: one step each, none failing",
    )
    oracle = InProcess()
    try:
        check_equal(
            "WASM-010.2",
            _runs(oracle, types, mark)[0],
            runs,
            f"{name}: the runs' [steps, failures] and what the last step saw, as the reference's",
        )
    finally:
        oracle.close()
