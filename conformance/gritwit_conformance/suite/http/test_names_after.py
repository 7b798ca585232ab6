"""``GET /v1/names?after=N`` starts *after* N (HTTP-015.2).

``test_life.py`` pages through the names and gathers them; a page that began with its
cursor's name again would gather the same names. Here each page is compared whole: after
a bound name, the names bytewise above it and not that name; after a text no name has,
the names above it.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check_equal
from ._api import body_of, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

NAMES = ("a-1", "a_0", "b-2", "c.3")  # bytewise: "-" (0x2d) < "_" (0x5f)


@pytest.mark.req("HTTP-015.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.5", "HTTP-011.1")
def test_a_page_after_a_name_leaves_that_name_out(http: httpx.Client) -> None:
    made = {}
    for name in NAMES:
        answer = body_of(
            http.post("/v1/actors", json={"test": "counter", "name": name}),
            201,
            "HTTP-004.5: a named creation",
        )
        made[name] = answer["actor"]
    settle(http)
    for after, names in (("a_0", ("b-2", "c.3")), ("b-1", ("b-2", "c.3")), ("c.3", ())):
        page = body_of(http.get("/v1/names", params={"after": after}), 200, "HTTP-015.2")
        check_equal(
            "HTTP-015.2",
            {"names": {n: made[n] for n in names}, "next": None},
            page,
            f"GET /v1/names?after={after}: the names bytewise above {after!r}, not it",
        )
