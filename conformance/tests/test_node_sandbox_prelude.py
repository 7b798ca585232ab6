"""The Node adapter's copy of the sandbox prelude is the reference's, byte for byte.

The prelude (SBX-005.14: the snapshot point; SBX-008: the exit statuses it maps)
decides what a program sees; the Node host carries it as a JavaScript template
literal, so a change to the reference's must reach it too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit.sandbox._prelude import PRELUDE

NODE = Path(__file__).resolve().parents[1] / "adapters" / "node" / "sandbox.mjs"
START = "const PRELUDE = `"


def _template_literal(source: str) -> str:
    """The text of the template literal after ``START`` (escapes ``\\\\``, ``\\```, ``\\$``)."""
    at, out = source.index(START) + len(START), []
    while source[at] != "`":
        if source[at] == "\\":
            at += 1
        elif source.startswith("${", at):
            raise AssertionError("the Node prelude interpolates a value")
        out.append(source[at])
        at += 1
    return "".join(out)


@pytest.mark.req("SBX-005.14", "SBX-008.1")
def test_the_node_adapter_carries_the_reference_prelude() -> None:
    node = _template_literal(NODE.read_text(encoding="utf-8"))
    assert node == PRELUDE, (
        "conformance/adapters/node/sandbox.mjs's PRELUDE differs from "
        "reference/gritwit/sandbox/_prelude.py's: copy the reference's"
    )
