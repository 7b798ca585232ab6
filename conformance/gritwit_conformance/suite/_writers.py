"""Two writers of one store, for the suite's tests of several runtimes (RUN-002, RUN-020).

:func:`second` is a fixture: another instance of the implementation under test, a
second writer process (ADP-015); a test module imports it to use it.  The rest are
the commands those tests repeat, each checking its answer is ``ok`` under the clause
of the test that sends it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gritwit_conformance.harness._implementation import Implementation

from ._check import call_ok

__all__ = ["count_of", "inc", "second"]


@pytest.fixture
def second(impl: Implementation) -> Iterator[Implementation]:
    """Another instance of the implementation under test: a second writer process."""
    other = impl._fresh()
    yield other
    other.close()


def inc(side: Implementation, runtime: str, actor: str, amount: str, *, clause: str) -> str:
    """Send ``inc amount`` from the outside to a counter; the sent message's id."""
    content = {"blob": amount.encode().hex()}
    sent = call_ok(side, clause, "rt-send", runtime=runtime, to=actor, mt="inc", content=content)
    return str(sent["message"])


def count_of(side: Implementation, runtime: str, actor: str, *, clause: str) -> bytes:
    """A counter's count, by its query."""
    answer = call_ok(side, clause, "rt-query", runtime=runtime, actor=actor, name="count")
    return bytes.fromhex(answer["data"])
