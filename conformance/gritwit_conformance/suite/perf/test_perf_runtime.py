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

from .._check import check, describe, ok_answer

pytestmark = pytest.mark.profile("perf", "runtime", "wasm")


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


def _modules(workload: str) -> dict[str, str]:
    return {name: module.hex() for name, module in actor_modules(workload).items()}


def _actor(impl: Implementation, runtime: str, module: str) -> str:
    actor: str = impl.call("rt-genesis", runtime=runtime, module=module).expect_ok()["actor"]
    assert impl.call("rt-run", runtime=runtime, max_steps=1000).expect_ok()["quiescent"]
    return actor


def _through_rt(impl: Implementation, workload: str, n: int, path: Path) -> tuple[str, str]:
    """ADP-018.6's sends and runs as ``rt-*`` commands (ADP-015): the actor the check is
    the head of, and that head."""
    modules = _modules(workload)
    runtime = impl.call("rt-open", path=str(path)).expect_ok()["runtime"]
    try:
        if "counter" in modules:
            target = _actor(impl, runtime, modules["counter"])
            for _ in range(n):
                impl.call(
                    "rt-send", runtime=runtime, to=target, mt="inc", content={"blob": ""}
                ).expect_ok()
                assert impl.call("rt-run", runtime=runtime, max_steps=1000).expect_ok()["quiescent"]
            count = impl.call("rt-query", runtime=runtime, actor=target, name="count").expect_ok()[
                "data"
            ]
            assert bytes.fromhex(count) == str(n).encode(), "the counter missed an inc"
        else:
            target = _actor(impl, runtime, modules["requester"])
            echo = _actor(impl, runtime, modules["echo"])
            for i in range(n):
                ask = {
                    "to": {"blob": echo.encode().hex()},
                    "question": {"blob": str(i).encode().hex()},
                }
                impl.call(
                    "rt-send", runtime=runtime, to=target, mt="ask", content={"tree": ask}
                ).expect_ok()
                assert (
                    len(impl.call("rt-run", runtime=runtime, max_steps=1000).expect_ok()["steps"])
                    == 3
                )
            answer = impl.call(
                "rt-query", runtime=runtime, actor=target, name="answer"
            ).expect_ok()["data"]
            assert bytes.fromhex(answer) == str(n - 1).encode(), "the last ask was not answered"
        head: str = impl.call("rt-head", runtime=runtime, actor=target).expect_ok()["step"]
        return target, head
    finally:
        impl.call("rt-close", runtime=runtime).expect_ok()


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
    want = _perf_run(reference, workload, n, tmp_path / "ref")
    assert want.ok, want
    assert want.result["check"] == expected, "the reference's workload is not ADP-018.6's"
    got = _perf_run(impl, workload, n, tmp_path / "impl")
    assert got.ok, f"perf-run {workload} n={n} failed (ADP-018.8): {got.error}"
    assert got.result["check"] == expected, (
        f"perf-run {workload} n={n}: check {got.result['check']} is not {expected}, the "
        f"head the same sends and runs give through rt-*: the workload of ADP-018.6 was not done"
    )
    elapsed = got.result["elapsed_ns"]
    assert isinstance(elapsed, int) and elapsed > 0, (
        f"perf-run {workload} n={n}: elapsed_ns {elapsed!r} is not a positive integer (ADP-018.3)"
    )


@pytest.mark.req("ADP-018.6", "RUN-003")
@pytest.mark.parametrize("workload", ["runtime-counter-durable", "runtime-ping-pong-durable"])
def test_a_durable_workload_leaves_its_heads_in_path(
    impl: Implementation, workload: str, tmp_path: Path
) -> None:
    """The durable store is the one ``rt-open`` of ``path`` opens: it recovers the check."""
    (tmp_path / "rt").mkdir()
    actor, head = _through_rt(impl, workload, 2, tmp_path / "rt")
    got = _perf_run(impl, workload, 2, tmp_path / "perf")
    assert got.ok and got.result["check"] == head, got
    runtime = impl.call("rt-open", path=str(tmp_path / "perf")).expect_ok()["runtime"]
    try:
        found = impl.call("rt-head", runtime=runtime, actor=actor).expect_ok()["step"]
    finally:
        impl.call("rt-close", runtime=runtime).expect_ok()
    assert found == head, (
        f"rt-open of the durable workload's path finds {found} as the head of {actor}, not "
        f"the check {head}: the workload did not run on that directory's store (ADP-018.6)"
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
        durable = f"{workload}-durable"
        check(
            "ADP-018.6",
            checks[workload] == checks[durable] is not None,
            expected=f"the same check of {workload} and {durable}, not null",
            came=f"{describe(checks[workload])} and {describe(checks[durable])}",
            what="the checks of an in-memory and a durable workload",
        )
    assert checks["runtime-counter"] != checks["runtime-ping-pong"]


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
        ok_answer(reply, "ADP-018.7", f"perf-run {workload!r} {change}, an accepted change")
    else:
        assert not reply.ok and reply.error_class == "bad-request", (
            f"perf-run {workload!r} {change} must be bad-request (ADP-018.7): {reply}"
        )


@pytest.mark.req("ADP-018.7")
@pytest.mark.parametrize(("module", "error_class"), [("00", "invalid-module"), (None, None)])
def test_a_module_that_fails_to_load_fails_the_run_with_its_class(
    impl: Implementation, tmp_path: Path, module: str | None, error_class: str | None
) -> None:
    """``00`` is no Wasm module (WASM-002); the counter's own build, beside it, runs."""
    modules = _modules("runtime-counter")
    if module is not None:
        modules["counter"] = module
    reply = impl.call("perf-run", workload="runtime-counter", n=1, modules=modules)
    if error_class is None:
        ok_answer(reply, "ADP-018.7", "perf-run of the counter's own build")
    else:
        assert not reply.ok and reply.error_class == error_class, (
            f"perf-run of a module that is no Wasm must fail {error_class} (ADP-018.7): {reply}"
        )
