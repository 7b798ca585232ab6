"""The optional ``http`` profile of the reference adapter (ADP-021): services in process.

``http-serve`` starts the reference HTTP service (:mod:`gritwit.serve`) over the durable
store of a ``path`` (as ``rt-open``'s, ADP-010.6), listening on loopback at a free port,
in a thread of the adapter's process, and answers its URL once ``GET /readyz`` answers
200 (ADP-021.1).  ``http-stop`` stops one as SIGTERM stops ``gritwit serve``
(HTTP-001.4, ADP-021.2); every service still running stops when the adapter ends
(ADP-021.3).  The adapter claims the profile only when the extra ``gritwit[serve]`` is
installed.
"""

from __future__ import annotations

from typing import Any

from ._args import BadRequest, Json, _directory, _str
from ._stores import StoreLocations

__all__ = ["HttpCommands", "http_available"]


def http_available() -> bool:
    """Starlette and uvicorn are installed (the adapter then claims ``http``, ADP-021)."""
    from ..serve import available

    return available()


def _share(args: Json) -> Any:
    """``share`` of ``http-serve``: ``[k, n]`` as ``rt-open``'s (RUN-021); absent: none."""
    from ..runtime import Share

    if "share" not in args:
        return None
    value = args["share"]
    if not isinstance(value, list) or len(value) != 2:
        raise BadRequest("ADP-021.1, RUN-021: share must be [k, n], two integers")
    try:
        return Share(k=value[0], n=value[1])
    except ValueError as exc:
        raise BadRequest(f"ADP-021.1, {exc}") from None


class HttpCommands:
    """The ``http-*`` commands; mixed into :class:`~gritwit.adapter.ReferenceAdapter`."""

    #: Where ``http-serve`` finds the store of a ``path`` (ADP-010.6); set by the adapter.
    stores: StoreLocations

    def __init__(self) -> None:
        self._services: dict[str, Any] = {}

    def cmd_http_serve(self, args: Json) -> Json:
        """Start a service over the store at ``path`` (ADP-021.1)."""
        from ..serve import EngineSettings, Service, ServiceThread

        path = _directory(args, "path", "ADP-021.1")
        share = _share(args)
        store = self.stores.open(path)
        service = ServiceThread(Service(store, settings=EngineSettings(share=share)))
        url = service.start()
        self._services[url] = service
        return {"url": url}

    def cmd_http_stop(self, args: Json) -> Json:
        """Stop the service at ``url`` as SIGTERM does (ADP-021.2)."""
        url = _str(args, "url")
        service = self._services.pop(url, None)
        if service is None:
            raise BadRequest(f"ADP-021.2: no service at {url!r:.80}")
        service.stop()
        return {}

    def close_services(self) -> None:
        """Stop every service still running (ADP-021.3)."""
        services, self._services = list(self._services.values()), {}
        for service in services:
            service.stop()
