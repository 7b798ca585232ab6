"""Open-loop wrong adapters of encoding, objects and identifiers (issue 24): written from
spec/ alone, merged into WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_codec_keys_utf16_order": WrongAdapter(
        ("codec",),
        frozenset({"ENC-010"}),
        "failed",
        "the decoder orders keys of equal UTF-8 length by UTF-16 code units: canonical maps "
        "with a key above U+FFFF and one in U+E000-U+FFFF are unsorted-keys, the swap accepted",
    ),
    "open_codec_keys_char_length_first": WrongAdapter(
        ("codec",),
        frozenset({"ENC-014.1"}),
        "failed",
        "the encoder sorts header and tree-entry keys by character count, then bytes, not by "
        'UTF-8 length: "é" before "ab" (wrong bytes and ids beyond ASCII)',
    ),
    "open_codec_surrogate_repaired_on_encode": WrongAdapter(
        ("codec",),
        frozenset({"OBJ-018.3"}),
        "failed",
        "encode replaces lone surrogates in a description with U+FFFD (TextEncoder-style) and "
        "encodes the object instead of failing invalid-utf8",
    ),
    "open_codec_depth_33_accepted": WrongAdapter(
        ("codec",),
        frozenset({"ENC-012"}),
        "failed",
        "the nesting limit is off by one: 33 nested arrays/maps decode (and re-encode), only "
        "the 34th level is too-deep",
    ),
    "open_codec_size_limit_on_blob_data": WrongAdapter(
        ("codec",),
        frozenset({"ENC-013.2"}),
        "failed",
        "the encoder checks the 16 MiB limit on a blob's data, not on its encoding: a blob of "
        "16 MiB - 8 bytes is encoded into 16 MiB + 9 bytes that decode refuses",
    ),
    "open_codec_tree_name_utf16_length": WrongAdapter(
        ("codec",),
        frozenset({"OBJ-011.1"}),
        "failed",
        "tree names are limited to 255 UTF-16 code units, not 255 UTF-8 bytes: 200 x 'é' "
        "(400 bytes) is accepted by encode and decode",
    ),
    "open_codec_duplicate_key_as_unsorted": WrongAdapter(
        ("codec",),
        frozenset({"ENC-011"}),
        "failed",
        "a repeated map key fails unsorted-keys (one `key <= previous` check), not duplicate-key",
    ),
    "open_codec_id_trailing_newline": WrongAdapter(
        ("codec", "store"),
        frozenset({"ID-003"}),
        "failed",
        'the text-form id parser (`^[0-9a-f]{64}$` with re.match) accepts "<64 hex>\\n" in '
        "descriptions and id arguments",
    ),
}
