"""Wrong adapters of the adapter protocol chapter (ADP-*), merged into :data:`WRONG`.

Adapters that break the envelope end as *errored* records that name the rule
broken as well as ADP-012 (the harness's blame).
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter


def _ids(*ids: str) -> frozenset[str]:
    return frozenset(ids)


MORE: dict[str, WrongAdapter] = {
    "protocol_results_wrapped": WrongAdapter(
        ("codec",),
        _ids("ADP-003.4", "ADP-012"),
        "errored",
        "wraps the results of hash in a result object",
        reason="protocol schema",
        smoke=True,
    ),
    "protocol_requirement_at_top_level": WrongAdapter(
        ("codec",),
        _ids("ADP-003.3", "ADP-012"),
        "errored",
        "puts the requirement of an error beside error instead of inside it",
        reason="protocol schema",
        smoke=True,
    ),
    "wit_hidden_genesis_waits": WrongAdapter(
        ("wit",),
        _ids("WIT-012.6"),
        "failed",
        "a genesis queued behind an update does not start the actor",
    ),
    "codec_id_without_object_rules": WrongAdapter(
        ("codec",),
        _ids("ADP-009.3"),
        "failed",
        "id checks the encoding only, so it answers for canonical CBOR that is no object",
    ),
    "codec_numbers_as_text": WrongAdapter(
        ("codec",),
        _ids("OBJ-018.9"),
        "failed",
        "reads JSON numbers in a description as their decimal text",
    ),
    "wit_unknown_actor_refused_at_adoption": WrongAdapter(
        ("wit",),
        _ids("WIT-029.2"),
        "failed",
        "refuses a new core whose wit names no test actor when it is adopted",
    ),
    "wit_unknown_update_function_replaces": WrongAdapter(
        ("wit",),
        _ids("WIT-014.3"),
        "failed",
        "runs an update naming an unknown wit_update function with replace",
    ),
    "runtime_import_head_checked_first": WrongAdapter(
        ("runtime",),
        _ids("RUN-009.6"),
        "failed",
        "rt-import compares the target's head before it checks the bundle",
    ),
    "codec_surrogate_before_not_object": WrongAdapter(
        ("codec",),
        _ids("OBJ-018.6"),
        "failed",
        "encode looks for lone surrogates before checking the description is an object",
    ),
    "codec_odd_data_padded": WrongAdapter(
        ("codec",),
        _ids("OBJ-018.8"),
        "failed",
        "blob data of an odd number of hex digits is padded with a leading zero",
    ),
    "protocol_odd_hex_padded": WrongAdapter(
        ("codec",),
        _ids("ADP-004.5"),
        "failed",
        "byte-string arguments of an odd number of hex digits are padded with a leading zero",
    ),
    "store_ref_list_ascii_only": WrongAdapter(
        ("store",),
        _ids("REF-007.4"),
        "failed",
        "ref-list refuses a prefix that is not ASCII with bad-request",
    ),
    "store_head_delete_checks_target": WrongAdapter(
        ("store",),
        _ids("REF-007.5"),
        "failed",
        "a swap of a heads/ ref to none is refused as a bad target",
    ),
    "store_ref_delete_collects_target": WrongAdapter(
        ("store",),
        _ids("STO-006"),
        "failed",
        "moving or deleting a ref removes the object it pointed at",
    ),
    "store_corrupt_does_nothing": WrongAdapter(
        ("store",),
        _ids("ADP-010.5"),
        "failed",
        "the store-corrupt hook answers success and alters nothing",
    ),
    "wit_frozen_checked_first": WrongAdapter(
        ("wit",),
        _ids("WIT-029.1"),
        "failed",
        "a new core's frozen entries are checked before its structure",
    ),
    "runtime_fork_state_first": WrongAdapter(
        ("runtime",),
        _ids("RUN-008.9"),
        "failed",
        "rt-fork refuses a state naming fork before it looks at the step",
    ),
    "protocol_ref_name_before_arguments": WrongAdapter(
        ("store",),
        _ids("ADP-004.6"),
        "failed",
        "ref-cas checks the ref name before its id arguments (invalid-ref-name, not invalid-id)",
    ),
    "protocol_current_at_top_level": WrongAdapter(
        ("store",),
        _ids("ADP-010.4", "ADP-012"),
        "errored",
        "puts current of a ref-conflict beside error instead of inside it",
        reason="protocol schema",
    ),
    "wit_content_blob_and_tree": WrongAdapter(
        ("wit",),
        _ids("ADP-004.8"),
        "failed",
        "reads a content description with both blob and tree as the blob",
    ),
    "protocol_errors_on_stderr": WrongAdapter(
        # codec too: --profile store runs only the protocol tests store needs (one bad
        # request), and the check that the run went on needs the bug hit again.
        ("codec", "store"),
        _ids("ADP-001.2", "ADP-012"),
        "errored",
        "writes its bad-request answers on standard error instead of standard output",
        reason="the adapter wrote it to standard error",
        smoke=True,
    ),
    "protocol_pretty_prints_decode": WrongAdapter(
        ("codec",),
        _ids("ADP-001.3", "ADP-012"),
        "errored",
        "pretty-prints its answers to decode over several lines",
        reason="response to decode is not JSON",
        smoke=True,
    ),
    "protocol_rejects_unknown_fields": WrongAdapter(
        ("codec",),
        _ids("ADP-002"),
        "failed",
        "refuses requests carrying fields it does not know with bad-request",
        smoke=True,
    ),
    "protocol_error_as_text": WrongAdapter(
        ("codec",),
        _ids("ADP-003.2", "ADP-012"),
        "errored",
        'error responses carry the error as a string: "error": "invalid-id: …"',
        reason="breaks the protocol schema",
        smoke=True,
    ),
    "protocol_uppercase_digests": WrongAdapter(
        ("codec",),
        _ids("ADP-004.1", "ADP-012"),
        "errored",
        "hash answers the digest in uppercase hex",
        reason="result of hash breaks the protocol schema",
        smoke=True,
    ),
    "protocol_accepts_uppercase_hex": WrongAdapter(
        ("codec",),
        _ids("ADP-004.2"),
        "failed",
        "reads byte strings with bytes.fromhex: uppercase digits and spaces are accepted",
        smoke=True,
    ),
    "protocol_bad_ids_bad_request": WrongAdapter(
        ("store",),
        _ids("ADP-004.3"),
        "failed",
        "a malformed id argument is answered bad-request instead of invalid-id",
        smoke=True,
    ),
    "protocol_skips_unreadable_lines": WrongAdapter(
        ("codec",),
        _ids("ADP-004.4"),
        "failed",
        "lines that are no JSON object with an integer seq get no answer",
        smoke=True,
    ),
    "protocol_hello_without_homepage": WrongAdapter(
        ("codec",),
        _ids("ADP-005.1", "ADP-012"),
        "errored",
        "hello leaves out implementation.homepage",
        reason="result of hello breaks the protocol schema",
        smoke=True,
        breaks_handshake=True,
    ),
    "protocol_encode_errors_bad_request": WrongAdapter(
        ("codec",),
        _ids("ADP-007", "ADP-009.2"),
        "failed",
        "encode reports every description the object rules refuse as bad-request",
        smoke=True,
    ),
    "protocol_unknown_command_bad_request": WrongAdapter(
        ("codec",),
        _ids("ADP-008"),
        "failed",
        "answers a command it does not know with bad-request, not unsupported-command",
        smoke=True,
    ),
    "protocol_decode_id_of_hex_text": WrongAdapter(
        ("codec",),
        _ids("ADP-009.1"),
        "failed",
        "decode answers the hash of the hex text as id",
        smoke=True,
    ),
    "protocol_store_handles_reused": WrongAdapter(
        ("store",),
        _ids("ADP-010.1"),
        "failed",
        "every store-open answers the same handle: a new store replaces the last",
        smoke=True,
    ),
    "protocol_corrupt_absent_not_found": WrongAdapter(
        ("store",),
        _ids("ADP-010.2"),
        "failed",
        "store-corrupt of an absent id answers not-found instead of bad-request",
        smoke=True,
    ),
    "protocol_durable_in_memory": WrongAdapter(
        ("store",),
        _ids("ADP-010.3"),
        "failed",
        "a durable store lives in memory: a new adapter process finds nothing at its path",
        smoke=True,
    ),
    "protocol_shutdown_exit_status": WrongAdapter(
        ("codec",),
        _ids("ADP-011.1"),
        "failed",
        "exits with status 1 after answering shutdown",
        smoke=True,
    ),
    "protocol_has_present_as_int": WrongAdapter(
        ("store",),
        _ids("ADP-013", "ADP-012"),
        "errored",
        "has answers present as 0 or 1, not a boolean",
        reason="result of has breaks the protocol schema",
        smoke=True,
    ),
    "protocol_wit_failures_all_failed": WrongAdapter(
        ("wit",),
        _ids("ADP-014"),
        "failed",
        "wit-run reports every failed transition as failed, never the Wit chapter's class",
    ),
    "protocol_wasm_load_skips_checks": WrongAdapter(
        ("wasm",),
        _ids("ADP-016"),
        "failed",
        "wasm-load accepts any module: the load checks of WASM-002 are skipped",
    ),
    "protocol_hello_profile_twice": WrongAdapter(
        ("codec",),
        _ids("ADP-005.4", "ADP-012"),
        "errored",
        "hello lists the profile wit twice (collected from two command tables)",
        reason="profiles",
        smoke=True,
        breaks_handshake=True,
    ),
    "protocol_unknown_content_member_refused": WrongAdapter(
        ("wit",),
        _ids("ADP-004.9"),
        "failed",
        "wit-send refuses a content description's members not its own (bad-request)",
    ),
    "protocol_surrogates_before_arguments": WrongAdapter(
        ("wit",),
        _ids("ADP-004.10"),
        "failed",
        "wit-send and rt-send look for lone surrogates before checking signal",
    ),
    "codec_encode_deep_is_too_deep": WrongAdapter(
        ("codec",),
        _ids("ADP-009.4"),
        "failed",
        "encode answers too-deep for a description nested deeper than 32 arrays and maps",
    ),
    "protocol_query_name_surrogate_internal": WrongAdapter(
        ("wasm",),
        frozenset({"ADP-004.11"}),
        "failed",
        "a wit-query name holding a lone surrogate is answered internal, not bad-request",
    ),
    "spec_0_2_0": WrongAdapter(
        ("codec", "store"),
        _ids("ADP-009.4", "REF-001.1", "REF-001.3"),
        "failed",
        "an implementation of spec 0.2.0 (claims it in hello): encode's deep descriptions are "
        "too-deep (ADP-009.4, added in 0.3.0) and a ref name's lone surrogates are dropped "
        "(REF-001, newly tested in 0.3.0); every failure is marked since 0.2.0 (ADP-005.5)",
    ),
}
