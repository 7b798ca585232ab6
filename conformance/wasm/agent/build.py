"""Build ``agent.wasm`` from ``agent.c`` with the pinned ``ziglang`` (Zig's bundled clang).

Usage, from anywhere::

    python conformance/wasm/agent/build.py           # rewrite agent.wasm if it differs
    python conformance/wasm/agent/build.py --check   # fail unless agent.wasm is a fresh build

The build is deterministic: fixed flags, relative paths from this directory, fresh
Zig caches in a temporary directory, no debug info, no producers or name sections
(``--strip-all``).  Both modes build twice and fail if the two builds differ.  The
module targets WebAssembly 2.0 (``-mcpu=mvp`` plus bulk memory and sign extension,
WASM-003), imports only ``gritwit`` host functions (no libc, so no WASI: WASM-006)
and declares ABI 1's memory limit as its maximum (WASM-016).

Needs ``pip install -e '.[wasm-build]'`` (``ziglang`` at the pinned version: another
Zig version may emit other bytes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).resolve().parent
SOURCE: Final = "agent.c"
TARGET: Final = HERE / "agent.wasm"
#: The Zig release the committed binary was built with (pyproject's ``wasm-build`` extra).
ZIG_VERSION: Final = "0.17.0"
#: ABI 1's memory limit, 256 pages of 64 KiB (WASM-016).
MAX_MEMORY: Final = 256 * 65536

FLAGS: Final = (
    "--target=wasm32-freestanding",
    "-mcpu=mvp",
    "-mbulk-memory",
    "-msign-ext",
    "-O2",
    "-g0",
    "-std=c11",
    "-ffreestanding",
    "-nostdlib",
    "-fno-ident",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wl,--no-entry",
    "-Wl,--export=step",
    "-Wl,--export=query",
    "-Wl,--strip-all",
    "-Wl,-z,stack-size=65536",
    f"-Wl,--max-memory={MAX_MEMORY}",
)


def zig_version() -> str | None:
    """The installed ``ziglang`` version, or ``None`` when it is not installed."""
    try:
        return metadata.version("ziglang")
    except metadata.PackageNotFoundError:
        return None


def compile_once() -> bytes:
    """One build of ``agent.c`` from scratch (fresh Zig caches); the module's bytes."""
    with tempfile.TemporaryDirectory(prefix="gritwit-agent-") as tmp:
        env = {
            **os.environ,
            "ZIG_GLOBAL_CACHE_DIR": os.path.join(tmp, "global"),
            "ZIG_LOCAL_CACHE_DIR": os.path.join(tmp, "local"),
        }
        output = os.path.join(tmp, "agent.wasm")
        command = [sys.executable, "-m", "ziglang", "cc", *FLAGS, SOURCE, "-o", output]
        subprocess.run(command, cwd=HERE, env=env, check=True)
        return Path(output).read_bytes()


def build() -> bytes:
    """Build twice and return the module; :class:`RuntimeError` if the builds differ."""
    version = zig_version()
    if version is None:
        raise RuntimeError("ziglang is not installed: pip install -e '.[wasm-build]'")
    if version != ZIG_VERSION:
        raise RuntimeError(f"ziglang {version} is installed; agent.wasm is built by {ZIG_VERSION}")
    first, second = compile_once(), compile_once()
    if first != second:
        raise RuntimeError("two builds of agent.c differ: the build is not deterministic")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    try:
        module = build()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    same = TARGET.exists() and TARGET.read_bytes() == module
    if args.check:
        print(f"{TARGET.name}: {'up to date' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    if not same:
        TARGET.write_bytes(module)
    print(f"{TARGET.name}: {len(module)} bytes{'' if same else ' (written)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
