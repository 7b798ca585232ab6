"""A store's server behind the suite's fault proxy (ADP-022): DUR-006, DUR-007.2 and DUR-008
judged through the protocol, for any implementation that claims ``store-server``.

The test starts a :class:`~gritwit_conformance.harness.FaultProxy` to the ``store_server``
of ``hello`` and opens a durable store ``via`` it; between commands the proxy refuses
connections, closes them, holds bytes or cuts a connection once a write went up.  What a
store answered is then checked through a second handle on the same path opened without
``via`` (ADP-010.6), straight to the server: nothing of a refused write kept, an unknown
outcome decided.  A proxy that did not do what the test arranged (no cut happened) is
the test's own failure, said so, never a pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness import FaultProxy, parse_server
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response

pytestmark = [pytest.mark.profile("store"), pytest.mark.feature("store-server")]

#: Bytes of a write the cut test sends: random, so no compression makes them fewer.
WRITE_BYTES = 65_536 + 37
#: Seconds the delaying proxy holds each chunk, each way: slower, not wrong (ADP-022.3).
DELAY = 0.05


@pytest.fixture
def proxy(impl: Implementation) -> Iterator[FaultProxy]:
    server = impl.info().get("store_server")
    assert isinstance(server, str), (
        f"ADP-022.1: an implementation claiming store-server names its server in hello's "
        f"store_server, got {server!r:.80}"
    )
    try:
        upstream = parse_server(server)
    except ValueError as exc:
        pytest.fail(f"ADP-022.1: {exc}")
    with FaultProxy(upstream) as started:
        yield started


def _open(impl: Implementation, path: Path, proxy: FaultProxy | None, **extra: Any) -> Response:
    via: dict[str, Any] = {} if proxy is None else {"via": proxy.address}
    return impl.call("store-open", kind="durable", path=str(path), **via, **extra)


def _blob(size: int) -> g.Blob:
    return g.Blob(data=os.urandom(size))


def _put(impl: Implementation, handle: str, obj: g.GritObject) -> Response:
    return impl.call("put", store=handle, bytes=g.encode_object(obj).hex())


def _present(impl: Implementation, handle: str, obj: g.GritObject) -> bool:
    return bool(impl.call("has", store=handle, id=g.object_id(obj).hex()).expect_ok()["present"])


def _unavailable(reply: Response, what: str) -> None:
    assert not reply.ok and reply.error_class == "store-unavailable", (
        f"DUR-006.1: {what} while the store's server refuses connections must fail "
        f"store-unavailable (never internal, ADP-007), got {reply}"
    )


@pytest.mark.req("DUR-006.1", "ADP-022.1", "ADP-022.3", "ADP-007")
def test_a_server_refusing_from_the_start_is_store_unavailable(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.refuse()
    blob = _blob(100)
    opened = _open(impl, tmp_path, proxy)
    if opened.ok:  # no connection made yet: the first command that makes one fails
        handle = str(opened.result["store"])
        _unavailable(_put(impl, handle, blob), "a put")
        _unavailable(impl.call("ref-get", store=handle, name="names/x"), "a ref-get")
    else:
        _unavailable(opened, "a store-open")
    proxy.accept()
    direct = str(_open(impl, tmp_path, None).expect_ok()["store"])
    assert not _present(impl, direct, blob), "DUR-006.1: a refused put kept its object"


@pytest.mark.req("DUR-006.1", "ADP-022.1", "ADP-022.2", "ADP-022.3", "ADP-007", "DUR-001")
def test_a_server_going_down_between_commands_is_store_unavailable(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    kept, refused = _blob(100), _blob(101)
    handle = str(_open(impl, tmp_path, proxy).expect_ok()["store"])
    _put(impl, handle, kept).expect_ok()  # the proxy forwards: the store works through it
    assert proxy.stats().connections >= 1, "ADP-022.2: the store did not connect via the proxy"
    proxy.refuse()
    _unavailable(_put(impl, handle, refused), "a put")
    kept_id = g.object_id(kept).hex()
    _unavailable(
        impl.call("ref-cas", store=handle, name="names/x", expected=None, new=kept_id), "a ref-cas"
    )
    _unavailable(impl.call("get", store=handle, id=kept_id), "a get")
    proxy.accept()
    direct = str(_open(impl, tmp_path, None).expect_ok()["store"])
    assert _present(impl, direct, kept), "DUR-001: a put that returned was lost"
    assert not _present(impl, direct, refused), "DUR-006.1: a refused put kept its object"
    assert impl.call("ref-get", store=direct, name="names/x").expect_ok()["id"] is None, (
        "DUR-006.1: a refused ref-cas moved the ref"
    )


@pytest.mark.req("DUR-006.1", "ADP-022.2", "ADP-022.3")
@pytest.mark.req("ADP-007")
def test_connections_closed_by_a_restarted_server_lose_nothing(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    kept, later = _blob(200), _blob(201)
    handle = str(_open(impl, tmp_path, proxy).expect_ok()["store"])
    _put(impl, handle, kept).expect_ok()
    proxy.drop()  # every open connection closed, both sides; new ones accepted
    reply = impl.call("get", store=handle, id=g.object_id(kept).hex())
    if reply.ok:  # a read retried on a new connection (DUR-006.1's SHOULD)
        assert reply.result["bytes"] == g.encode_object(kept).hex()
    else:
        _unavailable(reply, "a read on a connection the server closed")
    proxy.drop()
    written = _put(impl, handle, later)
    assert written.ok or written.error_class == "store-unavailable", (
        "DUR-006.1: a put on a connection the server closed before it was sent is made on a "
        f"new one, or fails store-unavailable (nothing of it was sent), got {written}"
    )
    again = str(_open(impl, tmp_path, proxy).expect_ok()["store"])  # ADP-022.2: via again
    assert _present(impl, again, kept)
    assert _present(impl, again, later) == written.ok, (
        "DUR-006.1: a put's answer and what the store holds disagree"
    )


@pytest.mark.req("DUR-006.1", "ADP-022.2", "ADP-022.3", "ADP-007", "STO-005.1")
def test_a_read_that_cannot_reach_the_server_fails_and_is_never_absent(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    """Every read, not only ``get``: a ``has`` and a ``ref-get`` of what the store holds
    (written through another handle, so that the one through the proxy has read none of
    it), sent on connections the server closed (a restart) and then while it refuses
    connections, are each answered rightly — on a new connection, or from what the
    implementation keeps of a store it read — or fail ``store-unavailable`` (DUR-006.1).
    Never ``false`` or ``null``: that would say that a present object or a set ref is
    absent, and a caller would write again or take the object for lost."""
    handle = str(_open(impl, tmp_path, proxy).expect_ok()["store"])
    # written through a handle straight to the server: nothing the proxied one read, and
    # one object and ref for each fault, so that the second finds nothing the first read
    direct = str(_open(impl, tmp_path, None).expect_ok()["store"])
    faults = (("closed its connections", proxy.drop), ("refuses", proxy.refuse))
    for n, (fault, arrange) in enumerate(faults):
        kept = _blob(300 + n)
        kept_id = g.object_id(kept).hex()
        name = f"names/kept-{n}"
        _put(impl, direct, kept).expect_ok()
        impl.call("ref-cas", store=direct, name=name, expected=None, new=kept_id).expect_ok()
        reads: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("has", {"store": handle, "id": kept_id}, {"present": True}),
            ("ref-get", {"store": handle, "name": name}, {"id": kept_id}),
        ]
        for cmd, args, right in reads:
            arrange()
            reply = impl.call(cmd, **args)
            assert (reply.ok and reply.result == right) or (
                not reply.ok and reply.error_class == "store-unavailable"
            ), (
                f"DUR-006.1: a {cmd} of what the store holds, while the server {fault}, must "
                f"answer {right} or fail store-unavailable, never absent; it answered {reply}"
            )
    proxy.accept()
    assert _present(impl, handle, kept), "DUR-006.1: the object is not there once reachable"


@pytest.mark.req(
    "DUR-006.2", "DUR-006.3", "DUR-007.2", "DUR-006.1", "DUR-002", "ADP-022.2", "ADP-022.3"
)
def test_a_connection_cut_after_a_write_was_sent_is_outcome_unknown_and_not_sent_again(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    first, cut = _blob(100), _blob(WRITE_BYTES)
    handle = str(_open(impl, tmp_path, proxy).expect_ok()["store"])
    _put(impl, handle, first).expect_ok()
    proxy.cut_after(WRITE_BYTES)  # the write's bytes go up; the server's answer is cut
    reply = _put(impl, handle, cut)
    seen = proxy.stats()
    assert seen.cuts == 1, (
        f"ADP-022.2: the put of a {WRITE_BYTES}-byte object never sent that many bytes "
        f"through the proxy (cuts: {seen.cuts}): the store did not write via it"
    )
    assert not reply.ok and reply.error_class == "outcome-unknown", (
        "DUR-006.2: a connection lost after a put was sent and before its answer must fail "
        f"outcome-unknown (it may have committed), never a definite answer, got {reply}"
    )
    assert seen.up_after_cut < WRITE_BYTES, (
        f"DUR-007.2: the write was sent again after its connection was lost "
        f"({seen.up_after_cut} bytes went up after the cut): a write whose outcome is unknown "
        "must not be run again on its own (DUR-006.1)"
    )
    direct = str(_open(impl, tmp_path, None).expect_ok()["store"])
    decided = _present(impl, direct, cut)
    for _ in range(3):  # DUR-006.3: decided when answered, the same on every later read
        assert _present(impl, direct, cut) == decided, "DUR-006.3: the write was not decided"
    if decided:  # whole (DUR-002)
        got = impl.call("get", store=direct, id=g.object_id(cut).hex()).expect_ok()
        assert got["bytes"] == g.encode_object(cut).hex()


@pytest.mark.req("ADP-022.3", "DUR-006.1")
def test_a_slow_server_is_slower_not_wrong(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.delay = DELAY
    blob = _blob(300)
    oid = g.object_id(blob).hex()
    handle = str(_open(impl, tmp_path, proxy).expect_ok()["store"])
    assert _put(impl, handle, blob).expect_ok()["id"] == oid
    assert impl.call("get", store=handle, id=oid).expect_ok()["bytes"] == (
        g.encode_object(blob).hex()
    )
    impl.call("ref-cas", store=handle, name="names/slow", expected=None, new=oid).expect_ok()
    assert impl.call("ref-get", store=handle, name="names/slow").expect_ok()["id"] == oid
    assert impl.call("ref-list", store=handle, prefix="names/").expect_ok()["names"] == [
        "names/slow"
    ]


def _blob_of_size(size: int) -> g.Blob:
    """A blob whose encoding is exactly ``size`` bytes (random data: incompressible)."""
    for n in range(size, -1, -1):
        blob = g.Blob(data=os.urandom(n))
        if len(g.encode_object(blob)) == size:
            return blob
    raise AssertionError(f"no blob encodes to {size} bytes")


# Bounds that share no structure with a power of two or the reference's own numbers.
@pytest.mark.feature("write-limit")
@pytest.mark.parametrize("bound", [4099, 65_539, 300_007])
@pytest.mark.req("DUR-008.1", "DUR-008.2", "ADP-022.4", "ADP-004.12")
def test_a_write_bound_given_at_open_is_kept_on_both_sides(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path, bound: int
) -> None:
    written = _open(impl, tmp_path, proxy, max_write_bytes=float(bound))
    assert not written.ok and written.error_class == "bad-request", (
        f"ADP-004.12: max_write_bytes written {float(bound)!r} is no integer: bad-request, "
        f"got {written}"
    )
    handle = str(_open(impl, tmp_path, proxy, max_write_bytes=bound).expect_ok()["store"])
    at, over = _blob_of_size(bound), _blob_of_size(bound + 1)
    fits = _put(impl, handle, at)
    assert fits.ok, f"DUR-008.2: a put of {bound} bytes, the bound, must not fail: {fits}"
    proxy.reset()
    refused = _put(impl, handle, over)
    assert not refused.ok and refused.error_class == "write-too-large", (
        f"DUR-008.1: a put of {bound + 1} bytes, over the bound {bound}, must fail "
        f"write-too-large, got {refused}"
    )
    sent = proxy.stats().bytes_up
    assert sent < bound + 1, (
        f"DUR-008.1: the refused write sent {sent} bytes to the server, its object's "
        f"{bound + 1} among them: it must be refused before they are sent"
    )
    direct = str(_open(impl, tmp_path, None).expect_ok()["store"])
    assert not _present(impl, direct, over), "DUR-008.1: the refused write kept its object"
    assert _present(impl, direct, at)
