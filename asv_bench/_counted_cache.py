"""The sandbox's compiled modules for processes counted under valgrind, compiled outside it.

A counted process (:mod:`asv_bench.tools.instructions`, :mod:`asv_bench.tools.host_cost`)
keeps the sandbox's compiled interpreter and snapshot image in a cache of its own
(``counted_environment``'s ``XDG_CACHE_HOME``), because wasmtime refuses code compiled
for CPU features valgrind's emulated CPU lacks (AVX-512, AVX-VNNI): it then compiles
both modules again under valgrind, about 165 s of a cold cache's first gate on the
2-core machine (a local CI run of 0f40d772: the ``sandbox`` workload took 179 s, 12.4 s
with the modules already compiled).

:func:`prepare` compiles them natively instead, with the sandbox engine's settings
(``gritwit.sandbox._engine.ENGINE_SETTINGS``) and every CPU feature valgrind lacks
turned off (:data:`OFF`), and writes them where the counted process looks, through the
sandbox's own signed cache (``write_cached``).  The code is what wasmtime would compile
under valgrind: the same compiler, settings and features; a counted run of ``sandbox``
counted 13,687,086 instructions per step on it and 13,684,625 on modules compiled under
valgrind.  Where a feature named here is unknown to the installed wasmtime, or valgrind
lacks one more than these, the counted process refuses the file and compiles its own, as
before: slower, never wrong.

Run as ``python -m asv_bench._counted_cache CACHE_HOME`` (the tools do, in a process of
its own: the interpreter's start-up it runs takes about 500 MB).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Final

#: cranelift's x86-64 feature flags for what valgrind's amd64 CPU does not report (it
#: reports SSE3 … SSE4.2, AVX, AVX2, FMA, POPCNT, BMI1/2, LZCNT, CMPXCHG16B): read from
#: the ISA flags of a module wasmtime 50 compiled under valgrind 3.24, against one
#: compiled natively on an AVX-512 host.
OFF: Final = (
    "has_avx_vnni",
    "has_avx512bitalg",
    "has_avx512dq",
    "has_avx512vl",
    "has_avx512vbmi",
    "has_avx512f",
    "has_avx512vnni",
    "has_apx",
)


def _sandbox_modules() -> list[bytes]:
    """The Wasm modules the sandbox compiles for a step of its counter (the derived
    interpreter and its snapshot image), from a run of ``bench_sandbox``'s step in this
    process, through the caller's own cache."""
    import wasmtime

    from asv_bench.bench_sandbox import SandboxCounterStep
    from gritwit.sandbox import _engine, _interpreter, _snapshot

    seen: list[bytes] = []
    compiled = _engine.compiled

    def spy(engine: wasmtime.Engine, data: bytes) -> wasmtime.Module:
        seen.append(data)
        return compiled(engine, data)

    callers = (_interpreter, _snapshot)  # each calls the name it imported
    for caller in callers:
        setattr(caller, "compiled", spy)  # noqa: B010 - not a name these modules export
    try:
        SandboxCounterStep().setup()
    finally:
        for caller in callers:
            setattr(caller, "compiled", compiled)  # noqa: B010
    return seen


def _interpreter_held(cache_home: Path) -> bool:
    """Whether ``cache_home`` holds a valid compiled interpreter (derived for snapshots):
    the image compiled with it is then there too, unless removed by hand (then the
    counted run compiles it)."""
    from gritwit.sandbox import _engine
    from gritwit.sandbox._interpreter import interpreter_path
    from gritwit.sandbox._snapshot import derived_module

    path = interpreter_path()
    if path is None:
        return False
    derived = derived_module(path.read_bytes())
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    try:
        return _engine.read_cached(_engine.cache_path(derived), derived) is not None
    finally:
        if saved is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = saved


def prepare(cache_home: Path) -> int:
    """Compile the sandbox's modules for valgrind into ``cache_home``'s sandbox cache,
    each unless a valid file is there already; how many were written."""
    import wasmtime

    from gritwit.sandbox import _engine

    if platform.machine().lower() not in ("x86_64", "amd64"):
        return 0  # the features turned off are x86-64's
    if _interpreter_held(cache_home):
        return 0  # compiled before (the image with it): no start-up to run for it
    config = wasmtime.Config()
    for name, value in _engine.ENGINE_SETTINGS:
        setattr(config, name, value)
    for flag in OFF:
        config.cranelift_flag_set(flag, "false")
    engine = wasmtime.Engine(config)
    modules = _sandbox_modules()
    os.environ["XDG_CACHE_HOME"] = str(cache_home)  # where write_cached writes from now
    written = 0
    for data in modules:
        path = _engine.cache_path(data)
        if _engine.read_cached(path, data) is None:
            _engine.write_cached(path, data, bytes(wasmtime.Module(engine, data).serialize()))
            written += 1
    return written


def prepare_for(counted_env: dict[str, str], root: Path) -> str:
    """Run :func:`prepare` for the counted processes of ``counted_env`` (their cache, the
    ``gritwit`` of their ``PYTHONPATH``) in a process of its own, with this process's
    environment otherwise (its own sandbox cache, where the modules usually are
    already); the line it printed, or why it did not."""
    env = {**os.environ, "PYTHONPATH": counted_env.get("PYTHONPATH", "")}
    argv = [sys.executable, "-m", "asv_bench._counted_cache", counted_env["XDG_CACHE_HOME"]]
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"sandbox modules not compiled for valgrind (the counted run compiles them): {last}"
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    written = prepare(Path(argv[0]))
    print(f"sandbox modules compiled for valgrind: {written} written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
