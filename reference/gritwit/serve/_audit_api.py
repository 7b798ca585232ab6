"""``GET /v1/audit`` (HTTP-020.2): the audit log, newest first, for an ``admin`` token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._http import ask, count_param, handler, query_params
from ._port import AuditEntries

__all__ = ["audit"]


@handler
async def audit(request: Request) -> Response:
    """The newest ``limit`` entries (1 to 1000, default 100), newest first (HTTP-020.2)."""
    params = query_params(request, ("limit",))
    limit = count_param(
        params.get("limit"), 100, 1000, "HTTP-020.2: limit is an integer from 1 to 1000"
    )
    entries = await ask(request, AuditEntries(limit))
    return JSONResponse({"entries": entries})
