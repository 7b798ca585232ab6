"""The error hierarchy of the reference (spec: conventions, CONV-004), below everything.

Every class but one: :class:`~gritwit.RefConflict` carries an object id, so it lives a
layer up, in :mod:`gritwit._errors`, which is where the rest of the package imports
errors from.  This module imports nothing of gritwit, so :mod:`gritwit._ids` can raise
``invalid-id`` without a circle (``_ids`` → ``_error_types``; ``_errors`` → ``_ids``).

Every rejection the spec defines has a stable *error class* (a short kebab-case
string, the same in the spec, the golden vectors and the adapter protocol) and
names the requirement ID it enforces.  There is one root, :class:`GritError`,
split by who is at fault, as the style guide asks:

* :class:`InputError` — the bytes or values handed to us are bad
  (:class:`DecodeError` for malformed or non-canonical CBOR,
  :class:`ValidationError` for well-formed CBOR that is not a valid object);
* :class:`StoreError` — a store operation could not be carried out;
* :class:`HttpError` — a request an HTTP service refuses before it reaches the store
  (phase *http*, HTTP-003).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "CorruptObject",
    "DecodeError",
    "DuplicateKey",
    "Erased",
    "ForbiddenImport",
    "ForbiddenOperation",
    "ForbiddenType",
    "FrozenCore",
    "FuelExhausted",
    "GritError",
    "HeadersTooLarge",
    "HttpError",
    "IndefiniteLength",
    "InvalidGenesis",
    "InputError",
    "InvalidId",
    "InvalidImage",
    "InvalidModule",
    "InvalidName",
    "InvalidObject",
    "InvalidRefName",
    "InvalidRefTarget",
    "InvalidTransition",
    "InvalidUtf8",
    "KeyConflict",
    "Malformed",
    "MemoryLimit",
    "NonShortest",
    "NonTextKey",
    "ObjectNotFound",
    "ProgramExit",
    "RequestTimeout",
    "RequestTooLarge",
    "ServiceBusy",
    "ServiceStopping",
    "OutputTooLarge",
    "StackExhausted",
    "StepTooLarge",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "TooDeep",
    "TooLarge",
    "TimeLimit",
    "TrailingBytes",
    "TransitionError",
    "Truncated",
    "UnknownQuery",
    "UnknownWit",
    "UnsortedKeys",
    "ValidationError",
    "WasmTrap",
    "WriteTooLarge",
]


class GritError(Exception):
    """Root of every error the reference raises on purpose.

    ``requirement`` is the spec requirement ID that the input violated;
    ``error_class`` (a class attribute) is the stable class name of CONV-004.
    """

    error_class: ClassVar[str] = "grit-error"
    phase: ClassVar[str] = "other"

    def __init__(self, requirement: str, detail: str, *, offset: int | None = None) -> None:
        self.requirement = requirement
        self.detail = detail
        self.offset = offset
        where = "" if offset is None else f" (at byte {offset})"
        super().__init__(f"[{requirement}] {self.error_class}: {detail}{where}")


class InputError(GritError):
    """The input (bytes or a value to encode) is not acceptable."""


class DecodeError(InputError):
    """The bytes are not canonical CBOR of the spec's subset (chapter *encoding*)."""

    phase = "decode"


class Truncated(DecodeError):
    error_class = "truncated"


class TrailingBytes(DecodeError):
    error_class = "trailing-bytes"


class Malformed(DecodeError):
    error_class = "malformed"


class NonShortest(DecodeError):
    error_class = "non-shortest"


class IndefiniteLength(DecodeError):
    error_class = "indefinite-length"


class ForbiddenType(DecodeError):
    error_class = "forbidden-type"


class NonTextKey(DecodeError):
    error_class = "non-text-key"


class UnsortedKeys(DecodeError):
    error_class = "unsorted-keys"


class DuplicateKey(DecodeError):
    error_class = "duplicate-key"


class InvalidUtf8(DecodeError):
    error_class = "invalid-utf8"


class TooDeep(DecodeError):
    error_class = "too-deep"


class TooLarge(DecodeError):
    error_class = "too-large"


class ValidationError(InputError):
    """Canonical CBOR, but not a valid object (chapters *objects* and *identifiers*)."""

    phase = "validate"


class InvalidObject(ValidationError):
    error_class = "invalid-object"


class InvalidId(ValidationError):
    error_class = "invalid-id"


class InvalidName(ValidationError):
    error_class = "invalid-name"


class StoreError(GritError):
    """A store or ref operation failed (chapter *store and refs*)."""

    phase = "store"


class ObjectNotFound(StoreError):
    error_class = "not-found"


class CorruptObject(StoreError):
    error_class = "corrupt-object"


class Erased(StoreError):
    """``erased`` (RUN-011): the id was stored once, its content was erased; a tombstone remains."""

    error_class = "erased"


class StoreUnavailable(StoreError):
    """``store-unavailable`` (DUR-006.1): the store could not be reached; nothing was written."""

    error_class = "store-unavailable"


class InvalidRefName(StoreError):
    error_class = "invalid-ref-name"


class InvalidRefTarget(StoreError):
    error_class = "invalid-ref-target"


class StoreBusy(StoreError):
    """``store-busy`` (DUR-007.3): a database server's transaction failed with a
    serialization failure or deadlock on every attempt; the server rolled each back, so
    nothing of the write was kept and the caller may try it again."""

    error_class = "store-busy"


class WriteTooLarge(StoreError):
    """``write-too-large`` (DUR-008.1): one write held more object bytes than the store's
    bound; it was refused before anything of it was sent."""

    error_class = "write-too-large"


class TransitionError(GritError):
    """A transition failed or broke the Wit protocol (chapter *Wit*); no step is adopted."""

    phase = "transition"


class UnknownWit(TransitionError):
    error_class = "unknown-wit"


class InvalidTransition(TransitionError):
    error_class = "invalid-transition"


class InvalidGenesis(TransitionError):
    error_class = "invalid-genesis"


class FrozenCore(TransitionError):
    error_class = "frozen-core"


class UnknownQuery(TransitionError):
    error_class = "unknown-query"


class InvalidModule(TransitionError):
    """``invalid-module``: a Wasm Wit's module cannot be loaded (WASM-002 … WASM-004)."""

    error_class = "invalid-module"


class ForbiddenImport(TransitionError):
    """``forbidden-import``: a module imports something the ABI does not offer (WASM-002)."""

    error_class = "forbidden-import"


class MemoryLimit(TransitionError):
    """``memory-limit``: a module needs more memory or table space than allowed (WASM-017)."""

    error_class = "memory-limit"


class FuelExhausted(TransitionError):
    """``fuel-exhausted``: a Wasm call overran its fuel budget (WASM-020).

    ``fuel_consumed`` is the fuel the call had used when it was aborted, when known.
    """

    error_class = "fuel-exhausted"
    fuel_consumed: int | None = None


class WasmTrap(TransitionError):
    """``trap``: a Wasm call trapped, or misused a host function (WASM-007, WASM-015)."""

    error_class = "trap"


class StackExhausted(TransitionError):
    """``stack-exhausted``: a sandboxed interpreter exhausted its stack (SBX-008.6)."""

    error_class = "stack-exhausted"


class OutputTooLarge(TransitionError):
    """``output-too-large``: a Wasm step exceeded its output limits (WASM-018)."""

    error_class = "output-too-large"


class StepTooLarge(TransitionError):
    """``step-too-large``: a step would add more bytes to the store than the runtime's
    ``max_step_bytes`` (RUN-022.3)."""

    error_class = "step-too-large"


class ForbiddenOperation(TransitionError):
    """``forbidden-operation``: a sandboxed program tried what its WASI subset denies (SBX-008)."""

    error_class = "forbidden-operation"


class ProgramExit(TransitionError):
    """``program-exit``: a sandboxed program exited with a non-zero status (SBX-008)."""

    error_class = "program-exit"


class TimeLimit(TransitionError):
    """``time-limit``: a sandboxed run stopped by wall-clock time (SBX-006.10)."""

    error_class = "time-limit"


class InvalidImage(TransitionError):
    """``invalid-image``: a Wasm image is malformed or does not fit its module (WASM-023 …)."""

    error_class = "invalid-image"


class HttpError(GritError):
    """A request an HTTP service refuses before it reaches the store (HTTP-003, phase *http*)."""

    phase = "http"


class KeyConflict(HttpError):
    """``key-conflict`` (HTTP-005.5): a key found on a message with another content, ``mt``
    or signal."""

    error_class = "key-conflict"


class RequestTooLarge(HttpError):
    """``request-too-large`` (HTTP-013.1): a body past the endpoint's limit."""

    error_class = "request-too-large"


class HeadersTooLarge(HttpError):
    """``headers-too-large`` (HTTP-013.2): a header section past 64 KiB."""

    error_class = "headers-too-large"


class RequestTimeout(HttpError):
    """``request-timeout`` (HTTP-013.3): a request's head or body came too late."""

    error_class = "request-timeout"


class ServiceBusy(HttpError):
    """``service-busy`` (HTTP-013.4): the bodies being read hold the service's bound."""

    error_class = "service-busy"


class ServiceStopping(HttpError):
    """``service-stopping`` (HTTP-001.4): the service stops and takes no more requests."""

    error_class = "service-stopping"
