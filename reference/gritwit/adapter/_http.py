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

from ._args import BadRequest, Json, _directory, _str, closed, share_arg
from ._stores import StoreLocations

__all__ = ["HttpCommands", "http_available"]


def http_available() -> bool:
    """Starlette and uvicorn are installed (the adapter then claims ``http``, ADP-021)."""
    from ..serve import available

    return available()


def _tokens(args: Json) -> list[dict[str, Any]]:
    """``tokens`` of ``http-serve`` (ADP-021.4): a list of ``{"name", "scopes", "prefix",
    "rate", "bytes_per_minute"}`` objects, all but the first two optional."""
    from ..serve._tokens import TokenRefused, check_token_name, parse_scopes

    value = args.get("tokens", [])
    if not isinstance(value, list):
        raise BadRequest("ADP-021.4: tokens is a list")
    wanted = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadRequest("ADP-021.4: each token is an object with a text name")
        scopes = item.get("scopes")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise BadRequest("ADP-021.4: a token's scopes is a list of text")
        if "prefix" in item and not isinstance(item["prefix"], str):
            raise BadRequest("ADP-021.4: a token's prefix is text")
        try:
            check_token_name(item["name"])
            parse_scopes(scopes)
        except TokenRefused as exc:
            raise BadRequest(f"ADP-021.4: {exc}") from None
        wanted.append(item)
    return wanted


def _issue(store: Any, wanted: list[dict[str, Any]]) -> dict[str, str]:
    """Issue each token asked for (replacing one of the same name); the tokens by name."""
    from ..serve._tokens import TokenRefused, add_token, parse_scopes, remove_token

    issued = {}
    for item in wanted:
        remove_token(store, item["name"])
        options = {k: item[k] for k in ("prefix", "rate", "bytes_per_minute") if k in item}
        try:
            issued[item["name"]] = add_token(
                store, item["name"], parse_scopes(item["scopes"]), **options
            )
        except (TokenRefused, TypeError) as exc:
            raise BadRequest(f"ADP-021.4: {exc}") from None
    return issued


class HttpCommands:
    """The ``http-*`` commands; mixed into :class:`~gritwit.adapter.ReferenceAdapter`."""

    #: Where ``http-serve`` finds the store of a ``path`` (ADP-010.6); set by the adapter.
    stores: StoreLocations

    def __init__(self) -> None:
        self._services: dict[str, Any] = {}

    def cmd_http_serve(self, args: Json) -> Json:
        """Start a service over the store at ``path`` (ADP-021.1); with the feature
        ``tokens``, first issue the ``tokens`` asked for (ADP-021.4)."""
        from ..serve import EngineSettings, Service, ServiceThread
        from ..serve._server import OpenDoor

        path = _directory(args, "path", "ADP-021.1")
        share = share_arg(args, "ADP-021.1")
        wanted = _tokens(args)
        host = args.get("host", "127.0.0.1")
        if not isinstance(host, str):
            raise BadRequest("ADP-021.4: host is text")
        store = self.stores.open(path)
        issued = _issue(store, wanted)
        try:
            service = Service(store, host=host, settings=EngineSettings(share=share))
        except OpenDoor as exc:
            raise BadRequest(str(exc)) from None
        except OSError as exc:  # an address this machine does not have: bad input
            raise BadRequest(f"ADP-021.4: cannot listen on {host}: {exc}") from None
        thread = ServiceThread(service)
        url = thread.start()
        self._services[url] = thread
        return {"url": url, "tokens": issued} if "tokens" in args else {"url": url}

    def cmd_http_stop(self, args: Json) -> Json:
        """Stop the service at ``url`` as SIGTERM does (ADP-021.2)."""
        url = _str(args, "url")
        closed(self._services, url, f"ADP-021.2: no service at {url!r:.80}").stop()
        return {}

    def close_services(self) -> None:
        """Stop every service still running (ADP-021.3)."""
        services, self._services = list(self._services.values()), {}
        for service in services:
            service.stop()
