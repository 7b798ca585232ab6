"""Refs under ``names/actors/`` that a tool set, read by the service (HTTP-015.4).

A service binds only names (RUN-026.1), but any writer of its store may set a ref under
``names/actors/`` whose rest is no name: upper case, a ``/``, or the 64 lowercase hex
digits of an id's text form.  HTTP-015.4 says such a ref binds nothing: it MUST NOT be
listed by ``GET /v1/names`` (HTTP-015.2) nor in an actor's ``names`` (HTTP-015.3), and a
good name set by the same tool is listed with the target its ref holds.  The tool here is
the store profile's ``ref-cas`` on the service's own directory (ADP-010.6), so the test
declares both profiles.

Every expected value comes from the clauses: which of the refs are names is decided by
RUN-026.1's grammar, written out below, not by anything the service answered.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer, suite_premise
from ._api import body_of, counter
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "store")

#: RUN-026.1, written out: 1 to 64 of ``a-z 0-9 . _ -``, the first a letter or digit, and
#: never 64 lowercase hex digits (an id's text form, ID-003).
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_ID_TEXT = re.compile(r"[0-9a-f]{64}")


def _is_name(text: str) -> bool:
    return _NAME.fullmatch(text) is not None and _ID_TEXT.fullmatch(text) is None


def _tool_sets(impl: Implementation, path: Path, ref: str, target: str) -> None:
    """``ref`` set to ``target`` from absent by another handle on the service's store."""
    opened = impl.call("store-open", kind="durable", path=str(path))
    handle = str(
        ok_answer(opened, "ADP-010.6", "the service's directory opened as a store")["store"]
    )
    swapped = impl.call("ref-cas", store=handle, name=ref, expected=None, new=target)
    ok_answer(swapped, "ADP-010.6", f"{ref} set from absent by ref-cas on the service's store")
    impl.call("store-close", store=handle)


@pytest.mark.req("HTTP-015.4", "HTTP-015.2", "HTTP-015.3", "RUN-026.1")
@pytest.mark.req("ADP-010.6", "HTTP-002.1", "HTTP-004.2")
def test_refs_a_tool_set_under_the_names_prefix_are_listed_only_when_they_are_names(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    http: httpx.Client = service.client
    first, second = counter(http, "first"), counter(http, "second")
    hex_text = "cd" * 32  # an id's text form: never a name
    refs = {
        "Upper": first,  # upper case
        "a/b": first,  # a slash: a second segment, no name
        hex_text: first,
        "by-a-tool": second,  # a name, set by the tool: bound
        "z-tool.2_x": first,  # a name at the end of the order: bound
    }
    for rest, target in refs.items():
        _tool_sets(impl, service.path, f"names/actors/{rest}", target)
    expected = {rest: target for rest, target in sorted(refs.items()) if _is_name(rest)}
    suite_premise(sorted(expected) == ["by-a-tool", "z-tool.2_x"], "the suite's own grammar is off")
    listed = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    check_equal(
        "HTTP-015.4",
        expected,
        listed,
        "GET /v1/names lists only the refs whose rest is a name",
    )
    for actor, names in ((first, ["z-tool.2_x"]), (second, ["by-a-tool"])):
        entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-015.3")
        check_equal(
            ("HTTP-015.3", "HTTP-015.4"), names, entry.get("names"), f"actor {actor[:12]}…'s names"
        )
