"""The actor view's two corners no front end's answer shows alone (RUN-004.4, WIT-012.2).

An actor whose genesis is sent and not run yet has messages and neither a head nor a
failed mark: the command line lists it (``waiting=True``), the service does not
(HTTP-007.1).  And a failed mark's reason says whether the genesis never adopted a
step.  Expected answers come from what the test built, not from the view.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit import ObjectId, Store
from gritwit._commands import main
from gritwit.runtime._view import ActorFailure, ActorView, ActorViews


def _created(capsys: pytest.CaptureFixture[str], store: str, seed: int) -> ObjectId:
    """A counter whose genesis is sent from the outside and not run (WIT-012.2)."""
    first = ["--create"] if seed == 0 else []  # the store made by the first creation
    argv = [
        "actor",
        "create",
        "--store",
        store,
        *first,
        "--test",
        "counter",
        "--data",
        f"count={seed}",
    ]
    assert main(argv) == 0
    return ObjectId.from_hex(capsys.readouterr().out.strip())


@pytest.mark.req("WIT-012.2", "RUN-001")
def test_an_actor_waiting_for_its_genesis_is_listed_only_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    waiting = sorted((_created(capsys, store, seed) for seed in range(2)), key=ObjectId.hex)
    with Store.open(store) as opened:
        assert ActorViews(opened).actors == ()  # no head, no mark: no actor of a service
        listed = ActorViews(opened, waiting=True)
        assert listed.actors == tuple(waiting)
        assert [listed.view(actor).status for actor in waiting] == ["no head", "no head"]


@pytest.mark.req("RUN-004.4")
def test_a_failed_marks_reason_says_whether_its_genesis_never_adopted() -> None:
    actor = ObjectId.from_hex("ab" * 32)
    failure = ActorFailure("failed", 5)

    def view(head: ObjectId | None) -> ActorView:
        return ActorView(actor, head, (), None, None, failure, 0, None, None, None)

    assert view(None).reason == failure.reason(True)
    assert "genesis" in failure.reason(True) and "5" in failure.reason(True)
    assert view(actor).reason == failure.reason(False)
    assert "genesis" not in failure.reason(False)
