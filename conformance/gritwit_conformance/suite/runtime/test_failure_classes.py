"""One class per failure, the same in ``rt-run``'s lists and in the failed mark (RUN-004.4,
ADP-014, RUN-011.3).

A transition reports the class of the rule it broke — a Wit, Wasm or sandbox class,
``too-large`` (SBX-013.1), ``step-too-large`` (RUN-022.3) — and ``failed`` for a failure
no transition rule names. A read of an erased blob is such a failure: ``erased`` is the
class of the read (``rt-object``), not of the transition, so ``attempts``, ``failures``
and the mark's ``error`` all say ``failed``, as for ``failing`` (WIT-024), which raises.
The same send not erased runs, so an implementation that fails it regardless fails
here, and so does one that says ``erased`` in one place and ``failed`` in another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("runtime")

#: Attempts before the mark (RUN-004.3).
ATTEMPTS = 5


def _marked(impl: Implementation, runtime: str, actor: str) -> Any:
    target = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{actor}").expect_ok()
    assert target["target"] is not None, f"{actor} was not marked failed (RUN-004.4)"
    data = impl.call("rt-object", runtime=runtime, id=target["target"]).expect_ok()["bytes"]
    blob = g.decode_object(bytes.fromhex(data))
    assert isinstance(blob, g.Blob), blob
    return json.loads(blob.data)


@pytest.mark.req("RUN-011.3", "RUN-004.4", "ADP-014", "ADP-015")
@pytest.mark.parametrize("erase", [True, False])
def test_a_transition_reading_an_erased_blob_fails_failed_everywhere(
    impl: Implementation, tmp_path: Path, erase: bool
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(
        impl.call("rt-open", path=str(tmp_path / "rt"), first_delay=0).expect_ok()["runtime"]
    )
    actor = str(impl.call("rt-genesis", runtime=runtime, actor="counter").expect_ok()["actor"])
    impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    amount = g.object_id(g.Blob(data=b"7")).hex()
    impl.call("rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": "37"}).expect_ok()
    if erase:
        impl.call("rt-erase", runtime=runtime, blob=amount, reason="test").expect_ok()
    ran = impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    if not erase:
        assert not ran["failures"] and not ran["attempts"], ran
        assert [a for a, _ in ran["steps"]] == [actor], ran
        return
    assert ran["steps"] == [], ran
    assert ran["attempts"] == [[actor, "failed"]] * ATTEMPTS, (
        f"a transition reading an erased blob fails 'failed' at each attempt (RUN-011.3): {ran}"
    )
    assert ran["failures"] == [[actor, "failed"]], f"RUN-011.3, ADP-015: {ran}"
    assert _marked(impl, runtime, actor) == {
        "actor": actor,
        "attempts": ATTEMPTS,
        "error": "failed",
    }, "the mark records the class rt-run reports (RUN-004.4, RUN-011.3)"


@pytest.mark.req("RUN-004.4", "ADP-014", "ADP-015", "WIT-024")
def test_a_transition_that_raises_fails_failed_everywhere(
    impl: Implementation, tmp_path: Path
) -> None:
    """``failing`` raises at every transition, its genesis included: no class, ``failed``."""
    (tmp_path / "rt").mkdir()
    runtime = str(
        impl.call("rt-open", path=str(tmp_path / "rt"), first_delay=0).expect_ok()["runtime"]
    )
    actor = str(impl.call("rt-genesis", runtime=runtime, actor="failing").expect_ok()["actor"])
    ran = impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    assert ran["failures"] == [[actor, "failed"]], ran
    assert ran["attempts"] == [[actor, "failed"]] * ATTEMPTS, ran
    assert _marked(impl, runtime, actor)["error"] == "failed"
