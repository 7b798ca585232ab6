"""Two restored steps in a row: hidden state comes from instantiation each time (WASM-025.5).

The keeper actor (``test_wasm_clauses_images``) counts steps in an exported global
(restored from the image), in a global that is not exported and reads slot 0 of its
table, which each step sets: every restored step must see the hidden global and the
table as instantiation gives them, not as the previous call left them.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .test_wasm_clauses_images import KEEPER

pytestmark = pytest.mark.profile("wasm")


def _answers(impl: Implementation) -> list[str]:
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=KEEPER.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    answers = []
    for count in (0, 1, 1, 1):
        for _ in range(count):
            impl.call(
                "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            ).expect_ok()
        run = impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        assert run["failures"] == [] and len(run["steps"]) == 1, run
        answers.append(
            impl.call("wit-query", runtime=runtime, actor=actor, name="q").expect_ok()["data"]
        )
    impl.call("wit-close", runtime=runtime).expect_ok()
    return answers


@pytest.mark.smoke
@pytest.mark.req("WASM-025.5")
def test_every_restored_step_sees_hidden_globals_and_tables_as_instantiated(
    impl: Implementation,
) -> None:
    answers = _answers(impl)
    oracle = InProcess()
    try:
        assert answers == _answers(oracle), f"not the reference's answers: {answers}"
    finally:
        oracle.close()
    # [e, hidden h, table slot 0, e]: h is 0 + 1 and slot 0 is $one in every restored step.
    assert answers[1:] == ["02010102", "03010103", "04010104"], answers
