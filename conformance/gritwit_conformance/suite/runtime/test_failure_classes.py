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

from .._check import call_ok, check, check_equal, fail

pytestmark = pytest.mark.profile("runtime")

#: Attempts before the mark (RUN-004.3).
ATTEMPTS = 5


def _marked(impl: Implementation, runtime: str, actor: str) -> Any:
    target = call_ok(impl, "ADP-014", "rt-ref", runtime=runtime, name=f"names/failed/{actor}")
    if target["target"] is None:
        fail(
            "RUN-004.4",
            expected="a value",
            came=target["target"],
            what=f"{actor} was not marked failed",
        )
    data = call_ok(impl, "ADP-014", "rt-object", runtime=runtime, id=target["target"])["bytes"]
    blob = g.decode_object(bytes.fromhex(data))
    if not isinstance(blob, g.Blob):
        fail("ADP-014", expected="a blob", came=blob, what="the blob")
    return json.loads(blob.data)


@pytest.mark.req("RUN-011.3", "RUN-004.4", "ADP-014", "ADP-015")
@pytest.mark.parametrize("erase", [True, False])
def test_a_transition_reading_an_erased_blob_fails_failed_everywhere(
    impl: Implementation, tmp_path: Path, erase: bool
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "RUN-011.3", "rt-open", path=str(tmp_path / "rt"), first_delay=0)["runtime"]
    )
    actor = str(call_ok(impl, "RUN-011.3", "rt-genesis", runtime=runtime, actor="counter")["actor"])
    call_ok(impl, "RUN-011.3", "rt-run", runtime=runtime, max_steps=10)
    amount = g.object_id(g.Blob(data=b"7")).hex()
    call_ok(
        impl, "RUN-011.3", "rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": "37"}
    )
    if erase:
        call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=amount, reason="test")
    ran = call_ok(impl, "RUN-011.3", "rt-run", runtime=runtime, max_steps=10)
    if not erase:
        check(
            "RUN-011.3",
            not ran["failures"],
            expected="nothing (empty)",
            came=ran,
            what="rt-run's failures",
        )
        check(
            "RUN-011.3",
            not ran["attempts"],
            expected="nothing (empty)",
            came=ran,
            what="rt-run's attempts",
        )
        check_equal(
            "RUN-011.3", [actor], [a for a, _ in ran["steps"]], "the actors of rt-run's steps"
        )
        return
    check_equal("RUN-011.3", [], ran["steps"], "rt-run's steps")
    check_equal(
        "RUN-011.3",
        [[actor, "failed"]] * ATTEMPTS,
        ran["attempts"],
        f"a transition reading an erased blob fails 'failed' at each attempt: {ran}",
    )
    check_equal(("RUN-011.3", "ADP-015"), [[actor, "failed"]], ran["failures"], "rt-run's failures")
    check_equal(
        ("RUN-004.4", "RUN-011.3"),
        {
            "actor": actor,
            "attempts": ATTEMPTS,
            "error": "failed",
        },
        _marked(impl, runtime, actor),
        "the mark records the class rt-run reports",
    )


@pytest.mark.req("RUN-004.4", "ADP-014", "ADP-015", "WIT-024")
def test_a_transition_that_raises_fails_failed_everywhere(
    impl: Implementation, tmp_path: Path
) -> None:
    """``failing`` raises at every transition, its genesis included: no class, ``failed``."""
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "RUN-004.4", "rt-open", path=str(tmp_path / "rt"), first_delay=0)["runtime"]
    )
    actor = str(call_ok(impl, "RUN-004.4", "rt-genesis", runtime=runtime, actor="failing")["actor"])
    ran = call_ok(impl, "RUN-004.4", "rt-run", runtime=runtime, max_steps=10)
    check_equal("RUN-004.4", [[actor, "failed"]], ran["failures"], "rt-run's failures")
    check_equal("RUN-004.4", [[actor, "failed"]] * ATTEMPTS, ran["attempts"], "rt-run's attempts")
    check_equal("RUN-004.4", "failed", _marked(impl, runtime, actor)["error"], "marked's error")
