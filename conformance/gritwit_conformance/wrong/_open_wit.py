"""Open-loop wrong adapters of the Wit chapter (issue 24):
written from spec/ alone, merged into WRONG.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_wit_first_genesis_decides": WrongAdapter(
        ("wit",),
        frozenset({"WIT-012.3"}),
        "failed",
        "only the oldest pending genesis is checked against the actor id: a misaddressed "
        "genesis queued before the right one fails the actor invalid-genesis",
    ),
    "open_wit_update_read_by_genesis": WrongAdapter(
        ("wit",),
        frozenset({"WIT-013.3", "WIT-012.6"}),
        "failed",
        "the genesis transition sees every pending message, updates included: an update "
        "queued before the actor exists is read as a no-op and its entries are lost",
    ),
    "open_wit_merge_replaces_subtrees": WrongAdapter(
        ("wit",),
        frozenset({"WIT-013.4"}),
        "failed",
        "the default update is a shallow merge: a sub-tree named by the update replaces the "
        "old sub-tree whole instead of being merged recursively",
    ),
    "open_wit_senders_signed_order": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.2"}),
        "failed",
        "test actors act on senders in signed-byte id order: a sender id starting with a "
        "byte >= 0x80 comes before the outside",
    ),
    "open_wit_frozen_from_second_step": WrongAdapter(
        ("wit",),
        frozenset({"WIT-016", "WIT-023.2"}),
        "failed",
        "the frozen check needs a last step: a genesis transition may change wit of a "
        "frozen genesis core instead of failing frozen-core",
    ),
    "open_wit_budget_spend_all_refused": WrongAdapter(
        ("wit",),
        frozenset({"WIT-025.2"}),
        "failed",
        "budget grants a spend only below the budget (<): a spend of the whole budget is refused",
    ),
    "open_wit_spend_no_amount_unanswered": WrongAdapter(
        ("wit",),
        frozenset({"WIT-025.3"}),
        "failed",
        "budget reads a spend without an amount without effect: no refused reply with the "
        "empty blob",
    ),
    "open_wit_decimal_unicode_digits": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.6"}),
        "failed",
        "a decimal is tested with the Unicode digit class: non-ASCII digits such as U+0663 "
        "count (counter, budget, sleepy)",
    ),
}
