"""Sample outputs of the guides that are not a console block: replayed and compared.

The console blocks of the README and the guides are run and their output compared by
``test_guide_commands.py``.  The adapter session of "Validate your implementation" is
a transcript instead (``>`` a request, ``<`` the response): this test sends its requests
to the reference adapter, ``gritwit adapter``, and the responses must be the page's,
byte for byte.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import gritwit as g

ROOT = Path(__file__).resolve().parents[2]
VALIDATE = ROOT / "docs" / "guide" / "validate.md"


def _written(version: str) -> str:
    """How the docs write ``version``: a development version's number as ``N``, its
    text's label ``+tH`` left out (CONV-003.8)."""
    return re.sub(r"\.dev\d+(\+t[0-9a-f]{12})?$", ".devN", version)


def transcript(page: str) -> tuple[list[str], list[str]]:
    """(requests, responses) of the text block after "Here is a real session"."""
    found = re.search(r"Here is a real session.*?^```text\n(.*?)^```", page, re.S | re.M)
    assert found, "validate.md: no text block after 'Here is a real session'"
    lines = found.group(1).splitlines()
    assert all(line.startswith(("> ", "< ")) for line in lines), "a line is neither > nor <"
    return [x[2:] for x in lines if x.startswith("> ")], [x[2:] for x in lines if x[0] == "<"]


@pytest.mark.req("CONV-005")
def test_the_adapter_session_of_the_validate_guide_is_what_the_reference_answers(
    tmp_path: Path,
) -> None:
    from gritwit.sandbox import interpreter_path

    requests, responses = transcript(VALIDATE.read_text(encoding="utf-8"))
    assert len(requests) == len(responses) > 1
    if interpreter_path() is None and any('"sandbox"' in r for r in responses):
        pytest.skip("the session shows the reference with gritwit[sandbox] installed")
    proc = subprocess.run(
        [sys.executable, "-m", "gritwit", "adapter"],
        input="".join(f"{r}\n" for r in requests),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the guide writes a development version as X.Y.Z.devN: its N is computed (CONV-003.8)
    answered = [
        line.replace(g.__version__, _written(g.__version__)) for line in proc.stdout.splitlines()
    ]
    assert answered == responses, (
        "validate.md's adapter session differs from what `gritwit adapter` answers now"
    )


@pytest.mark.req("CONV-005")
def test_the_transcript_reader_splits_requests_from_responses() -> None:
    page = 'Here is a real session:\n\n```text\n> {}\n< {"ok":true}\n> x\n< y\n```\n'
    assert transcript(page) == (["{}", "x"], ['{"ok":true}', "y"])
