"""Two writers of one durable store, and no dangling ref after a kill (DUR-002.2, DUR-003).

DUR-003: ``cas`` is atomic for every writer of a store, separate processes included.
A second adapter (a fresh process for a subprocess implementation) opens the same
durable path; both swap the same ref from the same expected value, one after the
other: exactly one may succeed, and each must see the other's swap.  A store that
keeps refs in a per-process cache, or checks ``expected`` against what it read at
open, lets both succeed — on every run, not only under a lucky interleaving.

DUR-002.2: a ref swapped right after its target was put, then a ``SIGKILL``: after
the reopen the ref must name a present, intact object.  A store that makes the ref
durable before its target loses the target and leaves the ref dangling.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("store")

CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"two writers"))})
ACTOR = g.object_id(CORE)
STEP = g.Step(actor=ACTOR, core=ACTOR)
BLOBS = [g.Blob(data=b"writer %d" % n) for n in range(3)]


def _hex(obj: g.GritObject) -> str:
    return g.object_id(obj).hex()


def _open(impl: Implementation, path: Path, clause: str) -> str:
    return str(call_ok(impl, clause, "store-open", kind="durable", path=str(path))["store"])


@pytest.fixture
def second(impl: Implementation) -> Iterator[Implementation]:
    """Another instance of the implementation under test: a second process for a subprocess."""
    other = impl._fresh()
    yield other
    other.close()


@pytest.mark.smoke
@pytest.mark.req("DUR-003", "REF-004.3")
@pytest.mark.req("CONV-004")
def test_two_writers_of_one_store_cannot_both_swap(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    path = tmp_path / "shared"
    path.mkdir()
    first = _open(impl, path, "DUR-003")
    other = _open(second, path, "DUR-003")
    for blob in BLOBS:
        call_ok(impl, "DUR-003", "put", store=first, bytes=g.encode_object(blob).hex())
    a, b, c = (_hex(blob) for blob in BLOBS)
    name = "names/shared"
    call_ok(impl, "DUR-003", "ref-cas", store=first, name=name, expected=None, new=a)
    # The second writer swaps from the same expected value: it must lose, and see a.
    reply = second.call("ref-cas", store=other, name=name, expected=None, new=b)
    what = f"the second writer's swap of {name} from none, after the first's"
    error_answer(reply, "DUR-003", "ref-conflict", what)
    check_equal("REF-004.3", a, reply.error.get("current"), f"the current value {what} names")
    got = call_ok(second, "DUR-003", "ref-get", store=other, name=name)["id"]
    check_equal("DUR-003", a, got, "the second writer's ref-get")
    # Now the second writer wins from a; the first, still expecting a, must lose.
    call_ok(second, "DUR-003", "ref-cas", store=other, name=name, expected=a, new=b)
    reply = impl.call("ref-cas", store=first, name=name, expected=a, new=c)
    what = f"the first writer's swap of {name} from {a}, after the second's"
    error_answer(reply, "DUR-003", "ref-conflict", what)
    check_equal("REF-004.3", b, reply.error.get("current"), f"the current value {what} names")
    got = call_ok(impl, "DUR-003", "ref-get", store=first, name=name)["id"]
    check_equal("DUR-003", b, got, "the first writer's ref-get")


@pytest.mark.req("DUR-002.2", "DUR-002.1", "DUR-001")
def test_no_dangling_ref_after_a_kill(impl: Implementation, tmp_path: Path) -> None:
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-010)")
    path = tmp_path / "durable"
    path.mkdir()
    handle = _open(impl, path, "DUR-001")
    targets: dict[str, g.GritObject] = {"names/alias": BLOBS[0], f"heads/{ACTOR.hex()}": STEP}
    for obj in (CORE, *targets.values()):
        call_ok(impl, "DUR-001", "put", store=handle, bytes=g.encode_object(obj).hex())
    for name, obj in targets.items():
        call_ok(impl, "DUR-001", "ref-cas", store=handle, name=name, expected=None, new=_hex(obj))
    impl.kill()  # right after the last acknowledgement
    handle = _open(impl, path, "DUR-001")
    names = call_ok(impl, "DUR-001", "ref-list", store=handle, prefix="")["names"]
    for name in names:
        target = call_ok(impl, "DUR-002.2", "ref-get", store=handle, name=name)["id"]
        reply = impl.call("get", store=handle, id=target)
        ok_answer(reply, "DUR-002.2", f"get of {target}, the target of {name} after a kill")
    for name, obj in targets.items():
        got = call_ok(impl, "DUR-001", "ref-get", store=handle, name=name)["id"]
        check_equal("DUR-001", _hex(obj), got, f"ref-get of {name} after a kill")
