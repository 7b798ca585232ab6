"""RFC 8949 Appendix A, embedded: every example and what the subset does with it.

The examples come from RFC 8949 Appendix A (as collected in cbor/test-vectors,
``appendix_a.json``).  They are written out here so that a clone of the project
without ``../shared/external`` still generates the encoding vectors;
``tests/test_external.py`` checks that this table covers exactly the items of
that file.  Each example is either admitted (the decoded value and the RFC's
diagnostic notation) or rejected with the error class and requirement the
spec assigns (ENC-003 tags, ENC-004 floats and simple values, ENC-006
indefinite lengths, ENC-009 non-text keys).
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["ADMITTED", "REJECTED", "SOURCE_NAME", "SOURCE_URL"]

SOURCE_NAME: Final = "RFC 8949 Appendix A (Examples of Encoded CBOR Data Items)"
SOURCE_URL: Final = "https://www.rfc-editor.org/rfc/rfc8949#appendix-A"

_INTEGERS = ("ENC-007.1", "ENC-014.2", "ENC-014.3", "ENC-015")
_TEXT = ("ENC-008.1", "ENC-014.2", "ENC-014.3")
_PLAIN = ("ENC-014.2", "ENC-014.3")
_MAPS = ("ENC-009", "ENC-010", "ENC-014.2", "ENC-014.3")

#: (hex, RFC diagnostic notation, decoded value, requirements) of admitted examples.
ADMITTED: Final[tuple[tuple[str, str, Any, tuple[str, ...]], ...]] = (
    ("00", "0", 0, _INTEGERS),
    ("01", "1", 1, _INTEGERS),
    ("0a", "10", 10, _INTEGERS),
    ("17", "23", 23, _INTEGERS),
    ("1818", "24", 24, _INTEGERS),
    ("1819", "25", 25, _INTEGERS),
    ("1864", "100", 100, _INTEGERS),
    ("1903e8", "1000", 1000, _INTEGERS),
    ("1a000f4240", "1000000", 1000000, _INTEGERS),
    ("1b000000e8d4a51000", "1000000000000", 1000000000000, _INTEGERS),
    ("1bffffffffffffffff", "18446744073709551615", 2**64 - 1, _INTEGERS),
    ("3bffffffffffffffff", "-18446744073709551616", -(2**64), _INTEGERS),
    ("20", "-1", -1, _INTEGERS),
    ("29", "-10", -10, _INTEGERS),
    ("3863", "-100", -100, _INTEGERS),
    ("3903e7", "-1000", -1000, _INTEGERS),
    ("f4", "false", False, ("ENC-004", "ENC-014.2", "ENC-014.3")),
    ("f5", "true", True, ("ENC-004", "ENC-014.2", "ENC-014.3")),
    ("f6", "null", None, ("ENC-004", "ENC-014.2", "ENC-014.3")),
    ("40", "h''", b"", _PLAIN),
    ("4401020304", "h'01020304'", b"\x01\x02\x03\x04", _PLAIN),
    ("60", '""', "", _TEXT),
    ("6161", '"a"', "a", _TEXT),
    ("6449455446", '"IETF"', "IETF", _TEXT),
    ("62225c", '"\\"\\\\"', '"\\', _TEXT),
    ("62c3bc", '"\\u00fc"', "\u00fc", _TEXT),
    ("63e6b0b4", '"\\u6c34"', "\u6c34", _TEXT),
    ("64f0908591", '"\\ud800\\udd51"', "\U00010151", _TEXT),
    ("80", "[]", [], _PLAIN),
    ("83010203", "[1, 2, 3]", [1, 2, 3], _PLAIN),
    ("8301820203820405", "[1, [2, 3], [4, 5]]", [1, [2, 3], [4, 5]], _PLAIN),
    (
        "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
        "23, 24, 25]",
        list(range(1, 26)),
        ("ENC-007.1", "ENC-014.2", "ENC-014.3"),
    ),
    ("a0", "{}", {}, _MAPS),
    ("a26161016162820203", '{"a": 1, "b": [2, 3]}', {"a": 1, "b": [2, 3]}, _MAPS),
    ("826161a161626163", '["a", {"b": "c"}]', ["a", {"b": "c"}], _MAPS),
    (
        "a56161614161626142616361436164614461656145",
        '{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}',
        {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
        _MAPS,
    ),
)

_TAG = ("forbidden-type", "ENC-003.1")
_MAJOR7 = ("forbidden-type", "ENC-004")
_INDEFINITE = ("indefinite-length", "ENC-006")

#: (hex, RFC diagnostic notation, error class, requirement) of rejected examples.
REJECTED: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("c249010000000000000000", "18446744073709551616", *_TAG),
    ("c349010000000000000000", "-18446744073709551617", *_TAG),
    ("f90000", "0.0", *_MAJOR7),
    ("f98000", "-0.0", *_MAJOR7),
    ("f93c00", "1.0", *_MAJOR7),
    ("fb3ff199999999999a", "1.1", *_MAJOR7),
    ("f93e00", "1.5", *_MAJOR7),
    ("f97bff", "65504.0", *_MAJOR7),
    ("fa47c35000", "100000.0", *_MAJOR7),
    ("fa7f7fffff", "3.4028234663852886e+38", *_MAJOR7),
    ("fb7e37e43c8800759c", "1.0e+300", *_MAJOR7),
    ("f90001", "5.960464477539063e-8", *_MAJOR7),
    ("f90400", "0.00006103515625", *_MAJOR7),
    ("f9c400", "-4.0", *_MAJOR7),
    ("fbc010666666666666", "-4.1", *_MAJOR7),
    ("f97c00", "Infinity", *_MAJOR7),
    ("f97e00", "NaN", *_MAJOR7),
    ("f9fc00", "-Infinity", *_MAJOR7),
    ("fa7f800000", "Infinity", *_MAJOR7),
    ("fa7fc00000", "NaN", *_MAJOR7),
    ("faff800000", "-Infinity", *_MAJOR7),
    ("fb7ff0000000000000", "Infinity", *_MAJOR7),
    ("fb7ff8000000000000", "NaN", *_MAJOR7),
    ("fbfff0000000000000", "-Infinity", *_MAJOR7),
    ("f7", "undefined", *_MAJOR7),
    ("f0", "simple(16)", *_MAJOR7),
    ("f818", "simple(24)", *_MAJOR7),
    ("f8ff", "simple(255)", *_MAJOR7),
    ("c074323031332d30332d32315432303a30343a30305a", '0("2013-03-21T20:04:00Z")', *_TAG),
    ("c11a514b67b0", "1(1363896240)", *_TAG),
    ("c1fb41d452d9ec200000", "1(1363896240.5)", *_TAG),
    ("d74401020304", "23(h'01020304')", *_TAG),
    ("d818456449455446", "24(h'6449455446')", *_TAG),
    ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", '32("http://www.example.com")', *_TAG),
    ("a201020304", "{1: 2, 3: 4}", "non-text-key", "ENC-009"),
    ("5f42010243030405ff", "(_ h'0102', h'030405')", *_INDEFINITE),
    ("7f657374726561646d696e67ff", '(_ "strea", "ming")', *_INDEFINITE),
    ("9fff", "[_ ]", *_INDEFINITE),
    ("9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]", *_INDEFINITE),
    ("9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]", *_INDEFINITE),
    ("83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]", *_INDEFINITE),
    ("83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]", *_INDEFINITE),
    (
        "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
        "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
        "23, 24, 25]",
        *_INDEFINITE,
    ),
    ("bf61610161629f0203ffff", '{_ "a": 1, "b": [_ 2, 3]}', *_INDEFINITE),
    ("826161bf61626163ff", '["a", {_ "b": "c"}]', *_INDEFINITE),
    ("bf6346756ef563416d7421ff", '{_ "Fun": true, "Amt": -2}', *_INDEFINITE),
)
