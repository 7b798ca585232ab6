"""Which pending message places a new actor: a genesis message whose content is the actor
(RUN-021.8, WIT-012.1), never another message pending before it.

RUN-021.8 places an actor by "the genesis message ... whose content is" the actor: the
outside's first such message.  Two messages can stand before it in the outside's queue
and look like it by one half of that rule each: a genesis message whose content is
another core (WIT-012.5 reads it alone, later), and a message of another ``mt`` whose
content *is* the actor's genesis core.  Neither carries a ``placement`` header (``rt-send``
sends none), so a runtime that placed the actor by either would find no key and run it
in its own id's share.  Each actor here has its own id in share 1 and its true genesis,
sent after the look-alike, names ``root`` (share 0): share 1 must create neither, and
share 0 must create both, by records naming their true geneses.  Every expected value
comes from the clauses and from ids computed here (WIT-002).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, fail
from .._writers import second as second  # the second writer's fixture
from .test_placement import ONE, ZERO, counter_in, genesis, record, steps
from .test_shares import open_share

pytestmark = [
    pytest.mark.profile("runtime"),
    pytest.mark.feature("shares"),
    pytest.mark.feature("placement"),
]


def _core_description(state: dict[str, str]) -> dict[str, Any]:
    """The content description of a counter's genesis core with ``state`` (ADP-014):
    the tree ``rt-genesis`` builds, so its id is that counter's id (WIT-002)."""
    entries: dict[str, Any] = {
        "wit": {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}},
        **{key: {"blob": value} for key, value in state.items()},
    }
    return {"tree": entries}


def _content_of(side: Implementation, runtime: str, message: str) -> str:
    """The content id of the message ``message`` the runtime stored."""
    data = call_ok(side, "ADP-015", "rt-object", runtime=runtime, id=message)["bytes"]
    sent = g.decode_object(bytes.fromhex(data))
    if not isinstance(sent, g.Message):
        fail("ADP-015", expected="a message", came=sent, what=f"rt-send's message {message}")
    return sent.content.hex()


@pytest.mark.req("RUN-021.8", "RUN-021.7", "RUN-021.6", "RUN-021.2", "WIT-012.1")
@pytest.mark.req("WIT-012.5", "ADP-015", "WIT-002", "ADP-014")  # its checks name them too
def test_a_look_alike_pending_before_the_genesis_places_nothing(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    genesis(impl, a, root_state)
    decoy_state, decoy = counter_in(0, 2, "a core no placed actor has")
    placed: dict[str, str] = {}
    for what in ("after a genesis of another core", "after a note carrying its own core"):
        state, actor = counter_in(1, 2, what)
        if what.startswith("after a genesis"):
            mt, content, want = "genesis", _core_description(decoy_state), decoy
        else:
            mt, content, want = "note", _core_description(state), actor
        sent = call_ok(impl, "ADP-015", "rt-send", runtime=a, to=actor, mt=mt, content=content)
        came = _content_of(impl, a, str(sent["message"]))
        check_equal("ADP-014", want, came, f"the content of the {mt} message sent {what}")
        genesis(impl, a, state, placement=root)
        placed[actor] = what
    ran = steps(second, b, ONE)
    check_equal(
        ("RUN-021.8", "RUN-021.6"),
        [],
        ran,
        "the actors share 1/2's run adopted steps of: each actor here ("
        + "; ".join(f"{actor[:12]}… {what}" for actor, what in placed.items())
        + f") is placed in share 0 by its genesis naming {root[:12]}…, and a message pending "
        "before that genesis that is no genesis of the actor places nothing",
    )
    for actor, what in placed.items():
        message = record(impl, a, actor)
        check_equal(
            "RUN-021.8",
            (actor, "genesis", root),
            (message.content.hex(), message.headers.get("mt"), message.headers.get("placement")),
            f"the placement record of {actor[:12]}… {what}: (its content, mt, placement); "
            "it must name the actor's own genesis message, the one naming the root",
        )
    ran = steps(impl, a, ZERO)
    check_equal(
        ("RUN-021.2", "RUN-021.6"),
        sorted([root, *placed]),
        ran,
        "the actors share 0/2's run adopted steps of: the root and both actors placed with it",
    )
