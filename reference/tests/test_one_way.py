"""The judged never imports the judge: ``gritwit`` loads no ``gritwit_conformance``.

``lint-imports`` checks the same statically (pyproject.toml's import contracts); this
test checks it at run time, in a fresh interpreter, for every module of the package,
and that the deprecated aliases of the judge's modules and ``python -m gritwit``'s forward
of the judge's commands, removed after 0.3.0, are gone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: The deprecated aliases of the judge's modules that 0.2.0 and 0.3.0 kept: removed.
REMOVED = ("gritwit.cli", "gritwit.report", "gritwit.vectors")


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
        """
        import importlib, json, pkgutil, sys
        import gritwit
        lean = sorted(m for m in sys.modules if m.split(".")[0] == "wasmtime")
        names = sorted(
            info.name
            for info in pkgutil.walk_packages(gritwit.__path__, "gritwit.")
            if info.name != "gritwit.__main__"
        )
        for name in names:
            importlib.import_module(name)
        judge = sorted(m for m in sys.modules if m.split(".")[0] == "gritwit_conformance")
        print(json.dumps({"modules": names, "judge": judge, "wasmtime": lean}))
        """
    )
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert len(result["modules"]) > 60  # every module, subpackages included
    assert "gritwit.sandbox._run" in result["modules"]
    assert result["judge"] == []
    assert result["wasmtime"] == []  # `import gritwit` alone leaves wasmtime unloaded


@pytest.mark.parametrize("name", REMOVED)
def test_a_moved_modules_alias_is_gone(name: str) -> None:
    """Only the judge has it: the reference has no module importing the judge's."""
    moved = name.replace("gritwit.", "gritwit_conformance.")
    found = _run(
        f"""
        import importlib.util, pathlib, gritwit
        assert importlib.util.find_spec({moved!r}) is not None
        home = pathlib.Path(gritwit.__file__).parent
        print(sorted(p.name for p in home.iterdir() if p.stem == {name.split(".")[1]!r}))
        """
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]", f"the reference has {name} again"


def test_python_m_gritwit_no_longer_forwards_the_judges_commands() -> None:
    """``python -m gritwit trace`` was forwarded to the judge for 0.3.0 only: now refused."""
    found = subprocess.run(
        [sys.executable, "-m", "gritwit", "trace", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert found.returncode == 2, found.stdout + found.stderr
    assert "invalid choice: 'trace'" in found.stderr
    assert "usage: gritwit trace" not in found.stdout


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
