"""Wrong adapters of the codec group (chapters encoding, objects, identifiers, conventions)."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "codec_one_decode_class": WrongAdapter(
        ("codec",),
        frozenset({"CONV-004"}),
        "failed",
        "reports every decode error as malformed instead of the class its rule defines",
        smoke=True,
    ),
    "codec_key_order_checked_late": WrongAdapter(
        ("codec",),
        frozenset({"ENC-016"}),
        "failed",
        "checks a map's key order after decoding all its pairs, not in one left-to-right pass",
    ),
    "codec_id_without_decoding": WrongAdapter(
        ("codec",),
        frozenset({"ID-004"}),
        "failed",
        "id hashes the given bytes without decoding them, so it answers for invalid encodings",
        smoke=True,
    ),
    "codec_mailbox_signed_order": WrongAdapter(
        ("codec",),
        frozenset({"ID-005"}),
        "failed",
        "encodes mailbox entries ordered by their ids as signed bytes (0x80… before 0x00…)",
        smoke=True,
    ),
    "codec_preallocates_claimed_length": WrongAdapter(
        ("codec",),
        frozenset({"ENC-002.2"}),
        "failed",
        "allocates what a length or count claims before reading: a 2^63 claim is an internal "
        "error, not truncated",
    ),
    "codec_normalises_text": WrongAdapter(
        ("codec",),
        frozenset({"ENC-008.2", "OBJ-011.4"}),
        "failed",
        "encode puts header and tree names in Unicode NFC: 'e\\u0301' becomes '\\u00e9'",
    ),
    "codec_encodes_long_heads": WrongAdapter(
        ("codec",),
        frozenset({"ENC-007.1"}),
        "failed",
        "the encoder writes string lengths 0-23 with a following byte (additional information 24)",
    ),
    "codec_refuses_empty_header_value": WrongAdapter(
        ("codec",),
        frozenset({"OBJ-006.4"}),
        "failed",
        'a header whose value is "" is refused as invalid-object (encode and decode)',
        smoke=True,
    ),
    "codec_size_checked_first": WrongAdapter(
        ("codec",),
        frozenset({"OBJ-017.2"}),
        "failed",
        "encode checks the 16 MiB limit before the object rules: an oversized blob with an "
        "empty header name is too-large, not invalid-object",
    ),
    "codec_multihash_ids": WrongAdapter(
        ("codec",),
        frozenset({"ID-002.1"}),
        "failed",
        "the encoder writes ids inside objects with a multihash prefix (1e 20), 34 bytes",
        smoke=True,
    ),
    "codec_tree_names_before_ids": WrongAdapter(
        ("codec",),
        frozenset({"OBJ-016.3"}),
        "failed",
        "checks every name of a tree's entries before any of its ids, not entry by entry",
        smoke=False,
    ),
}
