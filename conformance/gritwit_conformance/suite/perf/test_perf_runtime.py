"""The runtime workloads of the ``perf`` profile (ADP-018.6 … ADP-018.8).

These tests check the answers of ``perf-run``'s runtime workloads, never their
speed: for small ``n``, each must name the ``check`` that the same sends and runs
give through the implementation's own ``rt-*`` commands (``rt-genesis`` of the
Wasm module, ``rt-send``, ``rt-run``, ``rt-head``), and the one the in-process
reference answers; the counter must have counted every ``inc`` and the requester
must hold the last answer, so a workload that skipped or doubled an operation
fails. Arguments are checked at both sides of each bound (ADP-018.7). A test
needs ``perf``, ``runtime`` and ``wasm``: an implementation that lacks one is
*not claimed* here (ADP-018.8). ``gritwit perf`` does the timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess
from gritwit_conformance.runs._perf import RUNTIME_WORKLOADS, actor_modules

from .._check import call_ok, check, check_equal, error_answer, fail, ok_answer

pytestmark = pytest.mark.profile("perf", "runtime", "wasm")


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


def _modules(workload: str) -> dict[str, str]:
    return {name: module.hex() for name, module in actor_modules(workload).items()}


def _actor(impl: Implementation, runtime: str, module: str) -> str:
    actor: str = call_ok(impl, "ADP-018.6", "rt-genesis", runtime=runtime, module=module)["actor"]
    _quiescent(impl, runtime)
    return actor


def _quiescent(impl: Implementation, runtime: str) -> dict[str, Any]:
    """One ``rt-run`` of the workload's sends, checked to reach quiescence."""
    ran = call_ok(impl, "ADP-018.6", "rt-run", runtime=runtime, max_steps=1000)
    check("ADP-018.6", ran["quiescent"], expected="quiescent true", came=ran, what="rt-run")
    return ran


def _through_rt(impl: Implementation, workload: str, n: int, path: Path) -> tuple[str, str]:
    """ADP-018.6's sends and runs as ``rt-*`` commands (ADP-015): the actor the check is
    the head of, and that head."""
    modules = _modules(workload)
    runtime = call_ok(impl, "ADP-018.6", "rt-open", path=str(path))["runtime"]
    try:
        if "counter" in modules:
            target = _actor(impl, runtime, modules["counter"])
            for _ in range(n):
                call_ok(
                    impl,
                    "ADP-018.6",
                    "rt-send",
                    runtime=runtime,
                    to=target,
                    mt="inc",
                    content={"blob": ""},
                )
                _quiescent(impl, runtime)
            count = call_ok(
                impl, "ADP-018.6", "rt-query", runtime=runtime, actor=target, name="count"
            )["data"]
            check_equal(
                "ADP-018.6",
                str(n).encode(),
                bytes.fromhex(count),
                f"the counter's count after {n} inc through rt-*",
            )
        else:
            target = _actor(impl, runtime, modules["requester"])
            echo = _actor(impl, runtime, modules["echo"])
            for i in range(n):
                ask = {
                    "to": {"blob": echo.encode().hex()},
                    "question": {"blob": str(i).encode().hex()},
                }
                call_ok(
                    impl,
                    "ADP-018.6",
                    "rt-send",
                    runtime=runtime,
                    to=target,
                    mt="ask",
                    content={"tree": ask},
                )
                ran = call_ok(impl, "ADP-018.6", "rt-run", runtime=runtime, max_steps=1000)
                check_equal(
                    "ADP-018.6", 3, len(ran["steps"]), f"the steps of ask {i}: ask, echo, answer"
                )
            answer = call_ok(
                impl, "ADP-018.6", "rt-query", runtime=runtime, actor=target, name="answer"
            )["data"]
            check_equal(
                "ADP-018.6",
                str(n - 1).encode(),
                bytes.fromhex(answer),
                "the requester's answer: the last ask's",
            )
        head: str = call_ok(impl, "ADP-018.6", "rt-head", runtime=runtime, actor=target)["step"]
        return target, head
    finally:
        call_ok(impl, "ADP-018.6", "rt-close", runtime=runtime)


def _perf_run(impl: Implementation, workload: str, n: int, path: Path) -> Any:
    """``perf-run`` of a runtime workload with its modules and, when durable, ``path``."""
    args: dict[str, Any] = {"modules": _modules(workload)}
    if workload.endswith("-durable"):
        path.mkdir()
        args["path"] = str(path)
    return impl.call("perf-run", workload=workload, n=n, **args)


@pytest.mark.smoke
@pytest.mark.req("ADP-018.6", "ADP-018.3", "ADP-018.8")
@pytest.mark.parametrize("workload", list(RUNTIME_WORKLOADS))
@pytest.mark.parametrize("n", [1, 3])
def test_a_runtime_workload_does_the_work(
    impl: Implementation, reference: InProcess, workload: str, n: int, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    _, expected = _through_rt(impl, workload, n, tmp_path / "rt")
    run = f"perf-run {workload} n={n}"
    want = ok_answer(_perf_run(reference, workload, n, tmp_path / "ref"), "ADP-018.6", run)
    check_equal(
        "ADP-018.6",
        expected,
        want["check"],
        f"the reference's {run}: its check, the head the same sends and runs give through rt-*",
    )
    got = ok_answer(_perf_run(impl, workload, n, tmp_path / "impl"), "ADP-018.8", run)
    check_equal(
        "ADP-018.6",
        expected,
        got["check"],
        f"{run}: its check, the head the same sends and runs give through rt-*",
    )
    elapsed = got["elapsed_ns"]
    check(
        "ADP-018.3",
        isinstance(elapsed, int) and elapsed > 0,
        expected="a positive integer",
        came=elapsed,
        what=f"{run}: elapsed_ns",
    )


@pytest.mark.req("ADP-018.6", "RUN-003")
@pytest.mark.parametrize("workload", ["runtime-counter-durable", "runtime-ping-pong-durable"])
def test_a_durable_workload_leaves_its_heads_in_path(
    impl: Implementation, workload: str, tmp_path: Path
) -> None:
    """The durable store is the one ``rt-open`` of ``path`` opens: it recovers the check."""
    (tmp_path / "rt").mkdir()
    actor, head = _through_rt(impl, workload, 2, tmp_path / "rt")
    got = ok_answer(_perf_run(impl, workload, 2, tmp_path / "perf"), "ADP-018.6")
    check_equal("ADP-018.6", head, got["check"], f"perf-run {workload} n=2: its check")
    runtime = call_ok(impl, "ADP-018.6", "rt-open", path=str(tmp_path / "perf"))["runtime"]
    try:
        found = call_ok(impl, "ADP-018.6", "rt-head", runtime=runtime, actor=actor)["step"]
    finally:
        call_ok(impl, "ADP-018.6", "rt-close", runtime=runtime)
    check_equal(
        "ADP-018.6",
        head,
        found,
        f"the head of {actor} rt-open of the durable workload's path finds: the workload's "
        "check (it ran on that directory's store)",
    )


@pytest.mark.req("ADP-018.6")
def test_a_durable_and_an_in_memory_workload_answer_alike(
    impl: Implementation, tmp_path: Path
) -> None:
    """The store changes when steps are durable, never which steps they are (RUN-017.1)."""
    checks = {
        workload: _perf_run(impl, workload, 2, tmp_path / workload).result.get("check")
        for workload in RUNTIME_WORKLOADS
    }
    for workload in ("runtime-counter", "runtime-ping-pong"):
        durable = checks[f"{workload}-durable"]
        check_equal("ADP-018.6", durable, checks[workload], f"{workload}'s check, as durable")
        if durable is None:
            fail("ADP-018.6", expected="a check", came=checks, what=workload)
    check(
        "ADP-018.6",
        checks["runtime-counter"] != checks["runtime-ping-pong"],
        expected="two checks for the two workloads",
        came=checks,
    )


@pytest.mark.req("ADP-018.7", "ADP-018.4")
@pytest.mark.inputs("empty", "mixed-case")
@pytest.mark.parametrize(
    ("workload", "change", "ok"),
    [
        ("runtime-counter", {"n": 0}, False),
        ("runtime-counter", {"n": 1}, True),
        ("runtime-counters", {}, False),
        ("runtime-counter", {"modules": None}, False),
        ("runtime-counter", {"modules": []}, False),
        ("runtime-counter", {"modules": {}}, False),
        ("runtime-counter", {"path": "ABSENT"}, True),  # ignored in memory
        ("runtime-ping-pong", {"modules": {"echo": None}}, False),
        ("runtime-ping-pong", {"modules": {"x": "zz"}}, True),  # other members are ignored
        ("runtime-counter", {"modules": {"counter": "0"}}, False),
        ("runtime-counter", {"modules": {"counter": "ZZ"}}, False),
        ("runtime-counter", {"modules": {"counter": "UPPER"}}, False),
        ("runtime-counter", {"modules": {"counter": 7}}, False),
        ("runtime-counter-durable", {"path": None}, False),
        ("runtime-counter-durable", {"path": "ABSENT"}, False),
        ("runtime-counter-durable", {"path": "FILE"}, False),
        ("runtime-counter-durable", {}, True),
    ],
)
@pytest.mark.req("CONV-004")
def test_runtime_workload_arguments(
    impl: Implementation, tmp_path: Path, workload: str, change: dict[str, Any], ok: bool
) -> None:
    """Each argument of ADP-018.7 at both sides: ``None`` drops it, a member drops that member.

    ``ABSENT`` is a directory that does not exist, ``FILE`` a file, ``UPPER`` the
    workload's own module in upper-case hex (ADP-004: hex is lowercase).
    """
    base = workload if workload in RUNTIME_WORKLOADS else "runtime-counter"
    args: dict[str, Any] = {"n": 1, "modules": _modules(base)}
    if base.endswith("-durable"):
        (tmp_path / "dir").mkdir()
        args["path"] = str(tmp_path / "dir")
    for key, value in change.items():
        if isinstance(value, dict) and value and isinstance(args.get(key), dict):
            merged = {**args[key], **value}
            upper = {k: args[key][k].upper() for k, v in value.items() if v == "UPPER"}
            args[key] = {k: v for k, v in {**merged, **upper}.items() if v is not None}
        elif value is None:
            args.pop(key, None)
        elif value == "FILE":
            (tmp_path / "file").write_bytes(b"")
            args[key] = str(tmp_path / "file")
        elif value == "ABSENT":
            args[key] = str(tmp_path / "absent")
        else:
            args[key] = value
    reply = impl.call("perf-run", check=False, workload=workload, **args)  # breaks the schema
    if ok:
        ok_answer(reply, "ADP-018.7", f"perf-run {workload!r} {change}, within the bounds")
    else:
        error_answer(reply, "ADP-018.7", "bad-request", f"perf-run {workload!r} {change}")


@pytest.mark.req("ADP-018.7")
@pytest.mark.parametrize(("module", "error_class"), [("00", "invalid-module"), (None, None)])
@pytest.mark.req("CONV-004")
def test_a_module_that_fails_to_load_fails_the_run_with_its_class(
    impl: Implementation, tmp_path: Path, module: str | None, error_class: str | None
) -> None:
    """``00`` is no Wasm module (WASM-002); the counter's own build, beside it, runs."""
    modules = _modules("runtime-counter")
    if module is not None:
        modules["counter"] = module
    reply = impl.call("perf-run", workload="runtime-counter", n=1, modules=modules)
    if error_class is None:
        ok_answer(reply, "ADP-018.7", "perf-run of the counter's build")
    else:
        error_answer(reply, "ADP-018.7", error_class, "perf-run of a module that is no Wasm")
