"""Open-loop wrong adapters of the adapter protocol (issue 24):
written from spec/ alone, merged into WRONG.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_protocol_handle_after_ids": WrongAdapter(
        ("wit",),
        frozenset({"ADP-004.6"}),
        "failed",
        "wit-head/-object/-query/-send parse their id arguments before the runtime handle: "
        "an unknown handle with a malformed id answers invalid-id, not bad-request",
    ),
    "open_protocol_state_hex_any_case": WrongAdapter(
        ("wit",),
        frozenset({"ADP-004.5"}),
        "failed",
        "the wit commands decode state values, content blobs and modules with a stock hex "
        "decoder that accepts uppercase digits instead of answering bad-request",
    ),
    "open_protocol_failed_retried_each_round": WrongAdapter(
        ("wit",),
        frozenset({"ADP-014"}),
        "failed",
        "wit-run keeps no set of failed actors: a failing actor is tried again in every "
        "round and listed in failures once per round",
    ),
    "open_protocol_send_surrogates_replaced": WrongAdapter(
        ("wit",),
        frozenset({"ADP-004.8"}),
        "failed",
        "wit-send replaces lone surrogates in mt, header values and tree names by U+FFFD "
        "and sends, instead of refusing with invalid-utf8",
    ),
}
