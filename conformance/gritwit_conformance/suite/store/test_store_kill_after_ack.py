"""Every acknowledged durable write survives a SIGKILL that lands right after its answer
(DUR-001), deterministically: the harness kills the adapter the moment each ``put`` or
``ref-cas`` is acknowledged and reopens the store in a fresh process.

A random kill must land in the window between an acknowledgement and a late flush to
catch a write-behind store; here every write gets its own kill, so such a store fails
on every run (deliverable 5).  Adapters that are not processes (the in-process
reference) cannot be killed and skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, ok_answer

pytestmark = pytest.mark.profile("store")

ACTOR_CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"kill-after-ack"))})
ACTOR = g.object_id(ACTOR_CORE)
STEPS = [g.Step(actor=ACTOR, core=ACTOR)]
STEPS.append(g.Step(actor=ACTOR, core=ACTOR, previous=g.object_id(STEPS[0])))
MESSAGE = g.Message(content=g.object_id(ACTOR_CORE))
MAILBOX = g.Mailbox(entries={ACTOR: g.object_id(MESSAGE)})
#: One object of every type (OBJ-001), each put in its own acknowledged write.
OBJECTS: list[g.GritObject] = [
    g.Blob(data=b"kill-after-ack"),
    ACTOR_CORE,
    MESSAGE,
    MAILBOX,
    *STEPS,
]


def _hex(obj: g.GritObject) -> str:
    return g.object_id(obj).hex()


def _kill_and_reopen(impl: Implementation, path: Path) -> str:
    impl.kill()  # SIGKILL right after the acknowledgement: no shutdown, no close
    return str(call_ok(impl, "DUR-001", "store-open", kind="durable", path=str(path))["store"])


@pytest.fixture
def durable(impl: Implementation, tmp_path: Path) -> tuple[Implementation, Path, str]:
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-010)")
    path = tmp_path / "durable"
    path.mkdir()
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="durable", path=str(path))["store"])
    return impl, path, handle


@pytest.mark.req("DUR-001", "DUR-002.1", "ADP-010")
def test_each_acknowledged_put_survives_a_kill(
    durable: tuple[Implementation, Path, str],
) -> None:
    impl, path, handle = durable
    done: list[g.GritObject] = []
    for obj in OBJECTS:
        call_ok(impl, "DUR-001", "put", store=handle, bytes=g.encode_object(obj).hex())
        done.append(obj)
        handle = _kill_and_reopen(impl, path)
        for kept in done:  # this write and every earlier one
            reply = impl.call("get", store=handle, id=_hex(kept))
            what = (
                f"get of {type(kept).__name__} {_hex(kept)}, acknowledged by put before the "
                "adapter was killed"
            )
            data = ok_answer(reply, "DUR-001", what)["bytes"]
            check_equal("DUR-001", g.encode_object(kept).hex(), data, what)


CasStep = tuple[str, str | None, str | None]


def _cas_steps() -> list[CasStep]:
    head = f"heads/{ACTOR.hex()}"
    return [
        ("names/alias", None, _hex(OBJECTS[0])),  # create
        (head, None, _hex(STEPS[0])),  # create a head
        (head, _hex(STEPS[0]), _hex(STEPS[1])),  # advance it
        ("names/alias", _hex(OBJECTS[0]), _hex(ACTOR_CORE)),  # move an alias
        ("names/alias", _hex(ACTOR_CORE), None),  # delete
    ]


@pytest.mark.req("DUR-001", "REF-004.2", "ADP-010")
def test_each_acknowledged_ref_swap_survives_a_kill(
    durable: tuple[Implementation, Path, str],
) -> None:
    impl, path, handle = durable
    for obj in OBJECTS:
        call_ok(impl, "DUR-001", "put", store=handle, bytes=g.encode_object(obj).hex())
    handle = _kill_and_reopen(impl, path)  # the objects are durable before the swaps start
    expected: dict[str, str | None] = {}
    for name, before, after in _cas_steps():
        call_ok(impl, "REF-004.2", "ref-cas", store=handle, name=name, expected=before, new=after)
        expected[name] = after
        handle = _kill_and_reopen(impl, path)
        for ref, target in expected.items():
            got = call_ok(impl, "DUR-001", "ref-get", store=handle, name=ref)["id"]
            what = (
                f"ref-get of {ref} after ref-cas {name} {before} -> {after} was acknowledged "
                "and the adapter killed right after"
            )
            check_equal("DUR-001", target, got, what)
