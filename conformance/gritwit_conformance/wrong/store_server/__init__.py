"""Wrong adapters of a networked store: the proof that the fault proxy's tests bite (ADP-022).

Each module is the reference adapter with one bug in how it meets a fault of its store's
server (DUR-006 … DUR-008), run as ``python -m gritwit_conformance.wrong.store_server.<name>``
with a PostgreSQL store (``GRITWIT_STORE_URL``, as ``gritwit adapter --store-url`` reads
it): without a store server the reference claims no ``store-server`` and the tests they
fail are *not claimed*, so they are not rows of :data:`gritwit_conformance.wrong.WRONG`
(whose run has no server) but of :data:`STORE_SERVER_WRONG`, which
``reference/tests/test_store_fault_proxy.py`` runs against a throwaway cluster.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

__all__ = ["STORE_SERVER_WRONG"]


def _row(failed: set[str], description: str) -> WrongAdapter:
    return WrongAdapter(("store",), frozenset(failed), "failed", description)


#: module name → what the suite must report for it.
STORE_SERVER_WRONG: dict[str, WrongAdapter] = {
    "unreachable_as_internal": _row(
        {"DUR-006.1", "ADP-007", "ADP-022.3"},
        "a server that refuses connections answered as internal, its own bug",
    ),
    "names_the_socket_directory": _row(
        {"ADP-022.1"}, "hello's store_server names the socket's directory, not the socket"
    ),
    "retries_an_unknown_write": _row(
        {"DUR-007.2", "DUR-006.2"},
        "a put whose connection was lost after it was sent is sent again",
    ),
    "unknown_write_as_unavailable": _row(
        {"DUR-006.2"}, "a put lost after it was sent is answered store-unavailable: definite"
    ),
    "ignores_via": _row(
        {"DUR-006.1", "ADP-022.2"}, "store-open's via ignored: straight to the server"
    ),
    "has_unreachable_as_absent": _row(
        {"DUR-006.1", "STO-005.1"},
        "a has that cannot reach the server answers false, not store-unavailable",
    ),
    "write_limit_ignored": _row({"DUR-008.1", "ADP-022.4"}, "store-open's max_write_bytes ignored"),
    "write_limit_off_by_one": _row(
        {"DUR-008.2", "ADP-022.4"},
        "a write of exactly max_write_bytes refused: the bound taken as exclusive",
    ),
}
