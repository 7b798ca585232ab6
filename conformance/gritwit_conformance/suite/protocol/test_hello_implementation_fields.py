"""What ``hello``'s ``implementation`` fields and ``profiles`` may hold (ADP-005.4).

The outside implementer's question Q33 (``docs/outsider-questions.md``): ``version``,
``language`` and ``homepage`` are free text (any string, the empty one included);
``name`` is non-empty; ``spec`` is ``MAJOR.MINOR.PATCH``; each profile is named once,
from ADP-006's list.
"""

from __future__ import annotations

import re

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, describe

pytestmark = pytest.mark.profile("protocol")

#: The profiles ADP-006 defines.
PROFILES = {
    "codec",
    "store",
    "wit",
    "runtime",
    "wasm",
    "perf",
    "sandbox",
    "http",
    "services",
    "port",
}


@pytest.mark.smoke
@pytest.mark.req("ADP-005.4", "ADP-005.1", "ADP-006")
@pytest.mark.req("CONV-003.7", "CONV-003.8")
def test_hello_fields_hold_what_adp_005_4_allows(impl: Implementation) -> None:
    hello = impl.info()
    implementation = hello["implementation"]
    name = implementation["name"]
    check(
        "ADP-005.4",
        isinstance(name, str) and name,
        expected="non-empty text",
        came=name,
        what="hello's implementation.name",
    )
    for free in ("version", "language", "homepage"):
        check(
            "ADP-005.4",
            isinstance(implementation[free], str),
            expected="text (any string)",
            came=implementation[free],
            what=f"hello's implementation.{free}",
        )
    spec = implementation["spec"]
    check(
        ("ADP-005.4", "CONV-003.7", "CONV-003.8"),
        isinstance(spec, str)
        and re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+(\.dev[0-9]+(\+t[0-9a-f]{12})?)?", spec),
        expected="MAJOR.MINOR.PATCH or a development version MAJOR.MINOR.PATCH.devN, with "
        "or without its text's label +t and 12 hex digits",
        came=spec,
        what="hello's implementation.spec",
    )
    profiles = hello["profiles"]
    check(
        "ADP-005.4",
        len(profiles) == len(set(profiles)),
        expected="each profile named once",
        came=profiles,
        what="hello's profiles",
    )
    check(
        "ADP-006",
        set(profiles) <= PROFILES,
        expected=f"profiles of {describe(sorted(PROFILES))}",
        came=lambda: f"{describe(sorted(set(profiles) - PROFILES))} too",
        what="hello's profiles",
    )
