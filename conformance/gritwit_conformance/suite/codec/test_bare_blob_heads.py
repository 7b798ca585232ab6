"""A blob without headers, whose data's head is right, or claims more or fewer bytes than
follow, or sits in a map a byte away from that blob's shape (ENC-002.1, ENC-009,
ENC-014.3, ENC-016).

A blob without headers is ``a2 64 "data" <head> <data> 64 "type" 64 "blob"``: the
commonest object (a core's files), which a decoder may well take by a shortcut that
compares its fixed bytes.  Such a shortcut must accept exactly what the general decoder
accepts: the shortest head (ENC-007.1) of exactly the data's length, and nothing one
byte away.  The data's length is checked on both sides of every head width; a head
claiming ``d`` bytes more than follow makes the string swallow the first ``d`` bytes of
``64 "type" 64 "blob"`` and leaves the rest to be read as the next key, whose class
ENC-016 fixes by hand below; a head claiming fewer leaves a data byte (0x00, an integer)
where the next key must be (``non-text-key``).
"""

from __future__ import annotations

import blake3
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, ok_answer

from ._codec_texts import _check_bytes, _head

pytestmark = pytest.mark.profile("codec")

START = bytes.fromhex("a2") + b"\x64data"
END = b"\x64type\x64blob"

#: Data lengths on both sides of each head width (ENC-007.1: 23 | 24, 255 | 256,
#: 65535 | 65536) and of 511 | 512, where a one-byte length would have to hold 256..511.
LENGTHS = [0, 1, 23, 24, 255, 256, 511, 512, 65535, 65536]

#: What the bytes after a string that swallowed ``d`` bytes of END decode to (ENC-016):
#: d = 4 leaves ``65 "dblob"`` (a key after "data", then no value: truncated); d = 5
#: leaves ``64 "blob"`` and d = 6 ``62 "lo"`` (keys smaller than "data": unsorted-keys);
#: every other d leaves a key or a length claiming more than remains (truncated).
SWALLOWED = {d: "unsorted-keys" if d in (5, 6) else "truncated" for d in range(1, 25)}


def _bare(data: bytes, claimed: int | None = None) -> bytes:
    """The blob's bytes with ``data``, its head claiming ``claimed`` bytes (default: all)."""
    return START + _head(2, len(data) if claimed is None else claimed) + data + END


@pytest.mark.req("ENC-014.3", "ENC-007.1", "OBJ-008")
@pytest.mark.inputs("empty", "largest", "past-largest")
@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.req("CONV-004")
def test_a_bare_blob_of_every_head_width_decodes_to_its_data(
    impl: Implementation, length: int
) -> None:
    """``decode`` and ``id`` accept the canonical bytes; decode gives back the data."""
    data = bytes(range(256)) * (length // 256) + bytes(range(length % 256))
    encoded = _bare(data)
    what = f"a blob without headers of {length} data bytes"
    _check_bytes("ENC-014.3", impl, encoded, "ok", ["decode", "id"], what)
    decoded = ok_answer(impl.call("decode", bytes=encoded.hex()), "ENC-014.3", f"decode of {what}")
    described = decoded.get("object") or {}
    came = {k: described.get(k) for k in ("type", "data")}
    came["headers"] = described.get("headers", {})
    want = {"type": "blob", "data": data.hex(), "headers": {}}  # {} and absent: no headers
    check_equal("OBJ-008", want, came, f"the description decode gives of {what}")
    check_equal("ENC-014.3", blake3.blake3(encoded).hexdigest(), decoded.get("id"), what)


@pytest.mark.req("ENC-002.1", "ENC-016", "ENC-010")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(
    ("length", "more"),
    [(0, d) for d in range(1, 24)]
    + [(5, 1), (24, 1), (24, 4), (24, 12), (24, 14), (256, 1), (0, 24), (0, 64)],
)
@pytest.mark.req("CONV-004")
def test_a_head_claiming_more_bytes_than_follow_is_refused(
    impl: Implementation, length: int, more: int
) -> None:
    """The data's head claims ``more`` bytes past its data; the class is what the bytes
    left after the swallowed ones make of the next key (ENC-016)."""
    encoded = _bare(b"\x00" * length, length + more)
    want = SWALLOWED.get(more, "truncated")
    what = f"a bare blob of {length} data bytes whose head claims {length + more}"
    _check_bytes("ENC-016", impl, encoded, want, ["decode", "id"], what)


@pytest.mark.req("ENC-009", "ENC-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("length", "fewer"), [(1, 1), (24, 1), (25, 1), (128, 128), (257, 1)])
@pytest.mark.req("CONV-004")
def test_a_head_claiming_fewer_bytes_than_follow_is_refused(
    impl: Implementation, length: int, fewer: int
) -> None:
    """The head claims ``fewer`` bytes less: the first byte left over (0x00, an integer)
    stands where the second key must be → ``non-text-key``."""
    encoded = _bare(b"\x00" * length, length - fewer)
    what = f"a bare blob of {length} data bytes whose head claims {length - fewer}"
    _check_bytes("ENC-009", impl, encoded, "non-text-key", ["decode", "id"], what)


#: Bytes one change away from the blob of the one data byte 00, and their class (ENC-016).
NEAR = {
    "three pairs claimed": (b"\xa3" + _bare(b"\x00")[1:], "truncated", "ENC-002.1"),
    "one pair claimed": (b"\xa1" + _bare(b"\x00")[1:], "trailing-bytes", "ENC-001"),
    "type value not UTF-8": (_bare(b"\x00")[:-1] + b"\xff", "invalid-utf8", "ENC-008.1"),
    "data key not UTF-8": (b"\xa2\x64dat\xff" + _bare(b"\x00")[6:], "invalid-utf8", "ENC-008.1"),
    "data an integer, then a byte string": (START + b"\x00\x41" + END, "non-text-key", "ENC-009"),
}


@pytest.mark.req("ENC-001", "ENC-002.1", "ENC-008.1", "ENC-009", "ENC-016")
@pytest.mark.parametrize("case", sorted(NEAR))
@pytest.mark.req("CONV-004")
def test_bytes_one_change_away_from_a_bare_blob_are_refused(
    impl: Implementation, case: str
) -> None:
    """A map head, a key, the type's text or the data's head changed: refused with the
    class of the first violation (ENC-016), never taken for the blob."""
    encoded, want, clause = NEAR[case]
    _check_bytes(clause, impl, encoded, want, ["decode", "id"], f"a bare blob with {case}")
