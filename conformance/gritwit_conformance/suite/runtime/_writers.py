"""Two writers of one store, for the suite's tests of several runtimes (RUN-002, RUN-020).

:func:`second` is a fixture: another instance of the implementation under test, a
second writer process (ADP-015); a test module imports it to use it.  The rest are
the commands those tests repeat, each asserting its answer is ``ok``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gritwit_conformance.harness._implementation import Implementation

__all__ = ["count_of", "inc", "second"]


@pytest.fixture
def second(impl: Implementation) -> Iterator[Implementation]:
    """Another instance of the implementation under test: a second writer process."""
    other = impl._fresh()
    yield other
    other.close()


def inc(side: Implementation, runtime: str, actor: str, amount: str) -> str:
    """Send ``inc amount`` from the outside to a counter; the sent message's id."""
    content = {"blob": amount.encode().hex()}
    return str(
        side.call("rt-send", runtime=runtime, to=actor, mt="inc", content=content).expect_ok()[
            "message"
        ]
    )


def count_of(side: Implementation, runtime: str, actor: str) -> bytes:
    """A counter's count, by its query."""
    return bytes.fromhex(
        side.call("rt-query", runtime=runtime, actor=actor, name="count").expect_ok()["data"]
    )
