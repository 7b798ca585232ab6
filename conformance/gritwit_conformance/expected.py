"""The reference's answer to a request — the expected side of differential tests.

This is the one place the suite consults the reference: it runs the
reference's adapter in-process and returns its response in protocol form, so
an implementation's answer and the expected one compare field by field.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .harness._messages import Response, parse_response

__all__ = ["reference_answer"]


@cache
def _adapter() -> Any:
    from gritwit.adapter import ReferenceAdapter

    return ReferenceAdapter()


def reference_answer(cmd: str, **args: Any) -> Response:
    """What the reference answers to ``cmd`` (codec commands only: no state is kept)."""
    response = _adapter().handle({"seq": 0, "cmd": cmd, **args})
    return parse_response(json.dumps(response), 0, cmd, args)
