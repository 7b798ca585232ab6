"""Every shell command of ``README.md`` and ``docs/guide/*.md`` runs as written.

The commands are read out of the Markdown by ``guide_commands.py`` (beside this file;
its docstring gives the convention: ``sh``/``bash``/``shell``/``console`` blocks, and
the comments ``<!-- heavy: reason -->`` and ``<!-- not-run: reason -->`` before a
block).  Each block runs as one ``bash`` session, command after command, in a fresh
copy of the working tree (the files git tracks or would track, so no build products
and no reports of earlier runs), with the environment's ``bin`` directory first on
``PATH``.  A command must exit with status 0; in a ``console`` block it must also
print the output the page shows: exactly, but that a line ``...`` stands for any lines,
``...`` in a line for any text, and durations (``60.6 s``) may differ
(``guide_commands.output_matches``).  So a sample output on a page is a real run's,
checked on every run of its block (the long ones under ``heavy``).  Commands that are
not run are still parsed by the ``gritwit`` CLI's argument parser, and a ``tox -e ENV``
must name an environment of ``tox.ini``.

Installs are satisfied by the current environment, which the run never changes:
``python -m pip install ...`` (or ``pip install ...``) checks that the project and
the extras it names exist and that their requirements are installed, and ``npm ci``
checks that ``node_modules`` is there (the copy links the checkout's).  When
something is not installed here the block is skipped, saying what.

The ``python`` blocks of each page run as one program in an empty directory.  Blocks
marked ``heavy`` run only under the ``heavy`` marker; the rest must stay fast (about
15 s of CPU for all the guides today).  Commands that fail because the tool is wrong
are strict xfails in :data:`TOOL_BUGS` until it is fixed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import guide_commands as gc
import pytest

from gritwit_conformance.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
HELPER = Path(gc.__file__).resolve()

#: A block the default run executes must end within this; beyond it, mark it heavy.
FAST_TIMEOUT = 120.0
#: A heavy block must end within this.
HEAVY_TIMEOUT = 1800.0

#: Commands that fail because the tool (not the page) is wrong, with who fixes what.
#: Keyed by the command's text; the whole block is a strict xfail, so the fix shows.
TOOL_BUGS: dict[str, str] = {}


def _collect() -> tuple[list[gc.Block], list[gc.Problem]]:
    blocks: list[gc.Block] = []
    problems: list[gc.Problem] = []
    for path in gc.guide_files(ROOT):
        found, wrong = gc.parse_file(path, ROOT)
        blocks += found
        problems += wrong
    return blocks, problems


BLOCKS, PROBLEMS = _collect()


def _python_pages() -> dict[str, list[gc.Block]]:
    pages: dict[str, list[gc.Block]] = {}
    for path in gc.guide_files(ROOT):
        found, wrong = gc.parse_file(path, ROOT, python=True)
        PROBLEMS.extend(wrong)
        if found:
            pages[path.relative_to(ROOT).as_posix()] = found
    return pages


PYTHON_PAGES = _python_pages()


#: Blocks marked ``deep`` run only in the deep profile (and under ``heavy``).
DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"


def _marks(block: gc.Block) -> list[pytest.MarkDecorator]:
    marks = [pytest.mark.heavy] if block.mode in ("heavy", "deep") else []
    if block.mode == "deep" and not DEEP:
        marks.append(pytest.mark.skip(reason=f"GRITWIT_PROFILE=deep runs it: {block.reason}"))
    bugs = [TOOL_BUGS[c.text] for c in block.commands if c.text in TOOL_BUGS]
    if bugs:
        marks.append(pytest.mark.xfail(strict=True, reason="; ".join(bugs)))
    return marks


# -- running a block ---------------------------------------------------------------------


_PRELUDE = """\
__gritwit_check() {{ command "$__GRITWIT_PY" "$__GRITWIT_HELPER" "$@"; }}
python() {{
  if [ "${{1-}}" = -m ] && [ "${{2-}}" = pip ] && [ "${{3-}}" = install ]; then
    shift 3; __gritwit_check pip "$@"
  else command python "$@"; fi
}}
python3() {{ python "$@"; }}
pip() {{
  if [ "${{1-}}" = install ]; then shift; __gritwit_check pip "$@"; else command pip "$@"; fi
}}
npm() {{ if [ "${{1-}}" = ci ]; then __gritwit_check npm; else command npm "$@"; fi; }}
exec </dev/null
"""


def block_script(block: gc.Block, out: Path) -> str:
    """A bash script running ``block``'s commands in order, stopping at the first failure.

    Each command's output goes to ``out/N.out`` (and ``N.err``; a console command's
    stderr joins its stdout, as on a terminal), and ``out/current`` holds the index of
    the command running.  Every command's status is checked on its own, so a failure
    inside ``a && b`` is not lost the way ``set -e`` loses it.
    """
    parts = [_PRELUDE.format()]
    for index, command in enumerate(block.commands):
        err = "&1" if command.expected is not None else shlex.quote(str(out / f"{index}.err"))
        parts.append(
            f"echo {index} > {shlex.quote(str(out / 'current'))}\n"
            f"{{\n{command.text}\n}} > {shlex.quote(str(out / f'{index}.out'))} 2>{err}\n"
            "__status=$?; if [ $__status -ne 0 ]; then exit $__status; fi\n"
        )
    return "".join(parts)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["__GRITWIT_PY"] = sys.executable
    env["__GRITWIT_HELPER"] = str(HELPER)
    return env


def _tail(path: Path, lines: int = 30) -> str:
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _run_script(script: Path, work: Path, timeout: float) -> int | None:
    """Run ``script`` with bash in ``work``; its exit status, or None after killing its
    whole process group at the time-out (an adapter or a pytest worker it started too)."""
    proc = subprocess.Popen(
        ["bash", "--noprofile", "--norc", str(script)],
        cwd=work,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        # the whole session: after a time-out, and what a finished block left behind
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_block(block: gc.Block, work: Path, *, timeout: float) -> None:
    """Run ``block`` in ``work`` (a copy of the repository); fail or skip saying why."""
    out = Path(tempfile.mkdtemp(prefix="out-", dir=work.parent))
    script = out / "block.sh"
    script.write_text(block_script(block, out), encoding="utf-8")
    started = time.monotonic()
    status = _run_script(script, work, timeout)
    current = out / "current"
    index = int(current.read_text()) if current.is_file() else 0
    command = block.commands[index]
    where = f"{block.path}:{command.line}: `{command.text}`"
    if status is None:
        pytest.fail(
            f"{where} still running after {timeout:.0f} s"
            + ("; mark the block <!-- heavy: reason -->" if block.mode == "run" else "")
            + f"\n{_tail(out / f'{index}.out')}\n{_tail(out / f'{index}.err')}"
        )
    if status == gc.MISSING:
        pytest.skip(f"{where}: {_tail(out / f'{index}.err', 3)}")
    if status != 0:
        pytest.fail(
            f"{where} exited with status {status} after {time.monotonic() - started:.1f} s"
            f"\n--- stdout (tail)\n{_tail(out / f'{index}.out')}"
            f"\n--- stderr (tail)\n{_tail(out / f'{index}.err')}"
        )
    for index, command in enumerate(block.commands):
        if command.expected is None:
            continue
        shown = (out / f"{index}.out").read_text(encoding="utf-8", errors="replace")
        printed = "\n".join(line.rstrip() for line in shown.splitlines()).rstrip("\n")
        printed = printed + "\n" if printed else ""
        assert gc.output_matches(command.expected, printed), (
            f"{block.path}:{command.line}: `{command.text}` printed other than the page shows"
            f"\n--- printed (tail)\n{chr(10).join(printed.splitlines()[-40:])}"
        )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A fresh copy of the repository's working tree."""
    dest = tmp_path / "repo"
    dest.mkdir()
    gc.copy_tree(ROOT, dest)
    return dest


# -- the guides ------------------------------------------------------------------------


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    "block",
    [pytest.param(b, id=b.id, marks=_marks(b)) for b in BLOCKS if b.mode != "not-run"],
)
def test_guide_block_runs(block: gc.Block, work: Path, request: pytest.FixtureRequest) -> None:
    """The commands of one block of the README or a guide succeed, in a copy of the repo."""
    heavy = block.mode in ("heavy", "deep")
    if heavy and not _heavy_selected(request.config):
        pytest.skip("heavy: takes minutes; run with -m heavy")
    run_block(block, work, timeout=HEAVY_TIMEOUT if heavy else FAST_TIMEOUT)


def python_program(blocks: list[gc.Block]) -> str:
    """One program running ``blocks`` in order in one namespace; tracebacks name the page
    and the block (``docs/guide/python-api.md:20``, line numbers within the block)."""
    lines = ["namespace = {'__name__': '__main__'}"]
    for block in blocks:
        source = block.commands[0].text
        lines.append(f"exec(compile({source!r}, {block.id!r}, 'exec'), namespace)")
    return "\n".join(lines) + "\n"


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            page,
            id=page,
            marks=[pytest.mark.heavy] if any(b.mode in ("heavy", "deep") for b in blocks) else [],
        )
        for page, blocks in PYTHON_PAGES.items()
        if any(b.mode != "not-run" for b in blocks)
    ],
)
def test_guide_python_runs(page: str, tmp_path: Path) -> None:
    """The Python blocks of a guide run, in order, as one program, in an empty directory."""
    blocks = [b for b in PYTHON_PAGES[page] if b.mode != "not-run"]
    proc = subprocess.run(
        [sys.executable, "-c", python_program(blocks)],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=HEAVY_TIMEOUT if any(b.mode in ("heavy", "deep") for b in blocks) else FAST_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"{page}: its Python blocks fail\n{proc.stderr[-3000:]}"


def _heavy_selected(config: pytest.Config) -> bool:
    """Did the run ask for heavy tests (``-m heavy``, ``-m "heavy or ..."``)?"""
    expression = str(config.getoption("markexpr", "") or "")
    return bool(re.search(r"(?<!not )\bheavy\b", expression))


def _gritwit_invocations(text: str) -> list[list[str]]:
    """The argument lists of the ``gritwit`` commands in one shell command line."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True  # quoted text (a `python -c '...; ...'`) stays one word
    found: list[list[str]] = []
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token not in ("&&", "||", ";", "|", "&"):
            words.append(token)
            continue
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words = words[1:]  # VAR=value before the command
        if words[:1] == ["gritwit"]:
            found.append(words[1:])
        words = []
    return found


def _check_names(where: str, text: str) -> None:
    """``text`` names only ``gritwit`` subcommands and options, and tox envs, that exist."""
    for argv in _gritwit_invocations(text):
        try:
            build_parser().parse_args(argv)
        except SystemExit as exit_:
            if exit_.code == 0:  # --version, --help: argparse answers and exits 0
                continue
            pytest.fail(f"{where}: `{text}`: the gritwit CLI refuses it (exit {exit_})")
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    for env in re.findall(r"\btox\b.*?-e\s+([\w,-]+)", text):
        for name in env.split(","):
            assert f"[testenv:{name}]" in tox, f"{where}: `{text}`: tox.ini has no env {name}"


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_guide_commands_parse(block: gc.Block) -> None:
    """Every block, run or not, names only ``gritwit`` options and tox environments that exist."""
    for command in block.commands:
        _check_names(f"{block.path}:{command.line}", command.text)


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("path", gc.guide_files(ROOT), ids=lambda p: p.name)
def test_commands_named_in_prose_parse(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Inline ```gritwit ...``` and ```tox -e ...``` spans in the prose name what exists."""
    for line, text in gc.inline_commands(path.read_text(encoding="utf-8")):
        _check_names(f"{path.relative_to(ROOT)}:{line}", text)
    capsys.readouterr()  # argparse's usage message on a failure


@pytest.mark.req("CONV-005")
def test_every_shell_block_is_found_and_well_annotated() -> None:
    """The extractor sees every shell block a plain scan sees, and every annotation has a reason."""
    assert not PROBLEMS, "\n".join(map(str, PROBLEMS))
    fence = re.compile(r"^\s*(```|~~~)\s*(sh|bash|shell|console)\s*$", re.IGNORECASE)
    for path in gc.guide_files(ROOT):
        rel = path.relative_to(ROOT).as_posix()
        plain = sum(
            bool(fence.match(line)) for line in path.read_text(encoding="utf-8").splitlines()
        )
        assert plain == sum(b.path == rel for b in BLOCKS), rel
    assert {b.path for b in BLOCKS} >= {"README.md", "docs/guide/quickstart.md"}
    assert "docs/guide/python-api.md" in PYTHON_PAGES
    for block in BLOCKS:
        assert block.mode == "run" or block.reason, block.id


@pytest.mark.req("CONV-005")
def test_tool_bug_entries_name_commands_of_the_guides() -> None:
    """A fixed command text leaves its entry naming nothing: it must go."""
    texts = {c.text for b in BLOCKS for c in b.commands}
    assert not set(TOOL_BUGS) - texts, "stale TOOL_BUGS entries: remove them"


# -- the extractor and the runner, on made-up pages --------------------------------------

_PAGE = """\
# A page

```sh
python -m pip install -e .   # install
gritwit vectors verify \\
    --dir vectors
    # a comment line
```

<!-- heavy: takes minutes -->

```bash
gritwit conform -n 2
```

- in a list:

  ```console
  $ echo hi
  hi
  $ true
  ```

```python
print("not shell")
```

<!-- not-run: an hour -->
```sh
gritwit mutate
```

<!-- deep: repeats CI's asv step -->
```sh
asv run --quick
```
"""


@pytest.mark.req("CONV-005")
def test_the_extractor_reads_commands_continuations_console_output_and_annotations() -> None:
    blocks, problems = gc.parse_blocks(_PAGE, "page.md")
    assert problems == []
    assert [(b.line, b.language, b.mode, b.reason) for b in blocks] == [
        (3, "sh", "run", ""),
        (12, "bash", "heavy", "takes minutes"),
        (18, "console", "run", ""),
        (29, "sh", "not-run", "an hour"),
        (34, "sh", "deep", "repeats CI's asv step"),
    ]
    assert [(c.text, c.line) for c in blocks[0].commands] == [
        ("python -m pip install -e .   # install", 4),
        ("gritwit vectors verify --dir vectors", 5),
    ]
    assert [(c.text, c.line, c.expected) for c in blocks[2].commands] == [
        ("echo hi", 19, "hi\n"),
        ("true", 21, ""),
    ]
    python, problems = gc.parse_blocks(_PAGE, "page.md", python=True)
    assert problems == []
    assert [(b.line, b.commands[0].text) for b in python] == [(24, 'print("not shell")')]
    assert python_program(python).count("exec(compile(") == 1


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("<!-- heavy -->\n```sh\ntrue\n```\n", "heavy without a reason"),
        ("<!-- deep -->\n```sh\ntrue\n```\n", "deep without a reason"),
        ("<!-- not-run: x -->\n\ntext\n\n```sh\ntrue\n```\n", "annotation not on its own line"),
        ("```sh\n# only a comment\n```\n", "no command"),
        ("```console\noutput\n$ true\n```\n", "output before"),
        ("```sh\ncat <<EOF\nx\nEOF\n```\n", "here-documents"),
        ("```sh\necho \\\n```\n", "continuation"),
    ],
)
def test_the_extractor_refuses_what_it_cannot_run(page: str, message: str) -> None:
    _blocks, problems = gc.parse_blocks(page, "page.md")
    assert any(message in p.message for p in problems), problems


def _block(*commands: str, expected: str | None = None) -> gc.Block:
    return gc.Block(
        path="page.md",
        line=1,
        language="sh" if expected is None else "console",
        commands=tuple(
            gc.Command(text=c, line=2 + i, expected=expected) for i, c in enumerate(commands)
        ),
    )


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    "commands",
    [
        ("false && echo never",),  # set -e would not stop here
        ("true", "exit 3"),
        ("cd conformance", "test -f pyproject.toml"),  # cd carries to the next command
        ("python -m pip install -e '.[no-such-extra]'",),
        ("npm ci",),  # no package-lock.json at the root
        ("gritwit no-such-command",),
    ],
)
def test_the_runner_fails_a_failing_command(commands: tuple[str, ...], tmp_path: Path) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (work / "conformance").mkdir()
    with pytest.raises(pytest.fail.Exception, match=r"page\.md:\d+: `.*` exited with status"):
        run_block(_block(*commands), work, timeout=60)


@pytest.mark.req("CONV-005")
def test_the_runner_passes_installs_the_environment_has_and_checks_console_output(
    tmp_path: Path,
) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    run_block(_block("python -m pip install -e '.[test]' && cd . && echo ok"), work, timeout=60)
    run_block(_block("echo hi", expected="hi\n"), tmp_path / "repo", timeout=60)
    with pytest.raises(AssertionError, match="printed other than"):
        run_block(_block("echo ho", expected="hi\n"), work, timeout=60)


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    ("expected", "printed", "matches"),
    [
        ("a\nb\n", "a\nb\n", True),
        ("a\nb\n", "a\nc\n", False),
        ("...\nsummary\n", "progress 1\nprogress 2\nsummary\n", True),
        ("...\nsummary\n", "summary\n", True),  # ... is any lines, none too
        ("...\nsummary\n", "summary\nmore\n", False),  # the rest must still match
        ("head\n...\ntail\n", "head\nx\ny\ntail\n", True),
        ("run, 60.6 s\n", "run, 71.0 s\n", True),  # durations differ from run to run
        ("run, 60.6 s\n", "run, 71.0 ms\n", False),
        ("2840 tests\n", "2841 tests\n", False),  # counts do not
        ("/.../vectors:\n", "/tmp/x/repo/vectors:\n", True),  # ... inside a line
        ("/.../vectors:\n", "/tmp/x/repo/vectors:\nmore\n", False),
        ("a ... b\n", "a x\ny b\n", False),  # ... inside a line stays on it
        ("gritwit 0.4.0.devN\n", "gritwit 0.4.0.dev117\n", True),  # computed (CONV-003.8)
        ("gritwit 0.4.0.devN\n", "gritwit 0.4.0.dev117+t0123456789ab\n", True),  # its label too
        ("gritwit 0.4.0.devN\n", "gritwit 0.5.0.dev117\n", False),  # the release is compared
        ("gritwit 0.4.0.devN\n", "gritwit 0.4.0\n", False),  # a release is no devN
        ("gritwit 0.4.0.dev3\n", "gritwit 0.4.0.dev4\n", False),  # a written number is
    ],
)
def test_console_output_matches_exactly_but_for_ellipses_and_durations(
    expected: str, printed: str, matches: bool
) -> None:
    assert gc.output_matches(expected, printed) is matches


@pytest.mark.req("CONV-005")
def test_the_install_check_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\ndependencies = ["pytest"]\n'
        '[project.optional-dependencies]\nmore = ["no-such-distribution-x>=1"]\n'
        'all = ["demo[more]"]\n'
    )
    status, message = gc.check_pip_install(["-e", ".[all]"], tmp_path)
    assert status == gc.MISSING
    assert "no-such-distribution-x>=1" in message
    assert "demo" in message  # the project itself is not installed either
    assert gc.check_pip_install(["-e", ".[nope]"], tmp_path)[0] == 2
    assert gc.check_pip_install(["pytest>=1"], tmp_path) == (0, "")
    assert gc.check_pip_install(["pytest<1"], tmp_path)[0] == gc.MISSING


@pytest.mark.req("CONV-005")
def test_the_name_check_refuses_unknown_options_and_tox_envs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = "Run `gritwit conform --no-such-option` or `X=1 tox -e nope`, not `gritwit.cli`.\n"
    spans = gc.inline_commands(page + "```sh\ngritwit trace\n```\n")
    assert spans == [(1, "gritwit conform --no-such-option"), (1, "X=1 tox -e nope")]
    with pytest.raises(pytest.fail.Exception, match="refuses"):
        _check_names("page.md:1", spans[0][1])
    with pytest.raises(AssertionError, match="no env nope"):
        _check_names("page.md:1", spans[1][1])
    _check_names("page.md:1", "GRITWIT_PROFILE=deep gritwit mutate --sample 3 && tox -e trace")
    assert _gritwit_invocations(
        """export X="$(python -c 'import a; print(a)')"; gritwit trace | cat && gritwit x"""
    ) == [["trace"], ["x"]]
    capsys.readouterr()


@pytest.mark.req("CONV-005")
def test_a_deep_block_is_heavy_and_skipped_outside_the_deep_profile() -> None:
    block = gc.Block(path="page.md", line=1, language="sh", commands=(), mode="deep", reason="r")
    names = [m.name for m in _marks(block)]
    assert "heavy" in names
    assert ("skip" in names) != DEEP
    heavy = gc.Block(path="page.md", line=1, language="sh", commands=(), mode="heavy", reason="r")
    assert [m.name for m in _marks(heavy)] == ["heavy"]
