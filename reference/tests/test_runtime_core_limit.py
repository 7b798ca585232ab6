"""A runtime's core limit reaches every place a ``python-wasi`` core is bounded (SBX-007.7).

``Runtime(max_core_bytes=...)`` hands the limit to the sandbox runner its executor makes:
a genesis core (SBX-006.17), an imported head core (SBX-006.18) and a run's mount and
read-back (SBX-006.16, SBX-007.3) are each judged at both sides of a limit of 3 001
bytes, a blob of 1 500 named at two paths counting twice.  ``gritwit runtime run
--max-core-bytes`` sets it for the command's runtime, and refuses what SBX-007.7 refuses.
The suite's ``suite/sandbox/test_runtime_core_limit.py`` checks the same through
``rt-open``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from aio import run
from hypothesis import given, settings
from hypothesis import strategies as st

from gritwit import Blob, GritObject, Tree, object_id
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import MAX_CORE_BYTES, Runtime, RuntimeConfig, export_bundle
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.store import Store

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)

LIMIT = 3001
SHARED = Blob(data=b"s" * 1500)


def _core(last: int, program: str = "print(1)\n") -> tuple[Tree, tuple[GritObject, ...]]:
    """A ``python-wasi`` core of ``SHARED`` at ``a`` and ``d/b`` and ``last`` bytes at
    ``c``: 3 000 + ``last`` bytes as SBX-006.16 counts them."""
    from gritwit.adapter._sandbox import program_core

    inner = Tree(entries={"b": object_id(SHARED)})
    state: dict[str, GritObject] = {"a": SHARED, "d": inner}
    extra: tuple[GritObject, ...] = (SHARED,)
    if last:
        state["c"] = Blob(data=b"c" * last)
    core, objects = program_core(program, state)
    return core, (*extra, *objects)


async def _genesis(rt: Runtime, last: int) -> tuple[Any, Any]:
    core, objects = _core(last)
    actor = await rt.genesis(core, objects)
    report = await rt.run_until_quiescent()
    return actor, report


@needs_interpreter
@pytest.mark.req("SBX-007.7", "SBX-006.17", "SBX-006.16")
@pytest.mark.parametrize(("last", "adopted"), [(1, True), (2, False)])
def test_a_runtimes_core_limit_bounds_a_genesis(last: int, adopted: bool) -> None:
    async def go() -> None:
        rt = Runtime(Store.memory(), max_core_bytes=LIMIT, first_backoff=0)
        actor, report = await _genesis(rt, last)
        if adopted:
            assert not report.failures and rt.head(actor) is not None, (
                f"a genesis core of {3000 + last} bytes is within the limit (SBX-007.7)"
            )
            return
        assert {f.error_class for f in report.failures} == {"too-large"}, (
            f"a genesis core of {3000 + last} bytes, a blob at two paths counted at each, "
            f"is past the runtime's core limit {LIMIT} (SBX-007.7, SBX-006.17)"
        )
        assert "SBX-006.17" in str(report.failures[0].error), "the refusal names SBX-006.17"
        assert rt.head(actor) is None, "a refused genesis adopts no step (SBX-006.17)"

    run(go())


@needs_interpreter
@pytest.mark.req("SBX-007.7", "SBX-006.18", "RUN-009.3")
def test_a_runtimes_core_limit_bounds_an_import() -> None:
    async def go() -> None:
        store = Store.memory()
        source = Runtime(store)  # the default limit, 64 MiB
        actor, report = await _genesis(source, 2)
        assert not report.failures, "3 002 bytes are within the default limit (SBX-007.7)"
        bundle = export_bundle(store, actor)
        for limit, imported in ((LIMIT, False), (LIMIT + 1, True)):
            rt = Runtime(Store.memory(), max_core_bytes=limit)
            if imported:
                assert rt.import_bundle(bundle)[0] == actor, (
                    "a head core of the limit is imported (SBX-006.18)"
                )
                continue
            with pytest.raises(Exception, match=r"SBX-006\.18") as refused:
                rt.import_bundle(bundle)
            assert getattr(refused.value, "error_class", None) == "too-large", (
                f"a head core past the importing runtime's limit {limit} is too-large "
                f"(SBX-007.7, SBX-006.18): {refused.value!r}"
            )
            assert rt.head(actor) is None, "a refused import sets no head (RUN-009.3)"

    run(go())


_FILL = (
    "import json\n"
    "for m in json.load(open('/input/transition.json'))['messages']:\n"
    "    if m['data']:\n"
    "        open('f', 'wb').write(b'w' * (3000 + len(m['data'])))\n"
)


@needs_interpreter
@pytest.mark.req("SBX-007.7", "SBX-007.3")
def test_a_runtimes_core_limit_bounds_what_a_run_leaves() -> None:
    """A run leaving 3 004 bytes (data of 4 base64 characters) is adopted under a limit
    of 3 004 and fails ``output-too-large`` under 3 003."""
    from gritwit.adapter._sandbox import program_core

    async def go(limit: int) -> set[str]:
        rt = Runtime(Store.memory(), max_core_bytes=limit, first_backoff=0)
        core, objects = program_core(_FILL, {})
        actor = await rt.genesis(core, objects)
        await rt.run_until_quiescent()
        data = Blob(data=b"abc")  # base64 "YWJj": 4 characters
        await rt.send(actor, object_id(data), {"mt": "fill"}, [data])
        report = await rt.run_until_quiescent()
        return {f.error_class for f in report.failures}

    assert run(go(3004)) == set(), "a run leaving the limit is adopted (SBX-007.7, SBX-007.3)"
    assert run(go(3003)) == {"output-too-large"}, (
        "a run leaving one byte past the runtime's limit fails (SBX-007.7, SBX-007.3)"
    )


_SETUP = """\
import asyncio, sys
from gritwit.adapter._sandbox import program_core
from gritwit.runtime import Runtime
from gritwit.store import Store
import gritwit as g

async def main(folder):
    with Store.open(folder) as store:
        rt = Runtime(store, send_commit="own")
        core, objects = program_core("print(1)\\n", {"s": g.Blob(data=b"s" * 3002)})
        print((await rt.genesis(core, objects)).hex())

asyncio.run(main(sys.argv[1]))
"""


@needs_interpreter
@pytest.mark.req("SBX-007.7", "SBX-006.17")
def test_runtime_run_takes_max_core_bytes(tmp_path: Path) -> None:
    """``gritwit runtime run --max-core-bytes 3001`` refuses a genesis core of 3 002 bytes
    ``too-large``; ``3002`` adopts it; 0, 2**53 and 1.5 are usage errors."""
    argv = [sys.executable, "-m", "gritwit", "runtime", "run"]
    for limit, failed in ((LIMIT, True), (LIMIT + 1, False)):
        folder = tmp_path / f"st-{limit}"
        made = subprocess.run(
            [sys.executable, "-c", _SETUP, str(folder)], capture_output=True, text=True
        )
        assert made.returncode == 0, made.stderr
        actor = made.stdout.split()[0]
        ran = subprocess.run(
            [*argv, str(folder), "--max-core-bytes", str(limit)], capture_output=True, text=True
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        lines = [line for line in ran.stdout.splitlines() if line.startswith("failed ")]
        expected = [f"failed {actor} too-large"] * 5 if failed else []
        assert lines == expected, (
            f"--max-core-bytes {limit} is the runtime's core limit: a genesis core of "
            f"3 002 bytes is {'refused' if failed else 'adopted'} (SBX-007.7): {ran.stdout}"
        )
    for bad in ("0", str(2**53), "1.5"):
        refused = subprocess.run(
            [*argv, str(tmp_path / "st-3001"), "--max-core-bytes", bad],
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 2 and "--max-core-bytes" in refused.stderr, (
            f"--max-core-bytes {bad} is no limit of SBX-007.7: {refused.stderr}"
        )
    shown = subprocess.run([*argv, "--help"], capture_output=True, text=True)
    assert f"default: {MAX_CORE_BYTES}" in " ".join(shown.stdout.split()), (
        "the help shows the default core limit (SBX-007.7)"
    )


LARGEST = 2**53 - 1


@pytest.mark.req("SBX-007.7", "ADP-015")
@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=1, max_value=LARGEST),
        st.integers(max_value=0),
        st.integers(min_value=LARGEST + 1),
        st.booleans(),
        st.floats(allow_nan=True),
        st.none(),
        st.text(max_size=4),
    )
)
def test_the_core_limit_is_an_integer_from_1_to_2_53_minus_1(value: object) -> None:
    """Every integer of the range is a runtime's core limit, echoed by ``rt-open``; every
    other value (an integer outside it, a bool, a float even when whole, null, text) is
    refused by the config and ``bad-request`` to ``rt-open``."""
    good = type(value) is int and 1 <= value <= LARGEST
    try:
        config: RuntimeConfig | None = RuntimeConfig(max_core_bytes=value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        assert "SBX-007.7" in str(exc), f"the refusal names SBX-007.7: {exc}"
        config = None
    assert (config is not None) == good, (
        f"max_core_bytes {value!r} is {'an' if good else 'no'} integer from 1 to 2**53 - 1 "
        "(SBX-007.7)"
    )
    adapter = ReferenceAdapter()
    with tempfile.TemporaryDirectory() as path:
        reply = adapter.handle({"seq": 1, "cmd": "rt-open", "path": path, "max_core_bytes": value})
        adapter.close()
    if good:
        assert reply["ok"] and reply["settings"]["max_core_bytes"] == value, (
            f"rt-open takes and echoes max_core_bytes {value} (ADP-015, SBX-007.7): {reply}"
        )
    else:
        assert not reply["ok"] and reply["error"]["class"] == "bad-request", (
            f"rt-open refuses max_core_bytes {value!r} bad-request (ADP-015): {reply}"
        )
