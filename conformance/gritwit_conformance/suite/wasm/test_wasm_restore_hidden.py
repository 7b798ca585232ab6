"""Two restored steps in a row: hidden state comes from instantiation each time (WASM-025.5).

The keeper actor (``test_wasm_clauses_images``) counts steps in an exported global
(restored from the image), in a global that is not exported and reads slot 0 of its
table, which each step sets: every restored step must see the hidden global and the
table as instantiation gives them, not as the previous call left them.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import call_ok, check, check_equal
from .test_wasm_clauses_images import KEEPER

pytestmark = pytest.mark.profile("wasm")


def _answers(impl: Implementation) -> list[str]:
    clause = "WASM-025.5"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=KEEPER.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    answers: list[str] = []
    for count in (0, 1, 1, 1):
        for _ in range(count):
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        check(
            clause,
            run["failures"] == [] and len(run["steps"]) == 1,
            expected="one step, no failure",
            came=run,
            what=f"wit-run of the keeper (step {len(answers) + 1})",
        )
        answers.append(
            call_ok(impl, clause, "wit-query", runtime=runtime, actor=actor, name="q")["data"]
        )
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return answers


@pytest.mark.smoke
@pytest.mark.req("WASM-025.5")
def test_every_restored_step_sees_hidden_globals_and_tables_as_instantiated(
    impl: Implementation,
) -> None:
    answers = _answers(impl)
    oracle = InProcess()
    try:
        check_equal(
            "WASM-025.5",
            _answers(oracle),
            answers,
            "the keeper's query answers after each step, as the reference's",
        )
    finally:
        oracle.close()
    # [e, hidden h, table slot 0, e]: h is 0 + 1 and slot 0 is $one in every restored step.
    check_equal(
        "WASM-025.5",
        ["02010102", "03010103", "04010104"],
        answers[1:],
        "the restored steps' answers [exported e, hidden h, table slot 0, e]: h and slot 0 "
        "as instantiation gives them each time",
    )
