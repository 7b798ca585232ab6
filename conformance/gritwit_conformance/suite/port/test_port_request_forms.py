"""What a request's headers, ``port-keep`` and content may hold, item by item: a header
value with a control character other than a tab, a ``port-keep`` that names no header
as PORT-001.2 words it, and a content whose ``headers`` entry is no blob are each refused
``port-invalid`` (PORT-005.1), and the world gets none of them; a tab, which an HTTP field
value may hold, is sent (PORT-001.2).

Requests are put in the courier's queue before one ``rt-run``, so one port pass reads them
together in the courier's order (PORT-002.1); every expected answer is PORT-008.2's or
PORT-008.1's, and what the world got is what it recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_in
from ._ported import PORT, Ported, allowed_courier, outcomes_by_id
from ._world import World

pytestmark = pytest.mark.profile("port")

Json = dict[str, Any]


def _ask(rt: Ported, courier: str, url: str, content: Json) -> str:
    """Have the courier queue a GET of ``url`` with ``content`` (a description of the
    request's content, ADP-015) to the port party, unread yet; the request's id."""
    request = {"mt": "port-request", "port-method": "GET", "port-url": url}
    description = {"tree": {"request": {"blob": "", "headers": request}, "content": content}}
    rt.ok("ADP-015", "rt-send", to=courier, mt="port", content=description)
    rt.run("ADP-024.2", max_steps=1)  # the courier's step; the port pass may read it or not
    return rt.outbox_entry(courier, PORT) or ""


@pytest.mark.req("PORT-005.1", "PORT-001.2", "PORT-008.2")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_header_value_with_a_control_character_is_refused_and_a_tab_is_sent(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        values = {"tab": "a\tb", "soh": "a\x01b", "del": "a\x7fb", "unit": "\x1f"}
        for what, value in values.items():
            rt.request(courier, f"{world.base}/h/{what}", headers={"x-v": value}, run=False)
        rt.run("ADP-024.2")
        asked = dict(zip(values, rt.requests(courier), strict=True))  # in the courier's order
        got = outcomes_by_id(rt, courier)
        check_equal(
            "PORT-001.2",
            ("response", "200"),
            got.get(asked["tab"]),
            "the answer to a request whose header value holds a tab",
        )
        for what in ("soh", "del", "unit"):
            check_equal(
                "PORT-005.1",
                ("port-invalid", "PORT-005.1"),
                got.get(asked[what]),
                f"the answer to a request whose header value holds {values[what]!r}",
            )
        check_equal(
            "PORT-005.1",
            ["/h/tab"],
            [h.path for h in world.hits()],
            "the requests the world got (the tab's only)",
        )
        check_equal(
            "PORT-001.2", "a\tb", world.hits()[0].headers.get("x-v"), "the tab's header value"
        )


@pytest.mark.req("PORT-005.1", "PORT-001.2", "PORT-008.2")
@pytest.mark.parametrize(
    ("what", "keep"),
    [
        ("an uppercase name", "Content-Type"),
        ("an empty name between two", "content-type,,x-echo"),
        ("a space after a comma", "content-type, x-echo"),
        ("nothing", ""),
    ],
)
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_port_keep_that_is_no_list_of_lowercase_names_is_refused(
    impl: Implementation, tmp_path: Path, what: str, keep: str
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        request = rt.request(courier, f"{world.base}/echo", extra={"port-keep": keep})
        error, clause = outcomes_by_id(rt, courier).get(request) or (None, None)
        check_equal("PORT-005.1", "port-invalid", error, f"the class of a port-keep of {what}")
        # a port-keep that breaks PORT-001.2 is refused by PORT-005.1: either names the rule
        check_in("PORT-008.2", clause, ("PORT-005.1", "PORT-001.2"), "the failure's clause")
        check_equal("PORT-005.1", 0, len(world.hits()), "requests the world got")


@pytest.mark.req("PORT-005.1", "PORT-001.2", "PORT-008.2")
@pytest.mark.parametrize(
    ("what", "content"),
    [
        ("a headers entry that is a tree", {"tree": {"headers": {"tree": {"x": {"blob": ""}}}}}),
        ("a body entry that is a tree", {"tree": {"body": {"tree": {"x": {"blob": "00"}}}}}),
        ("an entry neither headers nor body", {"tree": {"extra": {"blob": "00"}}}),
        ("a content that is a blob", {"blob": "00"}),
    ],
)
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_content_of_another_form_is_refused(
    impl: Implementation, tmp_path: Path, what: str, content: Json
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        request = _ask(rt, courier, f"{world.base}/x", content)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.1",
            ("port-invalid", "PORT-005.1"),
            outcomes_by_id(rt, courier).get(request),
            f"the answer to a request with {what}",
        )
        check_equal("PORT-005.1", 0, len(world.hits()), "requests the world got")
