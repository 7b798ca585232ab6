"""Two writers of one store, for the suite's tests of several runtimes (RUN-002, RUN-020).

:func:`second` is a fixture: another instance of the implementation under test, a
second writer process (ADP-015); a test module imports it to use it.  The rest are
the commands those tests repeat, each asserting its answer is ``ok``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gritwit_conformance._implementation import Implementation

__all__ = ["count_of", "inc", "ok", "second"]


@pytest.fixture
def second(impl: Implementation) -> Iterator[Implementation]:
    """Another instance of the implementation under test: a second writer process."""
    other = impl._fresh()
    yield other
    other.close()


def ok(side: Implementation, cmd: str, **args: Any) -> dict[str, Any]:
    """The result of ``cmd``, which must succeed."""
    reply = side.call(cmd, **args)
    assert reply.ok, f"{cmd} {str(args)[:120]}: {reply}"
    return dict(reply.result)


def inc(side: Implementation, runtime: str, actor: str, amount: str) -> str:
    """Send ``inc amount`` from the outside to a counter; the sent message's id."""
    content = {"blob": amount.encode().hex()}
    return str(ok(side, "rt-send", runtime=runtime, to=actor, mt="inc", content=content)["message"])


def count_of(side: Implementation, runtime: str, actor: str) -> bytes:
    """A counter's count, by its query."""
    return bytes.fromhex(ok(side, "rt-query", runtime=runtime, actor=actor, name="count")["data"])
