"""The judged never imports the judge (issue 26): ``gritwit`` loads no ``gritwit_conformance``.

``lint-imports`` checks the same statically (pyproject.toml's import contracts); this
test checks it at run time, in a fresh interpreter, for every module of the package,
and checks the deprecated aliases that are the only judged → judge edges for one version.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: The deprecated aliases of the judge's modules: each imports it, and is removed in the
#: next version (the same list is ignored by name in pyproject.toml's contracts).
SHIMS = ("gritwit.cli", "gritwit.report", "gritwit.vectors")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_importing_every_module_of_the_reference_loads_no_module_of_the_judge() -> None:
    found = _run(
        f"""
        import importlib, json, pkgutil, sys
        import gritwit
        lean = sorted(m for m in sys.modules if m.split(".")[0] == "wasmtime")
        names = sorted(
            info.name
            for info in pkgutil.walk_packages(gritwit.__path__, "gritwit.")
            if info.name not in {SHIMS!r} and info.name != "gritwit.__main__"
        )
        for name in names:
            importlib.import_module(name)
        judge = sorted(m for m in sys.modules if m.split(".")[0] == "gritwit_conformance")
        print(json.dumps({{"modules": names, "judge": judge, "wasmtime": lean}}))
        """
    )
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert len(result["modules"]) > 60  # every module, subpackages included
    assert "gritwit.sandbox._run" in result["modules"]
    assert result["judge"] == []
    assert result["wasmtime"] == []  # `import gritwit` alone leaves wasmtime unloaded


@pytest.mark.parametrize("name", SHIMS)
def test_a_moved_module_is_the_judges_with_a_deprecation_warning(name: str) -> None:
    moved = name.replace("gritwit.", "gritwit_conformance.")
    found = _run(
        f"""
        import importlib, warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alias = importlib.import_module({name!r})
        assert alias is importlib.import_module({moved!r}), alias
        print(*[str(w.message) for w in caught if w.category is DeprecationWarning], sep="\\n")
        """
    )
    assert found.returncode == 0, found.stderr
    assert f"{name} moved to {moved}" in found.stdout


def test_python_m_gritwit_forwards_the_judges_commands_with_a_deprecation_message() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "gritwit", "trace", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert "usage: gritwit trace" in found.stdout
    assert "`python -m gritwit trace` moved" in found.stderr
    assert "python -m gritwit_conformance trace" in found.stderr


def test_python_m_gritwit_serves_the_references_own_commands_without_the_judge() -> None:
    found = _run(
        """
        import contextlib, io, sys
        from gritwit._commands import build_parser
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            build_parser().parse_args(["--help"])
        print(out.getvalue())
        print(sorted(m for m in sys.modules if m.startswith("gritwit_conformance")))
        """
    )
    assert found.returncode == 0, found.stderr
    for command in ("adapter", "runtime", "wasm", "sandbox"):
        assert command in found.stdout
    assert found.stdout.rstrip().endswith("[]")
