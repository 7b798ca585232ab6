"""``http-serve``'s ``tokens`` are checked as arguments (ADP-021.4, ADP-004.6).

ADP-021.4 gives each token object its members, and the protocol's schema their form:
``scopes``, a list of HTTP-018.2's scopes, and ``rate`` and ``bytes_per_minute``, the
bounds of HTTP-021.1, integers of at least 1 that MAY be omitted. A token whose scopes
name one HTTP-018.2 does not define, or whose bound is text or 0, is a malformed
argument: ADP-004.6 has it fail ``bad-request``, and no service starts (one that did
would hand out a token of a scope no endpoint knows, or with a bound it cannot hold).
So is a ``prefix`` that is not text (HTTP-018.3's prefix of actor names).
The requests break the schema on purpose (``check=False``, as ADP-004's tests send
them). Each start is on a fresh directory, so a refusal leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import error_answer
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]


def _refused(impl: Implementation, services: Services, label: str, token: dict[str, Any]) -> None:
    """``http-serve`` with the one token ``token`` must fail ``bad-request``; a service
    started all the same is stopped."""
    path = services.top / label
    path.mkdir(parents=True)
    reply = impl.call("http-serve", check=False, path=str(path), tokens=[token])
    if reply.ok:
        url = reply.result.get("url")
        if isinstance(url, str):
            impl.call("http-stop", url=url)
    error_answer(
        reply,
        ("ADP-021.4", "ADP-004.6"),
        "bad-request",
        f"http-serve with the token {token!r} ({label})",
    )


@pytest.mark.parametrize(
    "scopes",
    [["no-such-scope"], ["read", "everything"], ["READ"]],
    ids=["unknown", "known-and-unknown", "upper-case"],
)
@pytest.mark.req("ADP-021.4", "ADP-004.6", "HTTP-018.2")
@pytest.mark.req("CONV-004")
def test_a_token_of_a_scope_no_endpoint_needs_is_bad_request(
    impl: Implementation, services: Services, scopes: list[str]
) -> None:
    _refused(impl, services, "scopes", {"name": "odd", "scopes": scopes})


@pytest.mark.parametrize("value", ["10", 0], ids=["text", "zero"])
@pytest.mark.parametrize("bound", ["rate", "bytes_per_minute"])
@pytest.mark.req("ADP-021.4", "ADP-004.6", "HTTP-021.1")
@pytest.mark.req("CONV-004")
def test_a_token_whose_bound_is_text_or_zero_is_bad_request(
    impl: Implementation, services: Services, bound: str, value: object
) -> None:
    _refused(impl, services, bound, {"name": "odd", "scopes": ["read"], bound: value})


@pytest.mark.parametrize("prefix", [5, None, ["ab"]], ids=["integer", "null", "list"])
@pytest.mark.req("ADP-021.4", "ADP-004.6", "HTTP-018.3")
@pytest.mark.req("CONV-004")
def test_a_token_whose_prefix_is_not_text_is_bad_request(
    impl: Implementation, services: Services, prefix: object
) -> None:
    _refused(impl, services, "prefix", {"name": "odd", "scopes": ["read"], "prefix": prefix})
