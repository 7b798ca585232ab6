"""``ref-cas`` from none to none: a swap that would change nothing still compares.

REF-004.2 and REF-004.3: a swap succeeds only when the ref's current value equals
``expected``; otherwise nothing changes and it fails ``ref-conflict`` with the current
value. A swap from none to none asks for no change at all, so a store may take a path of
its own for it (the reference on PostgreSQL: a transaction of its own, which reads the
ref and answers the conflict from that read). Such a swap of a ref that is set must still
lose, report the ref's value, and leave the ref as it was; of a ref that is not set it
succeeds and the ref stays unset. Both are checked for a ``names/`` ref and a ``heads/``
ref, on memory and durable stores, twice each (a second attempt meets the same state).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, error_answer

from ._opened import KINDS, hexid, opened_store

pytestmark = pytest.mark.profile("store")

CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"none to none"))})
ACTOR = g.object_id(CORE)
STEP = g.Step(actor=ACTOR, core=ACTOR)
BLOB = g.Blob(data=b"REF-004.3 none to none")
OBJECTS: list[g.GritObject] = [BLOB, CORE, STEP]
#: Each ref tried, with the object it is set to.
REFS: dict[str, g.GritObject] = {"names/none-to-none": BLOB, f"heads/{ACTOR.hex()}": STEP}


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, impl: Implementation, tmp_path: Path) -> Iterator[str]:
    yield from opened_store(impl, request.param, tmp_path, OBJECTS)


@pytest.mark.req("REF-004.2", "REF-004.3", "REF-005", "ADP-010")
@pytest.mark.req("CONV-004")
def test_a_swap_from_none_to_none_of_a_set_ref_is_a_conflict(
    impl: Implementation, store: str
) -> None:
    """A set ref: none → none loses with its value and changes nothing (REF-004.3); once
    deleted, none → none succeeds and it stays unset (REF-004.2, REF-005)."""
    for name, target in REFS.items():
        value = hexid(target)
        call_ok(impl, "REF-004.2", "ref-cas", store=store, name=name, expected=None, new=value)
        for attempt in (1, 2):
            what = f"ref-cas of {name}, set to {value}, from none to none (attempt {attempt})"
            reply = impl.call("ref-cas", store=store, name=name, expected=None, new=None)
            error_answer(reply, "REF-004.3", "ref-conflict", what)
            check_equal(
                "REF-004.3",
                value,
                reply.error.get("current"),
                f"the current value the ref-conflict of {what} carries",
            )
            check_equal(
                "REF-004.3",
                value,
                call_ok(impl, "REF-005", "ref-get", store=store, name=name)["id"],
                f"the id ref-get answers for {name} after {what}: unchanged",
            )
        call_ok(impl, "REF-004.2", "ref-cas", store=store, name=name, expected=value, new=None)
        for attempt in (1, 2):
            call_ok(impl, "REF-004.2", "ref-cas", store=store, name=name, expected=None, new=None)
            check_equal(
                "REF-005",
                None,
                call_ok(impl, "REF-005", "ref-get", store=store, name=name)["id"],
                f"the id ref-get answers for {name}, deleted, after a swap from none to none"
                f" (attempt {attempt})",
            )
