"""Wrong adapters of the store group (chapter *store and refs*: STO-, REF-, DUR-)."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    # --- objects ---------------------------------------------------------------------------
    "store_put_stores_before_validating": WrongAdapter(
        ("store",),
        frozenset({"STO-001.2"}),
        "failed",
        "put stores the bytes, then decodes them: the error is right but invalid bytes stay",
        smoke=True,
    ),
    "store_put_returns_text_hash": WrongAdapter(
        ("store",),
        frozenset({"STO-002.1"}),
        "failed",
        "put answers the BLAKE3 of the hex text it was sent, not the object's id",
        smoke=True,
    ),
    "store_put_refuses_duplicate": WrongAdapter(
        ("store",),
        frozenset({"STO-002.2"}),
        "failed",
        "a second put of stored bytes fails instead of succeeding with the same id",
        smoke=True,
    ),
    "store_has_fails_when_absent": WrongAdapter(
        ("store",),
        frozenset({"STO-005.2"}),
        "failed",
        "has is built on get: an absent id answers not-found instead of false",
        smoke=True,
    ),
    "store_put_keeps_corrupt_copy": WrongAdapter(
        ("store",),
        frozenset({"STO-002.3"}),
        "failed",
        "put of an id already present stores nothing, so a corrupt copy is never mended",
        smoke=True,
    ),
    # --- refs ------------------------------------------------------------------------------
    "store_ref_name_error_class": WrongAdapter(
        ("store",),
        frozenset({"REF-001.3"}),
        "failed",
        "a bad ref name is reported invalid-name (the tree-name class), not invalid-ref-name",
    ),
    "store_get_ref_unchecked": WrongAdapter(
        ("store",),
        frozenset({"REF-007.2"}),
        "failed",
        "ref-get looks any name up without checking it: null instead of invalid-ref-name",
    ),
    "store_list_refs_checks_prefix": WrongAdapter(
        ("store",),
        frozenset({"REF-007.3"}),
        "failed",
        "ref-list refuses a prefix that is not itself a valid ref name",
        smoke=True,
    ),
    # --- durability and concurrency --------------------------------------------------------
    "store_refs_cached_per_process": WrongAdapter(
        ("store",),
        frozenset({"DUR-003"}),
        "failed",
        "refs cached per process at open: a second writer of the same store swaps from a "
        "stale value and both succeed",
        smoke=True,
    ),
    "store_ref_before_target": WrongAdapter(
        ("store",),
        frozenset({"DUR-002.2"}),
        "failed",
        "a ref swap is written through at once, its target object only at close: a kill "
        "right after the swap leaves a dangling ref",
    ),
}
MORE["store_torn_put"] = WrongAdapter(
    ("store",),
    frozenset({"DUR-002.1"}),
    "failed",
    "put is acknowledged with the last byte of the object still buffered: a kill right "
    "after it leaves a torn object",
)
MORE["store_cas_swap_first"] = WrongAdapter(
    ("store",),
    frozenset({"REF-007.1"}),
    "failed",
    "cas compares the expected value before checking a heads/ ref's target",
    smoke=True,
)
MORE["store_cas_read_then_write"] = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.1", "RUN-002.2"}),
    "failed",
    "the backend's compare-and-swap reads in one transaction and writes in the next (a get, "
    "then a put, 20 ms apart): one process alone never notices; two runtime processes on one "
    "store overwrite each other's steps and sends",
)
