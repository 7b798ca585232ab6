"""A command imports what it uses: the command line answers at once.

``gritwit --version`` and each ``--help`` import none of the commands' modules, and
``actor send``, ``actor query`` and ``actor list`` on a directory store import none of
the service, the Wasm host, the sandbox or the judge's harness: each of those cost the
command line about a second of CPU before it parsed its arguments (every command
imported them all).  The modules a command loads are read in a child process, as a user
runs it; CPU time is measured by the benchmarks, never asserted here.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit import wit
from gritwit._command_table import ALL
from gritwit_conformance.cli import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[2]

#: Packages no quick command may load: the service (uvicorn, starlette), the engines
#: (wasmtime, the sandbox), the judge's test machinery (pytest, hypothesis, jsonschema).
HEAVY = (
    "pytest",
    "hypothesis",
    "jsonschema",
    "uvicorn",
    "starlette",
    "httpx",
    "wasmtime",
    "gritwit.serve",
    "gritwit.wasm",
    "gritwit.sandbox",
    "gritwit_conformance.harness",
    "gritwit_conformance.plugin",
)

_LOADED = """
import json, sys
from gritwit_conformance.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as stop:
    status = stop.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(*argv: str) -> set[str]:
    """The modules a child process has loaded after running ``gritwit ARGV``."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True, timeout=120
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(
        name for name in modules for heavy in HEAVY if name == heavy or name.startswith(heavy + ".")
    )


#: What the top-level ``--version`` and ``--help`` need of the reference: its package,
#: the command table and the codec ``import gritwit`` exports; no runtime, no executor.
RUNNING = ("gritwit.runtime", "gritwit.wit._executor", "gritwit.console")


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_load_no_command(argv: list[str]) -> None:
    modules = loaded(*argv)
    assert heavy_in(modules) == [], f"gritwit {' '.join(argv)} loaded {heavy_in(modules)}"
    running = sorted(m for m in modules if m.startswith(RUNNING))
    assert running == [], f"gritwit {' '.join(argv)} loaded {running}"


@pytest.mark.parametrize(
    "argv", [["actor", "--help"], ["conform", "--help"], ["runtime", "--help"]]
)
def test_a_commands_help_loads_no_other_command(argv: list[str]) -> None:
    modules = loaded(*argv)
    assert heavy_in(modules) == [], f"gritwit {' '.join(argv)} loaded {heavy_in(modules)}"


def test_actor_send_query_and_list_load_no_engine_service_or_judge(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "gritwit",
            "actor",
            "create",
            "--store",
            store,
            "--create",
            "--test",
            "counter",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    actor = created.stdout.strip()
    for argv in (
        ["actor", "send", "--store", store, "--mt", "inc", actor, "1"],
        ["actor", "list", "--store", store],
        ["actor", "query", "--store", store, actor, "count"],
    ):
        modules = loaded(*argv)
        assert heavy_in(modules) == [], f"gritwit {' '.join(argv[:2])} loaded {heavy_in(modules)}"


def test_a_chosen_command_is_built_for_real_and_the_others_are_stand_ins() -> None:
    parser = build_parser("actor")
    (subparsers,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert subparsers.choices["actor"]._actions[1:], "actor has its verbs"
    stand_ins = [name for name, sub in subparsers.choices.items() if not sub._actions]
    assert sorted(stand_ins) == sorted(c.name for c in COMMANDS if c.name != "actor")


def test_each_summary_in_the_table_is_the_one_its_command_registers() -> None:
    """The top-level help lists the table's summaries; each command's own parser (built
    for real) must carry the same words, or ``--help`` would say one thing and the
    command another."""
    parser = build_parser(ALL)
    (subparsers,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {action.dest: action.help for action in subparsers._choices_actions}
    assert registered == {command.name: command.summary for command in COMMANDS}


def test_the_wit_packages_table_of_homes_names_what_its_type_imports_import() -> None:
    """``gritwit.wit`` imports a module when one of its names is first asked for; the
    table it reads (``_HOMES``) must agree with the imports type checkers read."""
    source = (REPO / "reference" / "gritwit" / "wit" / "__init__.py").read_text()
    guarded = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == wit._HOMES
    assert sorted(imported) == sorted(wit.__all__)
    for name, home in imported.items():
        assert getattr(wit, name) is getattr(
            __import__(f"gritwit.wit.{home}", fromlist=[name]), name
        )
