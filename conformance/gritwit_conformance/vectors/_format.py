"""The layout of a golden-vector file (format ``gritwit-vectors/1``, CONV-003, CONV-005).

A file holds one *suite* (``encoding``, ``objects/blob``, ``identifiers`` …):
a header (format, spec version, generator, counts, flag notes, sources) and
*groups* of vectors of one *kind*:

* ``object`` — ``input`` is meant to be the canonical encoding of an object;
  valid vectors give its ``objectId`` and JSON ``decoded`` description (OBJ-018);
* ``value`` — ``input`` is a generic data item of the CBOR subset; valid
  vectors give its RFC 8949 diagnostic notation;
* ``hash`` — ``input`` is arbitrary bytes and ``digest`` their BLAKE3-256 (ID-001);
* ``scenario`` — no ``input``: ``operations`` for a Wit runtime (ADP-014), each with
  the ``expect``-ed answer the reference gave (see :mod:`._scenario_build`);
* ``runtime`` — the same for a durable runtime (ADP-015), with ``open`` options and
  ``kill``/``transfer`` operations (see :mod:`._runtime_build`);
* ``sandbox`` — ``info`` and ``run`` operations of the ``sandbox`` profile (ADP-019),
  each with the reference's ``expect`` (see :mod:`._sandbox`).

Operations of both kinds also record ``objects``: the JSON descriptions (OBJ-018) of
the objects their answer's ids reach that no earlier operation recorded (ADP-017.1).

Invalid vectors give the ``error`` class (CONV-004) and the ``phase`` that
reports it.  This module declares the in-memory form (:class:`Case`,
:class:`Group`, :class:`Suite`) the suite modules write, and how a file is
serialised: JSON, 2-space indent, sorted keys, ASCII, trailing newline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ..data._requirement_ids import WHOLE
from ._build import encode

__all__ = [
    "DECODE_CLASSES",
    "FLAG_NOTES",
    "FORMAT",
    "GENERATOR_COMMAND",
    "ID_PATTERN",
    "PHASE_OF",
    "REQUIREMENT_PATTERN",
    "SCHEMA_FILE",
    "VALIDATE_CLASSES",
    "Case",
    "Group",
    "Kind",
    "Source",
    "Suite",
    "dump_json",
    "schema_reference",
    "suite_path",
]

FORMAT: Final = "gritwit-vectors/1"
SCHEMA_FILE: Final = "vectors.schema.json"
GENERATOR_COMMAND: Final = "gritwit vectors generate"

#: A vector id: slash-separated lowercase slugs, e.g. ``blob/empty-data``.
ID_PATTERN: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+$")
#: A requirement ID such as ``ENC-007`` (CONV-002).
REQUIREMENT_PATTERN: Final = WHOLE

# The error-class registry of the spec (CONV-004), written down here rather
# than read from the reference so that the vectors check the reference.
DECODE_CLASSES: Final = (
    "truncated",
    "trailing-bytes",
    "malformed",
    "non-shortest",
    "indefinite-length",
    "forbidden-type",
    "non-text-key",
    "unsorted-keys",
    "duplicate-key",
    "invalid-utf8",
    "too-deep",
    "too-large",
)
VALIDATE_CLASSES: Final = ("invalid-object", "invalid-id", "invalid-name")
PHASE_OF: Final[dict[str, str]] = {
    **{name: "decode" for name in DECODE_CLASSES},
    **{name: "validate" for name in VALIDATE_CLASSES},
}

Kind = Literal["object", "value", "hash", "scenario", "runtime", "sandbox"]

#: Every flag a vector may carry, with the note written into each file that uses it.
FLAG_NOTES: Final[dict[str, str]] = {
    "Blake3Official": "Input and digest from the official BLAKE3 test vectors.",
    "Boundary": "A length, count or value on the edge of an argument width "
    "(23/24, 255/256, 65535/65536, 2^32-1/2^32) or of a limit.",
    "DuplicateKey": "A map repeats a key (ENC-011).",
    "DuplicateGenesis": "A genesis message for an actor that already exists (WIT-012).",
    "Empty": "An empty byte string, text string or collection.",
    "FailedTransition": "A transition fails: no step is adopted and its messages stay "
    "pending (WIT-006, WIT-024, WIT-027).",
    "Float": "A floating-point number, which the subset forbids (ENC-004).",
    "Image": "A Wasm actor with image persistence: its memory and globals kept in its core "
    "(WASM-023 … WASM-029).",
    "Fuel": "The outcome depends on fuel metering (WASM-019, WASM-020); a host without it "
    "may list the vector as a known failure (ADP-016).",
    "HugeClaim": "A length or count claims far more than the input holds; a decoder must "
    "report truncation without allocating for the claim (ENC-002).",
    "Memory": "The outcome depends on where the memory limit falls (SBX-006.2); a host that "
    "does not bound memory as the reference does may list the vector as a known failure "
    "(ADP-019.6).",
    "IdChain": "The object refers to objects of other vectors by their ids.",
    "Indefinite": "An indefinite-length string, array or map (ENC-006).",
    "InvalidId": "An id that is not 32 bytes, or a text-form id that is not 64 lowercase "
    "hex digits (OBJ-005, OBJ-014, ID-002, ID-003).",
    "InvalidName": "A tree name outside the name grammar (OBJ-011).",
    "InvalidUtf8": "A text string that is not valid UTF-8 (ENC-008).",
    "KeyOrder": "The order of map keys is the point: canonical order is bytewise order of the "
    "encoded keys (shorter first), not code-point or character-count order (ENC-010).",
    "Large": "A large input (64 KiB or more).",
    "MissingField": "A required field is absent (OBJ-003).",
    "Nesting": "Nested arrays/maps at or beyond the depth limit of 32 (ENC-012).",
    "NonShortest": "An integer, length or count not in its shortest form (ENC-007).",
    "NonTextKey": "A map key that is not a text string (ENC-009).",
    "Normalization": "Names or texts that differ only in Unicode normalisation are distinct "
    "(compared as bytes, OBJ-011).",
    "Null": "null in place of an absent optional field or of a required value (OBJ-004).",
    "OptionalAbsent": "Every optional field is omitted.",
    "OptionalPresent": "Optional fields are present.",
    "Precedence": "More than one violation; the first one in the spec's order is reported "
    "(ENC-016, OBJ-016).",
    "Reserved": "Reserved additional information 28-30, additional information 31 where no "
    "indefinite length exists, or a stray break code (ENC-005).",
    "Query": "A read-only query of an actor's head (WIT-017, WIT-018).",
    "Rfc8949AppendixA": "An example from RFC 8949 Appendix A.",
    "SeededRandom": "Operations drawn by random.Random with a fixed seed: reproducible, "
    "not hand-picked.",
    "Signal": "A message sent as a signal (previous absent): latest wins (WIT-004, WIT-005).",
    "Simple": "A simple value other than false, true and null (ENC-004).",
    "Spawn": "An actor creates another by sending its genesis (WIT-012, WIT-022).",
    "StepLimit": "A run stops at max_steps before quiescence (ADP-014).",
    "Tag": "A tagged data item (major type 6, ENC-003).",
    "Trailing": "Bytes follow the one data item (ENC-001).",
    "Truncated": "The input ends inside a data item (ENC-002).",
    "Unicode": "Multi-byte UTF-8: non-ASCII, non-BMP (emoji) or combining characters.",
    "UnknownField": "A field the object type does not define (OBJ-003).",
    "UnknownType": "A type field that names no object type (OBJ-002).",
    "Update": "An update message changes an actor's core (WIT-013, WIT-014, WIT-016).",
    "WrongType": "A field holds a data item of the wrong type.",
}


@dataclass(frozen=True, slots=True)
class Case:
    """One vector as a suite module declares it.

    ``error`` is the declared error class for an invalid vector (``None`` for a
    valid one).  ``value`` is the declared decoded value of a valid ``object``
    or ``value`` vector (CBOR level: ``dict``/``bytes``/…), ``diagnostic`` an
    optional declared diagnostic text to check the printer against, and
    ``digest`` the declared digest of a ``hash`` vector.  ``built`` is an
    optional object made with the public constructors (in any insertion order):
    it must encode to ``input`` (OBJ-017, ID-004).
    """

    id: str
    comment: str
    requirements: tuple[str, ...]
    input: bytes
    flags: tuple[str, ...] = ()
    error: str | None = None
    value: Any = None
    diagnostic: str | None = None
    digest: bytes | None = None
    built: Any = None
    #: ``scenario`` only: the operations, each with the reference's ``expect`` (and ``objects``).
    operations: tuple[dict[str, Any], ...] = ()
    #: ``scenario`` only: (operation index, expect key, value) declared by hand.
    declared: tuple[tuple[int, str, Any], ...] = ()
    #: ``runtime`` only: the ``rt-open`` options (ADP-015).
    options: dict[str, Any] | None = None


@dataclass(slots=True)
class Group:
    """Vectors of one kind on one theme; suite modules append to ``cases``."""

    name: str
    description: str
    kind: Kind
    cases: list[Case] = field(default_factory=list)

    def valid(
        self,
        vid: str,
        comment: str,
        requirements: tuple[str, ...] | list[str],
        value: Any,
        *,
        flags: tuple[str, ...] | list[str] = (),
        data: bytes | None = None,
        diagnostic: str | None = None,
        built: Any = None,
    ) -> None:
        """Declare a valid vector; ``data`` defaults to the canonical encoding of ``value``."""
        if data is None:
            data = encode(value)
        self.cases.append(
            Case(
                vid,
                comment,
                tuple(requirements),
                data,
                tuple(flags),
                None,
                value,
                diagnostic,
                built=built,
            )
        )

    def invalid(
        self,
        vid: str,
        comment: str,
        requirements: tuple[str, ...] | list[str],
        data: bytes,
        error: str,
        *,
        flags: tuple[str, ...] | list[str] = (),
    ) -> None:
        """Declare an invalid vector: ``data`` must be rejected with class ``error``."""
        self.cases.append(Case(vid, comment, tuple(requirements), data, tuple(flags), error))

    def hashed(
        self,
        vid: str,
        comment: str,
        requirements: tuple[str, ...] | list[str],
        data: bytes,
        digest: bytes,
        *,
        flags: tuple[str, ...] | list[str] = (),
    ) -> None:
        """Declare a hash vector with its declared digest."""
        self.cases.append(
            Case(vid, comment, tuple(requirements), data, tuple(flags), digest=digest)
        )


@dataclass(frozen=True, slots=True)
class Source:
    """Provenance of third-party data embedded in a suite."""

    name: str
    url: str
    description: str
    license: str


@dataclass(frozen=True, slots=True)
class Suite:
    """One vector file."""

    name: str
    description: str
    groups: tuple[Group, ...]
    sources: tuple[Source, ...] = ()


def suite_path(suite: str) -> str:
    """The file of a suite, relative to the vectors directory: ``objects/blob.json``."""
    return f"{suite}.json"


def schema_reference(suite: str) -> str:
    """The relative path from a suite's file to the schema copy in the vectors directory."""
    return "../" * suite.count("/") + SCHEMA_FILE


def dump_json(document: object) -> bytes:
    """Serialise deterministically: 2-space indent, sorted keys, ASCII, trailing newline."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True)
    return (text + "\n").encode("ascii")
