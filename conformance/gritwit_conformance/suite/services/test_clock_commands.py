"""``rt-open``'s clock and bounds and ``rt-clock``: values and refusals (ADP-023.1, ADP-023.2).

Each refused value is one the clause names: below the least, not an integer, a boolean,
``null``, a string, past 2⁵³ − 1; for ``rt-clock``, neither or both of ``set`` and
``advance``, or a runtime opened without a clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("services")

BAD: list[Any] = [-1, 0.5, True, None, "5", 2**53]


@pytest.mark.req("ADP-023.1")
@pytest.mark.parametrize("name", ["clock", "max_timers", "max_past", "max_delay", "max_fires"])
@pytest.mark.parametrize("value", BAD, ids=[repr(v) for v in BAD])
@pytest.mark.req("CONV-004")
def test_rt_open_refuses_a_clock_or_bound_that_is_no_integer_in_range(
    impl: Implementation, tmp_path: Path, name: str, value: Any
) -> None:
    reply = impl.call("rt-open", path=str(tmp_path), check=False, **{name: value})
    error_answer(reply, "ADP-023.1", "bad-request", f"rt-open with {name}: {value!r}")


@pytest.mark.req("ADP-023.1")
@pytest.mark.parametrize("name", ["max_timers", "max_past", "max_delay", "max_fires"])
@pytest.mark.req("CONV-004")
def test_rt_open_refuses_a_bound_of_zero_and_takes_one(
    impl: Implementation, tmp_path: Path, name: str
) -> None:
    zero: dict[str, Any] = {"clock": 0, name: 0}
    reply = impl.call("rt-open", path=str(tmp_path), check=False, **zero)
    error_answer(reply, "ADP-023.1", "bad-request", f"rt-open with {name}: 0")
    one: dict[str, Any] = {"clock": 0, name: 1}
    ok_answer(impl.call("rt-open", path=str(tmp_path), **one), "ADP-023.1")


@pytest.mark.req("ADP-023.2", "ADP-023.1", "ADP-015")
@pytest.mark.req("CONV-004")
def test_rt_clock_sets_and_advances_and_refuses_anything_else(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    opened = impl.call("rt-open", path=str(tmp_path / "a"), clock=7)
    handle = ok_answer(opened, "ADP-023.1")["runtime"]
    now = ok_answer(impl.call("rt-clock", runtime=handle, advance=5), "ADP-023.2")["now"]
    check_equal("ADP-023.2", 12, now, "rt-clock advance 5 from 7")
    now = ok_answer(impl.call("rt-clock", runtime=handle, set=3), "ADP-023.2")["now"]
    check_equal("ADP-023.2", 3, now, "rt-clock set 3")
    cases: list[dict[str, Any]] = [
        {},
        {"set": 1, "advance": 1},
        {"set": -1},
        {"advance": 0.5},
        {"set": 2**53},
    ]
    for args in cases:
        reply = impl.call("rt-clock", runtime=handle, check=False, **args)
        error_answer(reply, "ADP-023.2", "bad-request", f"rt-clock {args}")
    reply = impl.call("rt-clock", runtime=handle, set=2**53 - 1)
    check_equal("ADP-023.2", 2**53 - 1, ok_answer(reply, "ADP-023.2")["now"], "set 2^53 - 1")
    reply = impl.call("rt-clock", runtime=handle, check=False, advance=1)
    error_answer(reply, "ADP-023.2", "bad-request", "rt-clock past 2^53 - 1")
    plain = ok_answer(impl.call("rt-open", path=str(tmp_path / "b")), "ADP-015")["runtime"]
    reply = impl.call("rt-clock", runtime=plain, set=1)
    error_answer(reply, "ADP-023.2", "bad-request", "rt-clock of a runtime without a clock")
