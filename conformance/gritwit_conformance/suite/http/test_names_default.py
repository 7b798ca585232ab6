"""``GET /v1/names`` without a ``limit`` answers 1,000 names (HTTP-015.2).

``test_life.py`` pages names with a limit and refuses a limit past 10,000; here the
default is held at its bound: 1,001 names are bound to one actor by a tool that writes the
service's store (the store profile's ``ref-cas`` on the service's directory, ADP-010.6,
as ``test_names_by_tools.py`` does; HTTP-015.4 has the service list a good name a tool
set), and the page asked for without a limit must hold the first 1,000 of them in name
order with ``next`` the last of those, the page after it the one left.
"""

from __future__ import annotations

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer
from ._api import body_of, counter
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "store")

#: HTTP-015.2's default ``limit``.
NAMES_DEFAULT = 1000


@pytest.mark.slow
@pytest.mark.req("HTTP-015.2", "HTTP-015.4")
@pytest.mark.req("ADP-010.6", "HTTP-002.1", "HTTP-004.2")
def test_a_names_page_holds_1000_names_when_no_limit_is_given(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    http: httpx.Client = service.client
    actor = counter(http)
    names = [f"n{index:04d}" for index in range(NAMES_DEFAULT + 1)]  # RUN-026.1 names, sorted
    opened = impl.call("store-open", kind="durable", path=str(service.path))
    handle = str(
        ok_answer(opened, "ADP-010.6", "the service's directory opened as a store")["store"]
    )
    try:
        for name in names:
            swapped = impl.call(
                "ref-cas", store=handle, name=f"names/actors/{name}", expected=None, new=actor
            )
            ok_answer(swapped, "ADP-010.6", f"the name {name} bound by ref-cas")
    finally:
        impl.call("store-close", store=handle)
    page = body_of(http.get("/v1/names"), 200, "HTTP-015.2")
    check_equal(
        "HTTP-015.2",
        {name: actor for name in names[:NAMES_DEFAULT]},
        page.get("names"),
        f"GET /v1/names without a limit, {len(names)} names bound: the first 1000",
    )
    check_equal(
        "HTTP-015.2",
        names[NAMES_DEFAULT - 1],
        page.get("next"),
        "the next of a page of 1000 of more names: its last name",
    )
    rest = body_of(
        http.get("/v1/names", params={"after": names[NAMES_DEFAULT - 1]}), 200, "HTTP-015.2"
    )
    check_equal(
        "HTTP-015.2",
        {"names": {names[NAMES_DEFAULT]: actor}, "next": None},
        rest,
        "the page after the 1000th name: the one left, and no next",
    )
