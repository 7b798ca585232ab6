"""A batch entry whose field has the wrong JSON type (HTTP-005.7, HTTP-005.1).

Each entry of ``POST /v1/messages`` is read "as a request of its own would be": ``to``
and ``key`` text, ``content`` a content description (an object), ``mt`` text,
``signal`` a boolean. One entry with a field of another type is ``400 bad-request``
(HTTP-002.1's body rules), and the whole batch sends nothing (HTTP-003.3), so the good
entry before it is not delivered either. Each field is broken alone, after a good entry,
in one parametrized test per field.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gritwit_conformance.suite._check import check_equal

from ._api import count_of, counter, expect_error, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def _entry(to: str, amount: int) -> dict[str, Any]:
    return {"to": to, "content": {"blob": str(amount).encode().hex()}, "mt": "inc"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", 5),
        ("content", "01"),
        ("mt", 7),
        ("signal", "yes"),
        ("key", 3),
    ],
)
@pytest.mark.req("HTTP-005.7", "HTTP-005.1", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_batch_entry_with_a_field_of_the_wrong_type_sends_nothing(
    http: httpx.Client, field: str, value: object
) -> None:
    actor = counter(http)
    settle(http)
    bad = {**_entry(actor, 1), field: value}
    refused = http.post("/v1/messages", json={"messages": [_entry(actor, 2), bad]})
    expect_error(refused, 400, "bad-request", f"HTTP-005.7 ({field} of the wrong type)")
    settle(http)
    check_equal(
        "HTTP-003.3",
        0,
        count_of(http, actor),
        f"the count after a batch refused for its second entry's {field} of the wrong type",
    )


@pytest.mark.parametrize(
    "entry",
    [7, None, "entry", [], ["to", "content"]],
    ids=["number", "null", "text", "empty-list", "list"],
)
@pytest.mark.req("HTTP-005.7", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_batch_entry_that_is_no_object_sends_nothing(http: httpx.Client, entry: object) -> None:
    """An entry ``{"to": …, "content": …}`` is an object (HTTP-005.7): a number, ``null``,
    text or a list in its place is 400 ``bad-request``, however the service reads the
    fields of an object, and the good entry before it is not sent either."""
    actor = counter(http)
    settle(http)
    refused = http.post("/v1/messages", json={"messages": [_entry(actor, 2), entry]})
    expect_error(refused, 400, "bad-request", f"HTTP-005.7 (an entry {entry!r})")
    settle(http)
    check_equal(
        "HTTP-003.3",
        0,
        count_of(http, actor),
        f"the count after a batch refused for its second entry {entry!r}",
    )
