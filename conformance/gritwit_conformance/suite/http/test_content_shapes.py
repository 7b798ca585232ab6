"""A content description that is not one, at its top or nested in a tree (HTTP-005.1).

``content`` is a content description (ADP-014): ``{"blob": hex}``, optionally with
``headers``, or ``{"tree": {name: description, …}}``, and each entry of a tree is a
description by the same rule, however deep. A description that breaks the rule at any
depth — an entry that is a number, ``null``, a list, or a blob whose data is not
hexadecimal — is a body the endpoint does not define: 400 ``bad-request`` (HTTP-002.3),
and nothing is sent (HTTP-003.3). A service that judges only the top of the
description and builds the entries unjudged fails on them in some other way.
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

#: Descriptions broken below their top, each at one place.
BAD_CONTENTS: dict[str, Any] = {
    "an-entry-a-number": {"tree": {"a": 5}},
    "an-entry-null": {"tree": {"a": None}},
    "an-entry-a-list": {"tree": {"a": ["blob"]}},
    "an-entry-text": {"tree": {"a": "blob"}},
    "an-entry-not-hex": {"tree": {"a": {"blob": "zz"}}},
    "a-deeper-entry-a-number": {"tree": {"a": {"blob": ""}, "b": {"tree": {"c": 7}}}},
}


@pytest.mark.parametrize("name", list(BAD_CONTENTS))
@pytest.mark.req("HTTP-005.1", "HTTP-002.3", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_content_broken_inside_a_tree_is_400_and_sends_nothing(
    http: httpx.Client, name: str
) -> None:
    actor = counter(http)
    settle(http)
    refused = http.post(
        f"/v1/actors/{actor}/messages", json={"content": BAD_CONTENTS[name], "mt": "inc"}
    )
    expect_error(refused, 400, "bad-request", f"HTTP-005.1 (content: {name})")
    settle(http)
    check_equal(
        "HTTP-003.3",
        0,
        count_of(http, actor),
        f"the count after a send refused for its content ({name})",
    )
