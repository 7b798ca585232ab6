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

pytestmark = pytest.mark.profile("protocol")

#: The profiles ADP-006 defines.
PROFILES = {"codec", "store", "wit", "runtime", "wasm", "perf", "sandbox", "http", "services"}


@pytest.mark.smoke
@pytest.mark.req("ADP-005.4", "ADP-005.1", "ADP-006")
@pytest.mark.req("CONV-003.7", "CONV-003.8")
def test_hello_fields_hold_what_adp_005_4_allows(impl: Implementation) -> None:
    hello = impl.info()
    implementation = hello["implementation"]
    assert isinstance(implementation["name"], str) and implementation["name"], (
        f"implementation.name must be non-empty text: {implementation!r:.200}"
    )
    for free in ("version", "language", "homepage"):
        assert isinstance(implementation[free], str), f"{free} must be text: {implementation}"
    spec = implementation["spec"]
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+(\.dev[0-9]+(\+t[0-9a-f]{12})?)?", spec), (
        "ADP-005.4: implementation.spec must be MAJOR.MINOR.PATCH or a development version"
        " MAJOR.MINOR.PATCH.devN, with or without its text's label +t and 12 hex digits"
        f" (CONV-003.7, CONV-003.8): {spec!r:.60}"
    )
    profiles = hello["profiles"]
    assert len(profiles) == len(set(profiles)), f"a profile is named twice: {profiles}"
    assert set(profiles) <= PROFILES, f"profiles not in ADP-006: {sorted(set(profiles) - PROFILES)}"
