"""A failed request as HTTP: its status, error class and message (HTTP-003).

:class:`HttpProblem` is what the service's handlers raise; :func:`problem_of` turns any
exception into one, with the status HTTP-003.2's table gives for its class, and
:func:`problem_body` is the JSON body every failed request is answered with
(HTTP-003.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._errors import GritError, OutcomeUnknown

__all__ = ["HttpProblem", "problem_body", "problem_of", "status_of"]

#: The status of each class HTTP-003.2 names (classes of the phases *decode*, *validate*
#: and *transition* follow by phase, in :func:`status_of`).
_STATUS: Final[Mapping[str, int]] = {
    "bad-request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "rate-limited": 429,
    "not-found": 404,
    "unknown-query": 404,
    "key-conflict": 409,
    "ref-conflict": 409,
    "erased": 410,
    "request-too-large": 413,
    "write-too-large": 413,
    "headers-too-large": 431,
    "request-timeout": 408,
    "internal": 500,
    "store-unavailable": 503,
    "store-busy": 503,
    "service-busy": 503,
    "service-stopping": 503,
    "outcome-unknown": 504,
    # Classes of the store phase the table of HTTP-003.2 leaves out: the input's fault
    # (a ref name or target a client gave) is 400, a store that holds damaged bytes 500.
    "invalid-ref-name": 400,
    "invalid-ref-target": 400,
    "corrupt-object": 500,
}
_BY_PHASE: Final[Mapping[str, int]] = {"decode": 400, "validate": 400, "transition": 422}


def status_of(error_class: str, phase: str = "other") -> int:
    """The status of ``error_class`` (HTTP-003.2): the table's, else its phase's, else 500."""
    status = _STATUS.get(error_class)
    if status is not None:
        return status
    return _BY_PHASE.get(phase, 500)


class HttpProblem(Exception):
    """A request that fails: ``status``, ``error_class``, ``message`` (HTTP-003.1).

    ``extra`` holds the more fields a clause puts in the ``error`` object (HTTP-005.6:
    ``messages``); ``headers`` the answer's own headers (HTTP-013.4: ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        error_class: str,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_class = error_class
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @classmethod
    def of_class(cls, error_class: str, message: str, **kwargs: Any) -> HttpProblem:
        """A problem whose status is its class's (HTTP-003.2)."""
        return cls(status_of(error_class), error_class, message, **kwargs)


def problem_of(exc: BaseException) -> HttpProblem:
    """``exc`` as the answer of a failed request (HTTP-003.1, HTTP-003.2).

    A :class:`~gritwit.GritError` keeps its class, with the status of its class or phase;
    ``outcome-unknown`` names the messages of its commit (HTTP-005.6); anything else is
    the service's own fault, ``internal``.
    """
    if isinstance(exc, HttpProblem):
        return exc
    if isinstance(exc, GritError):
        extra: dict[str, Any] = {}
        if isinstance(exc, OutcomeUnknown):
            extra["messages"] = [oid.hex() for oid in exc.messages]
        return HttpProblem(
            status_of(exc.error_class, exc.phase), exc.error_class, str(exc), extra=extra
        )
    return HttpProblem(500, "internal", f"{type(exc).__name__}: {exc}")


def problem_body(problem: HttpProblem) -> dict[str, Any]:
    """``{"error": {"class": C, "message": text, …}}`` (HTTP-003.1)."""
    error: dict[str, Any] = {**problem.extra, "class": problem.error_class}
    error["message"] = problem.message
    return {"error": error}
