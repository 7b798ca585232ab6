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

pytestmark = pytest.mark.profile("store")

CORE = g.Tree(entries={"wit": g.object_id(g.Blob(data=b"two writers"))})
ACTOR = g.object_id(CORE)
STEP = g.Step(actor=ACTOR, core=ACTOR)
BLOBS = [g.Blob(data=b"writer %d" % n) for n in range(3)]


def _hex(obj: g.GritObject) -> str:
    return g.object_id(obj).hex()


def _open(impl: Implementation, path: Path) -> str:
    return str(impl.call("store-open", kind="durable", path=str(path)).expect_ok()["store"])


@pytest.fixture
def second(impl: Implementation) -> Iterator[Implementation]:
    """Another instance of the implementation under test: a second process for a subprocess."""
    other = impl._fresh()
    yield other
    other.close()


@pytest.mark.smoke
@pytest.mark.req("DUR-003", "REF-004.3")
def test_two_writers_of_one_store_cannot_both_swap(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    path = tmp_path / "shared"
    path.mkdir()
    first = _open(impl, path)
    other = _open(second, path)
    for blob in BLOBS:
        impl.call("put", store=first, bytes=g.encode_object(blob).hex()).expect_ok()
    a, b, c = (_hex(blob) for blob in BLOBS)
    name = "names/shared"
    impl.call("ref-cas", store=first, name=name, expected=None, new=a).expect_ok()
    # The second writer swaps from the same expected value: it must lose, and see a.
    reply = second.call("ref-cas", store=other, name=name, expected=None, new=b)
    assert not reply.ok and reply.error_class == "ref-conflict", (
        f"two writers both swapped {name} from none (DUR-003): {reply}"
    )
    assert reply.error.get("current") == a
    assert second.call("ref-get", store=other, name=name).expect_ok()["id"] == a
    # Now the second writer wins from a; the first, still expecting a, must lose.
    second.call("ref-cas", store=other, name=name, expected=a, new=b).expect_ok()
    reply = impl.call("ref-cas", store=first, name=name, expected=a, new=c)
    assert not reply.ok and reply.error_class == "ref-conflict", (
        f"two writers both swapped {name} from {a} (DUR-003): {reply}"
    )
    assert reply.error.get("current") == b
    assert impl.call("ref-get", store=first, name=name).expect_ok()["id"] == b


@pytest.mark.req("DUR-002.2", "DUR-002.1", "DUR-001")
def test_no_dangling_ref_after_a_kill(impl: Implementation, tmp_path: Path) -> None:
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-010)")
    path = tmp_path / "durable"
    path.mkdir()
    handle = _open(impl, path)
    targets: dict[str, g.GritObject] = {"names/alias": BLOBS[0], f"heads/{ACTOR.hex()}": STEP}
    for obj in (CORE, *targets.values()):
        impl.call("put", store=handle, bytes=g.encode_object(obj).hex()).expect_ok()
    for name, obj in targets.items():
        impl.call("ref-cas", store=handle, name=name, expected=None, new=_hex(obj)).expect_ok()
    impl.kill()  # right after the last acknowledgement
    handle = _open(impl, path)
    names = impl.call("ref-list", store=handle, prefix="").expect_ok()["names"]
    assert isinstance(names, list)
    for name in names:
        target = impl.call("ref-get", store=handle, name=name).expect_ok()["id"]
        reply = impl.call("get", store=handle, id=target)
        assert reply.ok, f"after a kill, {name} points at {target}, which is not intact: {reply}"
    for name, obj in targets.items():
        assert impl.call("ref-get", store=handle, name=name).expect_ok()["id"] == _hex(obj)
