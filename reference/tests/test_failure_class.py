"""The one class a failed transition reports (RUN-004.4, ADP-014, RUN-011.3, OBJ-019.2)."""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit.store import Store
from gritwit.wit import failure_class, read_chain


@pytest.mark.req("RUN-004.4", "ADP-014", "SBX-013.1", "RUN-022.3", "RUN-011.3", "OBJ-019.2")
@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (g.InvalidTransition("WIT-008.1", "x"), "invalid-transition"),
        (g.FrozenCore("WIT-015", "x"), "frozen-core"),
        (g.FuelExhausted("WASM-020.1", "x"), "fuel-exhausted"),
        (g.ForbiddenOperation("SBX-008.1", "x"), "forbidden-operation"),
        (g.StepTooLarge("RUN-022.3", "x"), "step-too-large"),
        (g.TooLarge("SBX-006.17", "x"), "too-large"),
        (g.InvalidObject("OBJ-019.2", "x"), "invalid-object"),
        (g.ObjectNotFound("OBJ-019.2", "x"), "not-found"),
        # classes no transition rule names: the read's, not the transition's
        (g.Erased("RUN-011", "x"), "failed"),
        (g.InvalidObject("OBJ-013", "x"), "failed"),
        (g.ObjectNotFound("STO-003.2", "x"), "failed"),
        (g.StoreUnavailable("DUR-001", "x"), "failed"),
        (RuntimeError("a test actor raised"), "failed"),
    ],
)
def test_the_class_a_failure_reports(error: Exception, expected: str) -> None:
    assert failure_class(error) == expected


@pytest.mark.req("OBJ-019.2")
def test_an_absent_base_is_not_found_naming_obj_019_2_and_an_absent_top_is_not() -> None:
    store = Store.memory()
    absent = g.object_id(g.Blob(data=b"never stored"))
    message = store.put_object(g.Message(content=absent))
    top = store.put_object(
        g.Mailbox(entries={g.object_id(g.Blob(data=b"r")): message}, base=absent)
    )
    with pytest.raises(g.ObjectNotFound) as info:
        read_chain(store, top)
    assert info.value.requirement == "OBJ-019.2"
    assert failure_class(info.value) == "not-found"
    with pytest.raises(g.ObjectNotFound) as info:
        read_chain(store, absent)  # the outbox itself absent: the store's own rule
    assert info.value.requirement != "OBJ-019.2"
