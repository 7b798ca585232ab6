"""The optional ``perf`` profile and ``gritwit perf`` (ADP-018).

Each workload's ``check`` is recomputed here from ADP-018.2's definition, not from
the code under test: ``encode`` with cbor2 and blake3, the Wit workloads by
sending the same messages through the ``wit`` profile's commands (ADP-014) and
reading the head. Wrong adapters (a wrong check, no time, a claim without the
command) must be reported as failing the clause they break. Small ``n``
throughout: these tests check answers, not speed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any, ClassVar

import blake3
import cbor2
import pytest

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.cli import main
from gritwit_conformance.harness._implementation import (
    Implementation,
    InProcess,
    make_implementation,
)
from gritwit_conformance.runs._perf import (
    RUNTIME_WORKLOADS,
    WORKLOADS,
    Table,
    _table,
    measure,
    render,
)

NODE_DIR = Path(__file__).resolve().parents[1] / "adapters" / "node"
#: The workloads of ADP-018.2; the runtime ones (ADP-018.6) are checked through ``rt-*``
#: by the suite (``suite/perf/test_perf_runtime.py``).
WIT_WORKLOADS = tuple(w for w in WORKLOADS if w not in RUNTIME_WORKLOADS)
STDIO_REFERENCE = f"{sys.executable} -m gritwit adapter"


def _encode_check(n: int) -> str:
    """ADP-018.2 ``encode``, independently: canonical CBOR (cbor2) and BLAKE3."""
    last = b""
    for i in range(n):
        blob = blake3.blake3(cbor2.dumps({"type": "blob", "data": str(i).encode()}, canonical=True))
        tree = {"type": "tree", "entries": {"x": blob.digest()}}
        last = blake3.blake3(cbor2.dumps(tree, canonical=True)).digest()
    return last.hex()


def _ok(impl: Implementation, cmd: str, **args: Any) -> dict[str, Any]:
    response = impl.call(cmd, **args)
    assert response.ok, response
    return response.result


def _actor(impl: Implementation, runtime: str, name: str) -> str:
    actor: str = _ok(impl, "wit-genesis", runtime=runtime, actor=name)["actor"]
    assert _ok(impl, "wit-run", runtime=runtime, max_steps=1000)["quiescent"]
    return actor


def _wit_check(impl: Implementation, workload: str, n: int) -> str:
    """ADP-018.2's Wit workloads sent as ``wit-*`` commands (ADP-014); the head it names."""
    runtime = _ok(impl, "wit-open")["runtime"]
    if workload == "counter":
        target = _actor(impl, runtime, "counter")
        for _ in range(n):
            _ok(impl, "wit-send", runtime=runtime, to=target, mt="inc", content={"blob": ""})
            assert _ok(impl, "wit-run", runtime=runtime, max_steps=1000)["quiescent"]
        count = _ok(impl, "wit-query", runtime=runtime, actor=target, name="count")["data"]
        assert bytes.fromhex(count) == str(n).encode()
    else:
        target = _actor(impl, runtime, "requester")
        echo = _actor(impl, runtime, "echo")
        for i in range(n):
            ask = {"to": {"blob": echo.encode().hex()}, "question": {"blob": str(i).encode().hex()}}
            _ok(impl, "wit-send", runtime=runtime, to=target, mt="ask", content={"tree": ask})
            assert len(_ok(impl, "wit-run", runtime=runtime, max_steps=1000)["steps"]) == 3
        answer = _ok(impl, "wit-query", runtime=runtime, actor=target, name="answer")["data"]
        assert bytes.fromhex(answer) == str(n - 1).encode()
    head: str = _ok(impl, "wit-head", runtime=runtime, actor=target)["step"]
    _ok(impl, "wit-close", runtime=runtime)
    return head


def _expected(impl: Implementation, workload: str, n: int) -> str:
    return _encode_check(n) if workload == "encode" else _wit_check(impl, workload, n)


@pytest.fixture(scope="module")
def node_adapter() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules").is_dir():
        pytest.skip("node or the Node adapter's node_modules are missing")
    return f"{node} {NODE_DIR / 'adapter.mjs'}"


@pytest.mark.req("ADP-018", "ADP-018.1", "ADP-018.2", "ADP-018.3")
@pytest.mark.parametrize("workload", WIT_WORKLOADS)
@pytest.mark.parametrize("n", [1, 4])
def test_the_reference_answers_each_workload(workload: str, n: int) -> None:
    impl = InProcess()
    try:
        assert "perf" in impl.profiles
        response = impl.call("perf-run", workload=workload, n=n)
        assert response.ok, response
        assert response.result["elapsed_ns"] > 0
        assert response.result["check"] == _expected(impl, workload, n)
    finally:
        impl.close()


@pytest.mark.req("ADP-018.1", "ADP-018.2", "ADP-018.3", "ADP-014")
def test_the_node_adapter_answers_each_workload(node_adapter: str) -> None:
    impl = make_implementation(node_adapter, timeout=120)
    try:
        assert "perf" in impl.profiles
        for workload in WIT_WORKLOADS:
            expected = _expected(impl, workload, 3)  # through Node's own wit commands
            assert measure(impl, workload, 3) > 0  # measure raises unless check == reference's
            assert impl.call("perf-run", workload=workload, n=3).result["check"] == expected
        for workload in RUNTIME_WORKLOADS:  # ADP-018.6: the same Wasm actors on its runtime
            assert measure(impl, workload, 3) > 0
    finally:
        impl.close()


@pytest.mark.req("ADP-018.4")
@pytest.mark.parametrize(
    "args",
    [
        {"workload": "sort", "n": 3},
        {"workload": 7, "n": 3},
        {"workload": "encode", "n": 0},
        {"workload": "encode", "n": 1_000_001},
        {"workload": "encode", "n": 2.5},
        {"workload": "encode", "n": True},
        {"workload": "encode"},
    ],
)
def test_bad_arguments_are_bad_requests(args: dict[str, Any]) -> None:
    impl = InProcess()
    try:
        response = impl.call("perf-run", check=False, **args)
        assert response.error_class == "bad-request", response
    finally:
        impl.close()


# --- wrong adapters: each must be reported as failing the clause it breaks ---------------


class _OffByOne(ReferenceAdapter):
    """Runs one repetition too many (``range(n + 1)``): the work differs."""

    def cmd_perf_run(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_perf_run({**args, "n": args["n"] + 1})


class _NoTime(ReferenceAdapter):
    """Does the work but answers ``elapsed_ns: 0``."""

    def cmd_perf_run(self, args: dict[str, Any]) -> dict[str, Any]:
        return {**super().cmd_perf_run(args), "elapsed_ns": 0}


class _ClaimOnly(ReferenceAdapter):
    """Claims ``perf`` but has no ``perf-run``."""

    cmd_perf_run = None  # type: ignore[assignment]


class _NoClaim(ReferenceAdapter):
    """Does not claim ``perf``: optional, so only *not claimed*."""

    profiles = ("codec", "store", "wit", "runtime", "wasm")


class _Wrong(InProcess):
    def __init__(self, adapter: type[ReferenceAdapter]) -> None:
        super().__init__()
        self.adapter_class = adapter
        self.label = adapter.__name__

    def _start(self) -> None:
        self._adapter = self.adapter_class()


@pytest.mark.req("ADP-018.5", "ADP-018.2", "ADP-018.3", "ADP-018.1", "ADP-018.8")
@pytest.mark.parametrize(
    ("adapter", "requirement"),
    [(_OffByOne, "ADP-018.2"), (_NoTime, "ADP-018.3"), (_ClaimOnly, "ADP-018.1")],
)
@pytest.mark.parametrize("workload", WORKLOADS)
def test_a_wrong_adapter_fails_the_clause_it_breaks(
    adapter: type[ReferenceAdapter], requirement: str, workload: str
) -> None:
    if requirement == "ADP-018.2" and workload in RUNTIME_WORKLOADS:
        requirement = "ADP-018.6"  # the runtime workloads' work (ADP-018.8)
    wrong = _Wrong(adapter)
    try:
        (table,) = _tables_of(wrong, workload)
    finally:
        wrong.close()
    reference_row, wrong_row = table.rows
    assert reference_row.failure is None and len(reference_row.samples_ns) == 2
    assert wrong_row.failure is not None and wrong_row.failure.requirement == requirement
    assert wrong_row.median_per_op(table.n) is None and table.ratio(wrong_row) is None


@pytest.mark.req("ADP-018.1")
def test_an_adapter_without_the_claim_is_not_claimed_and_still_conforms() -> None:
    wrong = _Wrong(_NoClaim)
    try:
        (table,) = _tables_of(wrong, "encode")
        assert table.rows[1].failure is not None
        assert "not claimed" in table.rows[1].failure.message
        assert wrong.call("hash", bytes="").ok  # the rest of the protocol is untouched
    finally:
        wrong.close()


class _NoRuntime(ReferenceAdapter):
    """Claims ``perf`` but not ``runtime`` and ``wasm``: the runtime workloads are optional."""

    profiles = ("codec", "store", "wit", "perf")


class _KeepsPath(ReferenceAdapter):
    """Remembers the directory of each ``perf-run``, to see the harness remove it."""

    paths: ClassVar[list[str]] = []

    def cmd_perf_run(self, args: dict[str, Any]) -> dict[str, Any]:
        if "path" in args:
            assert Path(args["path"]).is_dir() and not any(Path(args["path"]).iterdir())
            self.paths.append(args["path"])
        return super().cmd_perf_run(args)


@pytest.mark.req("ADP-018.8")
@pytest.mark.parametrize("workload", list(RUNTIME_WORKLOADS))
def test_without_runtime_and_wasm_a_runtime_workload_is_not_claimed(workload: str) -> None:
    wrong = _Wrong(_NoRuntime)
    try:
        (table,) = _tables_of(wrong, workload)
    finally:
        wrong.close()
    failure = table.rows[1].failure
    assert failure is not None and failure.not_claimed and failure.requirement == "ADP-018.8"
    assert "does not claim runtime and wasm" in failure.message
    assert "not claimed" in render(table) and "FAIL" not in render(table)
    assert table.rows[0].failure is None  # the reference beside it has its figures


@pytest.mark.req("ADP-018.8")
def test_a_row_not_claimed_does_not_fail_the_run_but_a_failed_one_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 0 with a perf-only adapter on a runtime workload; 1 on a workload it fails."""
    script = Path(__file__).with_name("_perf_only_adapter.py")
    argv = ["perf", "--impl", "reference", "--impl", f"{sys.executable} {script}"]
    assert main([*argv, "--workload", "runtime-counter", "--n", "1", "--repeat", "1"]) == 0
    assert "does not claim runtime and wasm: not claimed (ADP-018.8)" in capsys.readouterr().out
    assert main([*argv, "--workload", "encode", "--n", "1", "--repeat", "1"]) == 0
    broken = ["perf", "--impl", "reference", "--impl", f"{sys.executable} {script} --off-by-one"]
    assert main([*broken, "--workload", "encode", "--n", "1", "--repeat", "1"]) == 1


@pytest.mark.req("ADP-018.8")
@pytest.mark.parametrize("workload", ["runtime-counter-durable", "runtime-ping-pong-durable"])
def test_each_durable_perf_run_gets_a_new_empty_directory_removed_after(workload: str) -> None:
    wrong = _Wrong(_KeepsPath)
    _KeepsPath.paths.clear()
    try:
        assert measure(wrong, workload, 1) > 0
        assert measure(wrong, workload, 1) > 0
    finally:
        wrong.close()
    first, second = _KeepsPath.paths
    assert first != second
    assert not Path(first).exists() and not Path(second).exists()


def _tables_of(wrong: Implementation, workload: str) -> list[Table]:
    """One table (n=2, 2 repetitions) of the in-process reference beside ``wrong``."""
    reference = InProcess()
    try:
        return [_table([reference, wrong], workload, 2, 2, lambda _: None)]
    finally:
        reference.close()


# --- the command line -----------------------------------------------------------------------


@pytest.mark.req("ADP-018.5")
def test_the_cli_prints_a_table_per_workload_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "perf.json"
    argv = ["perf", "--impl", "reference", "--impl", STDIO_REFERENCE, "--n", "2", "--repeat", "3"]
    assert main([*argv, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    for workload in WORKLOADS:
        assert f"workload {workload}: n=2, 3 repetition(s) each" in text
    assert "gritwit-reference (in-process)" in text
    assert f"gritwit-reference (stdio: {STDIO_REFERENCE})" in text
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["format"] == "gritwit-perf/1"
    assert [t["workload"] for t in report["tables"]] == list(WORKLOADS)
    for table in report["tables"]:
        first, second = table["results"]
        assert (first["kind"], second["kind"]) == ("in-process", "stdio")
        assert first["ratio"] == 1.0 and second["ratio"] > 0
        assert len(first["samples_ns"]) == 3 and all(s > 0 for s in second["samples_ns"])
        assert first["median_ns_per_op"] == sorted(first["samples_ns"])[1] / 2


@pytest.mark.req("ADP-018.5", "ADP-018.2")
def test_the_cli_reports_a_wrong_adapter_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "wrong_adapter.py"
    script.write_text(
        "from gritwit.adapter import ReferenceAdapter, serve\n"
        "class OffByOne(ReferenceAdapter):\n"
        "    def cmd_perf_run(self, args):\n"
        "        return super().cmd_perf_run({**args, 'n': args['n'] + 1})\n"
        "raise SystemExit(serve(OffByOne()))\n",
        encoding="utf-8",
    )
    argv = ["perf", "--impl", "reference", "--impl", f"{sys.executable} {script}"]
    assert main([*argv, "--workload", "counter", "--n", "2", "--repeat", "2"]) == 1
    text = capsys.readouterr().out
    assert "FAIL" in text and "(ADP-018.2)" in text
