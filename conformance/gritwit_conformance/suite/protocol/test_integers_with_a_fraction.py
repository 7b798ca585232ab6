"""An integer argument written with a fraction is not an integer (ADP-004.12).

Each integer argument is sent twice: as the integer (accepted) and as the same whole
number written with a fraction, ``4099.0`` (``bad-request``).  The values are not the
reference's round ones (2, 4099, 65,539), so an implementation that happens to accept
some doubles — those that are powers of two, or below a limit — is caught too.  Over
stdio a float is written ``4099.0``; in process the adapter receives a float.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response

from .._check import Clause, call_ok, error_answer, ok_answer


def _both(send: Any, value: int) -> tuple[Response, Response]:
    return send(value), send(float(value))


def _judge(name: str, value: int, whole: Response, written: Response, command: Clause) -> None:
    """The integer is accepted (the command's own clause, ``command``); the same number
    written with a fraction is ``bad-request`` (ADP-004.12)."""
    ok_answer(whole, command, f"{name} {value}, an integer")
    error_answer(
        written,
        "ADP-004.12",
        "bad-request",
        f"{name} written {float(value)!r}: a number with a fraction is no integer",
    )


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.12", "ADP-014")
@pytest.mark.parametrize("steps", [1, 3, 7])
@pytest.mark.req("CONV-004")
def test_wit_run_max_steps(impl: Implementation, steps: int) -> None:
    runtime = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    whole, written = _both(lambda n: impl.call("wit-run", runtime=runtime, max_steps=n), steps)
    _judge("wit-run's max_steps", steps, whole, written, "ADP-014")


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-004.12", "ADP-015")
@pytest.mark.parametrize("steps", [1, 3, 7])
@pytest.mark.req("CONV-004")
def test_rt_run_max_steps(impl: Implementation, tmp_path: Path, steps: int) -> None:
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    whole, written = _both(lambda n: impl.call("rt-run", runtime=runtime, max_steps=n), steps)
    _judge("rt-run's max_steps", steps, whole, written, "ADP-015")


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-004.12", "ADP-015")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_resident", 0),
        ("max_resident", 3),
        ("max_step_bytes", 4099),
        ("max_run_bytes", 65_539),
    ],
)
@pytest.mark.req("CONV-004")
def test_rt_open_bounds(impl: Implementation, tmp_path: Path, name: str, value: int) -> None:
    paths = iter((tmp_path / "whole", tmp_path / "written"))

    def open_with(v: Any) -> Response:
        path = next(paths)
        path.mkdir()
        options: dict[str, Any] = {name: v}
        return impl.call("rt-open", path=str(path), **options)

    whole, written = _both(open_with, value)
    _judge(f"rt-open's {name}", value, whole, written, "ADP-015")


@pytest.mark.profile("runtime")
@pytest.mark.feature("shares")
@pytest.mark.req("ADP-004.12", "ADP-015", "RUN-021")
@pytest.mark.parametrize("share", [(0, 2), (2, 3)])
@pytest.mark.req("CONV-004")
def test_rt_open_share(impl: Implementation, tmp_path: Path, share: tuple[int, int]) -> None:
    k, n = share
    (tmp_path / "whole").mkdir()
    (tmp_path / "written").mkdir()
    whole = impl.call("rt-open", path=str(tmp_path / "whole"), share=[k, n])
    for written_share in ([float(k), n], [k, float(n)]):
        written = impl.call("rt-open", path=str(tmp_path / "written"), share=written_share)
        ok_answer(whole, ("RUN-021", "ADP-015"), f"rt-open's share {[k, n]}, integers")
        error_answer(
            written,
            "ADP-004.12",
            "bad-request",
            f"rt-open's share {written_share}: it holds a number with a fraction, no integer",
        )


@pytest.mark.profile("perf")
@pytest.mark.req("ADP-004.12")
@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.req("CONV-004")
def test_perf_run_n(impl: Implementation, n: int) -> None:
    whole, written = _both(lambda v: impl.call("perf-run", workload="encode", n=v), n)
    _judge("perf-run's n", n, whole, written, "ADP-004.12")
