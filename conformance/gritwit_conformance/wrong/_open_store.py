"""Open-loop wrong adapters of the store and refs (issue 24): written from spec/ alone, merged
into WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_store_ref_list_drops_exact_name": WrongAdapter(
        ("store",),
        frozenset({"REF-006"}),
        "failed",
        "ref-list scans names strictly after the prefix: a ref named exactly the prefix "
        "(names/a under prefix names/a) is left out",
    ),
    "open_store_put_does_not_mend": WrongAdapter(
        ("store",),
        frozenset({"STO-002.3"}),
        "failed",
        "put returns at once when the id is present, so a corrupt copy is never replaced and "
        "get keeps failing corrupt-object",
    ),
    "open_store_conflict_before_missing_target": WrongAdapter(
        ("store",),
        frozenset({"REF-007.1"}),
        "failed",
        "ref-cas compares expected before checking the target: ref-conflict wins over "
        "not-found and invalid-ref-target",
    ),
    "open_store_head_delete_refused": WrongAdapter(
        ("store",),
        frozenset({"REF-007.5"}),
        "failed",
        "a swap of a heads/ ref to none (a delete) fails invalid-ref-target: REF-002 is applied "
        "to a delete",
    ),
}
