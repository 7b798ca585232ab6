"""What the wrong servers share: bending one endpoint of the reference service.

The reference service (:mod:`gritwit.serve`) answers each endpoint with the handler of
:data:`gritwit.serve._app.HANDLERS`, read when a service is built (each ``http-serve``);
:func:`bend_endpoint` puts a replacement there, a declared fault (:func:`..fault`), so
that the bug is the endpoint's alone. :func:`rebuilt` copies a response with a part
changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from gritwit_conformance.wrong import fault

__all__ = ["Handler", "bend_endpoint", "rebuilt"]

Handler = Callable[[Any], Awaitable[Any]]


def bend_endpoint(method: str, path: str, make: Callable[[Handler], Handler]) -> None:
    """Answer ``method path`` with ``make(original handler)``."""
    from gritwit.serve import _app

    table = cast(dict[tuple[str, str], Handler], _app.HANDLERS)
    original = table[(method, path)]
    table[(method, path)] = fault(f"_app.HANDLERS[{method} {path}]", original, make(original))


def rebuilt(
    response: Any,
    *,
    body: bytes | None = None,
    status: int | None = None,
    media_type: str | None = None,
) -> Any:
    """``response`` (a Starlette ``Response``) with its body, status or media type changed."""
    from starlette.responses import Response

    headers = {
        k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
    }
    return Response(
        response.body if body is None else body,
        response.status_code if status is None else status,
        headers=headers,
        media_type=media_type or response.headers.get("content-type"),
    )
