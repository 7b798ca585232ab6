"""A rule's ``actors`` may name a sender by a name bound to it (PORT-003.2, RUN-026).

PORT-003.1 lets a rule's ``actors`` hold actor names beside ids, and PORT-003.2 says a
sender is one of them when a name bound to it (RUN-026.2: the ref
``names/actors/<name>`` whose target is the sender's id) is listed.  Two couriers get one
name each, set from absent by the store profile's ``ref-cas`` on the runtime's own
directory between two ``rt-open`` of it (ADP-010.6), so the test declares both
profiles.  A rule naming the first courier's name must allow the first and refuse the
second: a port that matched the names bound to *other* actors would turn both answers
round, and one that ignored names would refuse both.  Every expected answer comes from
the clauses: which names are bound to which courier is decided here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port", "store")


def _bind(impl: Implementation, path: Path, name: str, actor: str) -> None:
    """``names/actors/<name>`` set to ``actor`` from absent (RUN-026.2) by another handle
    on the runtime's closed directory (ADP-010.6)."""
    opened = impl.call("store-open", kind="durable", path=str(path))
    what = "the runtime's directory opened as a store"
    handle = str(ok_answer(opened, "ADP-010.6", what)["store"])
    swapped = impl.call(
        "ref-cas", store=handle, name=f"names/actors/{name}", expected=None, new=actor
    )
    ok_answer(swapped, "RUN-026.2", f"the name {name} bound to {actor} by ref-cas from absent")
    impl.call("store-close", store=handle)


def _outcome(rt: Ported, courier: str, request: str) -> tuple[str | None, str | None]:
    """The port's answer to ``request`` of ``courier``: ("response", status) or the
    failure's class and clause (PORT-008.2)."""
    for answer in rt.answers(courier):
        if answer.headers.get("port-id") == request:
            if answer.headers.get("mt") == "port-response":
                return ("response", answer.headers.get("port-status"))
            return (answer.headers.get("error"), answer.headers.get("clause"))
    return (None, None)


@pytest.mark.req("PORT-003.2", "PORT-003.1", "PORT-003.3", "RUN-026.2", "ADP-010.6")
def test_a_rule_allows_the_actor_a_listed_name_is_bound_to_and_no_other(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        first, second = rt.courier("first"), rt.courier("second")
        rt.close()
        _bind(impl, tmp_path / "rt", "first-courier", first)
        _bind(impl, tmp_path / "rt", "second-courier", second)
        rt = Ported(
            impl,
            tmp_path / "rt",
            {"policy": [rule(world.port, ["first-courier"], path="/named/")]},
        )
        cases = [
            (first, ("response", "200"), "the courier the rule's name is bound to"),
            (second, ("port-refused", "PORT-003.3"), "a courier bound to a name the rule lacks"),
        ]
        for courier, want, what in cases:
            request = rt.request(courier, f"{world.base}/named/{courier[:8]}")
            check_equal("PORT-003.2", want, _outcome(rt, courier, request), f"the answer to {what}")
        check_equal(
            "PORT-003.3",
            [f"/named/{first[:8]}"],
            [hit.path for hit in world.hits()],
            "the paths the world got (only the named courier's request is sent)",
        )
        rt.close()
