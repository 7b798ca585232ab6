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
from gritwit_conformance.suite._check import (
    SuiteBug,
    call_ok,
    check,
    check_equal,
    check_type,
    describe,
    error_answer,
    ok_answer,
)

pytestmark = [pytest.mark.profile("store"), pytest.mark.feature("store-server")]

#: Bytes of a write the cut test sends: random, so no compression makes them fewer.
WRITE_BYTES = 65_536 + 37
#: Seconds the delaying proxy holds each chunk, each way: slower, not wrong (ADP-022.3).
DELAY = 0.05


@pytest.fixture
def proxy(impl: Implementation) -> Iterator[FaultProxy]:
    server = check_type(
        "ADP-022.1",
        impl.info().get("store_server"),
        str,
        expected="the store's server named in hello's store_server (store-server claimed)",
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


def _present(impl: Implementation, handle: str, obj: g.GritObject, clause: str) -> bool:
    """Whether the store holds ``obj`` (``has``, checked under ``clause``)."""
    return bool(call_ok(impl, clause, "has", store=handle, id=g.object_id(obj).hex())["present"])


def _unavailable(reply: Response, what: str) -> None:
    what = f"{what} while the store's server refuses connections (never internal)"
    error_answer(reply, "DUR-006.1", "store-unavailable", what)


def _opened(impl: Implementation, path: Path, proxy: FaultProxy | None, clause: str) -> str:
    """A durable store's handle, through ``proxy`` when given."""
    return str(ok_answer(_open(impl, path, proxy), clause, "store-open")["store"])


@pytest.mark.req("DUR-006.1", "ADP-022.1", "ADP-022.3", "ADP-007")
@pytest.mark.req("CONV-004")
def test_a_server_refusing_from_the_start_is_store_unavailable(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.refuse()
    blob = _blob(100)
    opened = _open(impl, tmp_path, proxy)
    if opened.ok:  # no connection made yet: the first command that makes one fails
        handle = str(ok_answer(opened, "DUR-006.1")["store"])
        _unavailable(_put(impl, handle, blob), "a put")
        _unavailable(impl.call("ref-get", store=handle, name="names/x"), "a ref-get")
    else:
        _unavailable(opened, "a store-open")
    proxy.accept()
    direct = _opened(impl, tmp_path, None, "DUR-006.1")
    present = _present(impl, direct, blob, "DUR-006.1")
    check_equal("DUR-006.1", False, present, "the object of a refused put present")


@pytest.mark.req("DUR-006.1", "ADP-022.1", "ADP-022.2", "ADP-022.3", "ADP-007", "DUR-001")
@pytest.mark.req("CONV-004")
def test_a_server_going_down_between_commands_is_store_unavailable(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    kept, refused = _blob(100), _blob(101)
    handle = _opened(impl, tmp_path, proxy, "ADP-022.2")
    ok_answer(_put(impl, handle, kept), "ADP-022.2", "a put through the proxy")
    connections = proxy.stats().connections
    check("ADP-022.2", connections >= 1, expected="a connection via the proxy", came="none")
    proxy.refuse()
    _unavailable(_put(impl, handle, refused), "a put")
    kept_id = g.object_id(kept).hex()
    _unavailable(
        impl.call("ref-cas", store=handle, name="names/x", expected=None, new=kept_id), "a ref-cas"
    )
    _unavailable(impl.call("get", store=handle, id=kept_id), "a get")
    proxy.accept()
    direct = _opened(impl, tmp_path, None, "DUR-006.1")
    check_equal(
        "DUR-001",
        True,
        _present(impl, direct, kept, "DUR-001"),
        "the object of a put that returned",
    )
    present = _present(impl, direct, refused, "DUR-006.1")
    check_equal("DUR-006.1", False, present, "the object of a refused put present")
    moved = call_ok(impl, "DUR-006.1", "ref-get", store=direct, name="names/x")["id"]
    check_equal("DUR-006.1", None, moved, "the ref a refused ref-cas named")


@pytest.mark.req("DUR-006.1", "ADP-022.2", "ADP-022.3")
@pytest.mark.req("ADP-007")
@pytest.mark.req("CONV-004")
def test_connections_closed_by_a_restarted_server_lose_nothing(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    kept, later = _blob(200), _blob(201)
    handle = _opened(impl, tmp_path, proxy, "DUR-006.1")
    ok_answer(_put(impl, handle, kept), "DUR-006.1", "a put through the proxy")
    proxy.drop()  # every open connection closed, both sides; new ones accepted
    reply = impl.call("get", store=handle, id=g.object_id(kept).hex())
    if reply.ok:  # a read retried on a new connection (DUR-006.1's SHOULD)
        data = ok_answer(reply, "DUR-006.1")["bytes"]
        check_equal("DUR-006.1", g.encode_object(kept).hex(), data, "a read retried")
    else:
        _unavailable(reply, "a read on a connection the server closed")
    proxy.drop()
    written = _put(impl, handle, later)
    if not written.ok:
        what = "a put on a connection the server closed before it was sent (made on a new one)"
        error_answer(written, "DUR-006.1", "store-unavailable", what)
    again = _opened(impl, tmp_path, proxy, "ADP-022.2")  # via again
    check_equal(
        "DUR-006.1", True, _present(impl, again, kept, "DUR-006.1"), "the first put's object"
    )
    check_equal(
        "DUR-006.1",
        written.ok,
        _present(impl, again, later, "DUR-006.1"),
        "the later put's object present exactly when its put answered ok",
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
    handle = str(
        ok_answer(_open(impl, tmp_path, proxy), "ADP-022.2", "store-open via the proxy")["store"]
    )
    # written through a handle straight to the server: nothing the proxied one read, and
    # one object and ref for each fault, so that the second finds nothing the first read
    direct = str(ok_answer(_open(impl, tmp_path, None), "ADP-022.2", "store-open direct")["store"])
    faults = (("closed its connections", proxy.drop), ("refuses", proxy.refuse))
    for n, (fault, arrange) in enumerate(faults):
        kept = _blob(300 + n)
        kept_id = g.object_id(kept).hex()
        name = f"names/kept-{n}"
        ok_answer(_put(impl, direct, kept), "ADP-007", "a put through the direct handle")
        call_ok(impl, "ADP-007", "ref-cas", store=direct, name=name, expected=None, new=kept_id)
        reads: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("has", {"store": handle, "id": kept_id}, {"present": True}),
            ("ref-get", {"store": handle, "name": name}, {"id": kept_id}),
        ]
        for cmd, args, right in reads:
            arrange()
            reply = impl.call(cmd, **args)
            check(
                "DUR-006.1",
                (reply.ok and reply.result == right)
                or (not reply.ok and reply.error_class == "store-unavailable"),
                expected=f"a {cmd} of what the store holds, while the server {fault}, to answer "
                f"{describe(right)} or fail store-unavailable, never absent",
                came=reply,
            )
    proxy.accept()
    check(
        "DUR-006.1",
        _present(impl, handle, kept, "DUR-006.1"),
        expected="the object there once the server is reachable",
        came="absent",
    )


@pytest.mark.req("DUR-006.1", "DUR-006", "ADP-022.2", "ADP-007", "STO-005.1")
@pytest.mark.req("CONV-004")
def test_a_read_whose_connection_is_cut_while_it_runs_is_store_unavailable(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    """A ``get``, a ``has`` and a ``ref-get`` each sent on a connection the proxy cuts once
    the read went up, its answer thrown away: the connection is lost *while a read runs*
    (DUR-006.1), not before, so a pooled connection that looked alive is the one lost.
    Each read is answered rightly (retried on a new connection, DUR-006.1's SHOULD) or
    fails ``store-unavailable`` — never ``internal`` (DUR-006, ADP-007), never absent.
    What is read was written through a handle straight to the server, so that the one
    through the proxy has read none of it and must ask the server."""
    handle = _opened(impl, tmp_path, proxy, "ADP-022.2")
    direct = _opened(impl, tmp_path, None, "ADP-022.2")
    kept = _blob(400)
    kept_id = g.object_id(kept).hex()
    ok_answer(_put(impl, direct, kept), "ADP-007", "a put through the direct handle")
    call_ok(impl, "ADP-007", "ref-cas", store=direct, name="names/cut", expected=None, new=kept_id)
    # a read through the proxy first: the handle holds a connection that is alive
    call_ok(impl, "ADP-022.2", "ref-get", store=handle, name="names/unset")
    reads: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("get", {"store": handle, "id": kept_id}, {"bytes": g.encode_object(kept).hex()}),
        ("has", {"store": handle, "id": kept_id}, {"present": True}),
        ("ref-get", {"store": handle, "name": "names/cut"}, {"id": kept_id}),
    ]
    for cmd, args, right in reads:
        cuts = proxy.stats().cuts
        proxy.cut_after(1)  # the next bytes up: the read; its answer is thrown away
        reply = impl.call(cmd, **args)
        proxy.disarm()
        if proxy.stats().cuts == cuts:  # answered without asking the server: no read ran
            check(
                "DUR-006.1",
                reply.ok and reply.result == right,
                expected=f"a {cmd} answered without the server to answer {describe(right)}",
                came=reply,
            )
            continue
        check(
            "DUR-006.1",
            (reply.ok and reply.result == right)
            or (not reply.ok and reply.error_class == "store-unavailable"),
            expected=f"a {cmd} whose connection was cut while it ran to answer "
            f"{describe(right)} or fail store-unavailable, never internal or absent",
            came=reply,
        )
    check(
        "DUR-006.1",
        _present(impl, handle, kept, "DUR-006.1"),
        expected="the object there through the proxy once no cut is armed",
        came="absent",
    )


@pytest.mark.req(
    "DUR-006.2", "DUR-006.3", "DUR-007.2", "DUR-006.1", "DUR-002", "ADP-022.2", "ADP-022.3"
)
@pytest.mark.req("CONV-004")
def test_a_connection_cut_after_a_write_was_sent_is_outcome_unknown_and_not_sent_again(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    first, cut = _blob(100), _blob(WRITE_BYTES)
    handle = _opened(impl, tmp_path, proxy, "ADP-022.2")
    ok_answer(_put(impl, handle, first), "ADP-022.2", "a put through the proxy")
    proxy.cut_after(WRITE_BYTES)  # the write's bytes go up; the server's answer is cut
    reply = _put(impl, handle, cut)
    seen = proxy.stats()
    check_equal(
        "ADP-022.2",
        1,
        seen.cuts,
        f"the cuts of the proxy after a put of a {WRITE_BYTES}-byte object through it",
    )
    what = "a put whose connection was lost after it was sent and before its answer"
    error_answer(reply, "DUR-006.2", "outcome-unknown", what)
    check(
        "DUR-007.2",
        seen.up_after_cut < WRITE_BYTES,
        expected="a write whose outcome is unknown not sent again on its own",
        came=f"{seen.up_after_cut} bytes went up after the cut",
    )
    direct = _opened(impl, tmp_path, None, "DUR-006.3")
    decided = _present(impl, direct, cut, "DUR-006.3")
    for _ in range(3):  # decided when answered, the same on every later read
        again = _present(impl, direct, cut, "DUR-006.3")
        check_equal("DUR-006.3", decided, again, "the cut write's object present, read again")
    if decided:  # whole
        got = call_ok(impl, "DUR-002", "get", store=direct, id=g.object_id(cut).hex())
        check_equal("DUR-002", g.encode_object(cut).hex(), got["bytes"], "the cut write's bytes")


@pytest.mark.req("DUR-006", "DUR-006.1", "DUR-006.2", "DUR-006.3", "ADP-007", "ADP-010.5")
@pytest.mark.req("ADP-022.2", "ADP-022.3", "STO-004.2")
@pytest.mark.req("CONV-004")
def test_a_store_corrupt_whose_connection_is_cut_as_it_starts_is_never_internal(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    """``store-corrupt`` (ADP-010.5) alters a stored copy, through the store's server for
    a store kept there.  The proxy cuts its connection with the first bytes it sends up:
    a fault of the store's medium, so it fails ``store-unavailable`` or
    ``outcome-unknown`` (DUR-006.1, DUR-006.2), never ``internal`` (DUR-006, ADP-007),
    and a handle straight to the server then reads the copy as it was or as altered
    (``corrupt-object``, STO-004.2): decided, whole either way (DUR-006.3)."""
    victim = _blob(300)
    victim_id = g.object_id(victim).hex()
    handle = _opened(impl, tmp_path, proxy, "ADP-022.2")
    ok_answer(_put(impl, handle, victim), "ADP-022.2", "a put through the proxy")
    cuts = proxy.stats().cuts
    proxy.cut_after(1)  # the first bytes up: the store-corrupt's first statement
    reply = impl.call("store-corrupt", store=handle, id=victim_id)
    proxy.disarm()
    if proxy.stats().cuts == cuts:  # nothing went up through the proxy: no fault met
        ok_answer(reply, "ADP-010.5", "a store-corrupt that sent nothing through the proxy")
        return
    check(
        "DUR-006",
        not reply.ok and reply.error_class in ("store-unavailable", "outcome-unknown"),
        expected="a store-corrupt whose connection was cut with its first bytes to fail "
        "store-unavailable or outcome-unknown, never internal or another class",
        came=reply,
    )
    direct = _opened(impl, tmp_path, None, "DUR-006.3")
    got = impl.call("get", store=direct, id=victim_id)
    check(
        "DUR-006.3",
        (got.ok and got.result == {"bytes": g.encode_object(victim).hex()})
        or (not got.ok and got.error_class == "corrupt-object"),
        expected="the copy a cut store-corrupt named, read straight from the server, as it "
        "was or altered (corrupt-object): decided",
        came=got,
    )


@pytest.mark.req("ADP-022.3", "DUR-006.1")
def test_a_slow_server_is_slower_not_wrong(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.delay = DELAY
    blob = _blob(300)
    oid = g.object_id(blob).hex()
    handle = _opened(impl, tmp_path, proxy, "ADP-022.3")
    stored = ok_answer(_put(impl, handle, blob), "ADP-022.3", "a put through a slow proxy")
    check_equal("ADP-022.3", oid, stored["id"], "the id a slow put answers")
    data = call_ok(impl, "ADP-022.3", "get", store=handle, id=oid)["bytes"]
    check_equal("ADP-022.3", g.encode_object(blob).hex(), data, "a slow get")
    call_ok(impl, "ADP-022.3", "ref-cas", store=handle, name="names/slow", expected=None, new=oid)
    got = call_ok(impl, "ADP-022.3", "ref-get", store=handle, name="names/slow")["id"]
    check_equal("ADP-022.3", oid, got, "a slow ref-get")
    names = call_ok(impl, "ADP-022.3", "ref-list", store=handle, prefix="names/")["names"]
    check_equal("ADP-022.3", ["names/slow"], names, "a slow ref-list")


def _blob_of_size(size: int) -> g.Blob:
    """A blob whose encoding is exactly ``size`` bytes (random data: incompressible)."""
    for n in range(size, -1, -1):
        blob = g.Blob(data=os.urandom(n))
        if len(g.encode_object(blob)) == size:
            return blob
    raise SuiteBug(f"suite bug: no blob encodes to {size} bytes")


@pytest.mark.feature("write-limit")
@pytest.mark.req("ADP-022.4", "DUR-008.1", "DUR-008.2")
@pytest.mark.req("CONV-004")
def test_a_write_bound_at_either_end_of_its_range_is_taken(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path
) -> None:
    """ADP-022.4's bound is any integer from 1 to 2**53 - 1, both ends included: a store
    opened with 1 refuses every write (no object encodes to a single byte), and one opened
    with 2**53 - 1 refuses none a test can make."""
    obj = _blob(16)
    size = len(g.encode_object(obj))
    for bound, refused in ((1, True), (2**53 - 1, False)):
        where = tmp_path / f"bound-{bound}"
        where.mkdir()
        opened = _open(impl, where, proxy, max_write_bytes=bound)
        what = f"store-open with max_write_bytes {bound}, an end of the range 1 to 2**53 - 1"
        handle = str(ok_answer(opened, "ADP-022.4", what)["store"])
        reply = _put(impl, handle, obj)
        what = f"a put of {size} bytes into the store opened with the bound {bound}"
        if refused:
            error_answer(reply, "DUR-008.1", "write-too-large", what)
        else:
            ok_answer(reply, "DUR-008.2", what)


# Bounds that share no structure with a power of two or the reference's own numbers.
@pytest.mark.feature("write-limit")
@pytest.mark.parametrize("bound", [4099, 65_539, 300_007])
@pytest.mark.req("DUR-008.1", "DUR-008.2", "ADP-022.4", "ADP-004.12")
@pytest.mark.req("CONV-004")
def test_a_write_bound_given_at_open_is_kept_on_both_sides(
    impl: Implementation, proxy: FaultProxy, tmp_path: Path, bound: int
) -> None:
    written = _open(impl, tmp_path, proxy, max_write_bytes=float(bound))
    what = f"store-open with max_write_bytes written {float(bound)!r}, no integer"
    error_answer(written, "ADP-004.12", "bad-request", what)
    opened = _open(impl, tmp_path, proxy, max_write_bytes=bound)
    handle = str(
        ok_answer(opened, "ADP-022.4", f"store-open with max_write_bytes {bound}")["store"]
    )
    at, over = _blob_of_size(bound), _blob_of_size(bound + 1)
    ok_answer(_put(impl, handle, at), "DUR-008.2", f"a put of {bound} bytes, the bound")
    proxy.reset()
    refused = _put(impl, handle, over)
    what = f"a put of {bound + 1} bytes, over the bound {bound}"
    error_answer(refused, "DUR-008.1", "write-too-large", what)
    sent = proxy.stats().bytes_up
    check(
        "DUR-008.1",
        sent < bound + 1,
        expected=f"the refused write refused before its object's {bound + 1} bytes are sent",
        came=f"{sent} bytes sent to the server",
    )
    direct = _opened(impl, tmp_path, None, "DUR-008.1")
    present = _present(impl, direct, over, "DUR-008.1")
    check_equal("DUR-008.1", False, present, "the refused write's object present")
    check_equal(
        "DUR-008.2",
        True,
        _present(impl, direct, at, "DUR-008.2"),
        "the object of the put at the bound",
    )
