"""The shell commands of the README and the guides, read out of their Markdown.

A *runnable block* is a fenced code block whose info string is ``sh``, ``bash``,
``shell`` or ``console``.  In ``sh``/``bash``/``shell`` blocks every line is a command
(a trailing ``\\`` continues it on the next line; blank lines and lines that are only
a ``#`` comment are skipped).  In ``console`` blocks a line ``$ command`` is a
command and the lines after it, up to the next ``$``, are its expected output.

One HTML comment on the line before the fence (blank lines between are allowed) says
how a block runs; each needs a reason after the colon:

``<!-- heavy: reason -->``
    the block takes more than a few seconds: it runs only under the ``heavy`` marker;
``<!-- deep: reason -->``
    the block takes minutes and repeats what another check runs anyway (an ``asv`` run
    CI's asv step makes too, a conformance run a test makes): it runs only under the
    ``heavy`` marker with ``GRITWIT_PROFILE=deep``;
``<!-- not-run: reason -->``
    the block is never executed (a run of an hour, a network install, the test suite
    itself); use sparingly.  Its ``gritwit`` commands are still checked against the
    CLI's argument parser.

A ``console`` block's output is compared with what the command prints (its stderr
joined to its stdout), exactly but for two allowances, so that a sample output can be
the real output of a real run: a line that is only ``...`` stands for any lines (none
too), and ``...`` inside a line for any text on that line; and the number of a
duration (``60.6 s``, ``0.4s``) may differ (:func:`output_matches`).

A block without a comment runs in the default test run.  The shell blocks of a page do
not share a shell or a directory: a command that needs the output of another goes in
the same block.  The ``python`` blocks of a page run too, in order, as one program (a
later block uses the names an earlier one defined), in an empty temporary directory;
the same comments apply to them.  ``test_guide_commands.py`` runs what this finds.

Installs are taken as done by the environment the tests run in, so that running the
guides never changes it: :func:`check_pip_install` and :func:`check_npm_ci` stand in
for ``pip install`` and ``npm ci`` (the shell calls them through this file's
``__main__``) and check that what those would install is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MISSING",
    "PYTHON_LANGUAGES",
    "SHELL_LANGUAGES",
    "Block",
    "Command",
    "Problem",
    "check_npm_ci",
    "check_pip_install",
    "copy_tree",
    "guide_files",
    "inline_commands",
    "output_matches",
    "parse_blocks",
    "parse_file",
]

#: Info strings of the fenced blocks whose commands run.
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "console"})
#: Info strings of the Python blocks, which run as one program per page.
PYTHON_LANGUAGES = frozenset({"python", "py"})
#: How a block runs.
MODES = ("run", "heavy", "deep", "not-run")

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_ANNOTATION = re.compile(
    r"^\s*<!--\s*(?P<mode>heavy|deep|not-run)\s*(?::\s*(?P<reason>.*?))?\s*-->\s*$"
)
_ANY_ANNOTATION = re.compile(r"<!--\s*(heavy|deep|not-run)\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One command as the reader types it; ``expected`` is the output a console block shows."""

    text: str
    line: int
    expected: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """One runnable fenced block of one Markdown file (``path`` relative to the root)."""

    path: str
    line: int
    language: str
    commands: tuple[Command, ...]
    mode: str = "run"
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """A block or annotation this module cannot make sense of."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def guide_files(root: Path) -> list[Path]:
    """The pages whose commands must run: ``README.md``, the contributors' pages
    ``docs/contributing.md`` and ``docs/evidence.md``, and ``docs/guide/*.md``."""
    return [
        root / "README.md",
        root / "docs" / "contributing.md",
        root / "docs" / "evidence.md",
        *sorted((root / "docs" / "guide").glob("*.md")),
    ]


def parse_file(
    path: Path, root: Path, *, python: bool = False
) -> tuple[list[Block], list[Problem]]:
    """The runnable blocks of one file, and what is wrong with its annotations."""
    text = path.read_text(encoding="utf-8")
    return parse_blocks(text, path.relative_to(root).as_posix(), python=python)


def parse_blocks(
    text: str, path: str, *, python: bool = False
) -> tuple[list[Block], list[Problem]]:
    """The runnable shell blocks of Markdown ``text`` (its Python blocks if ``python``),
    and what is wrong with its annotations.

    A Python block becomes a :class:`Block` with one command, its whole source.
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    problems: list[Problem] = []
    used_annotations: set[int] = set()
    for start, info, body in _fences(lines):
        language = info.split()[0].lower() if info.split() else ""
        if language not in SHELL_LANGUAGES | PYTHON_LANGUAGES:
            continue
        if (language in PYTHON_LANGUAGES) != python:
            at = _annotation_line(lines, start)
            if at is not None:
                used_annotations.add(at)  # checked when the other kind is parsed
            continue
        mode, reason, at = "run", "", _annotation_line(lines, start)
        if at is not None:
            used_annotations.add(at)
            match = _ANNOTATION.match(lines[at])
            assert match is not None
            mode, reason = match["mode"], (match["reason"] or "").strip()
            if not reason:
                problems.append(Problem(path=path, line=at + 1, message=f"{mode} without a reason"))
        try:
            if python:
                commands = [Command(text="\n".join(body), line=start + 2)]
            elif language == "console":
                commands = _console(body, start + 2)
            else:
                commands = _shell(body, start + 2)
        except ValueError as error:
            problems.append(Problem(path=path, line=start + 1, message=str(error)))
            continue
        if not commands:
            problems.append(
                Problem(path=path, line=start + 1, message="a shell block with no command")
            )
            continue
        blocks.append(
            Block(
                path=path,
                line=start + 1,
                language=language,
                commands=tuple(commands),
                mode=mode,
                reason=reason,
            )
        )
    for number, line in enumerate(lines):
        if python:
            break  # the shell pass reports these, once
        if _ANY_ANNOTATION.search(line) and number not in used_annotations:
            problems.append(
                Problem(
                    path=path,
                    line=number + 1,
                    message="annotation not on its own line right before a shell or Python block",
                )
            )
    return blocks, problems


#: The number of a duration in printed output: "60.6 s", "0.4s" (not "3 steps").
_DURATION = re.compile(r"\b\d+(?:\.\d+)?(?= ?s\b)")
#: What a line ``...`` of expected output stands for: any lines, none included.
_ANY_LINES = "(?:[^\n]*\n)*?"


_DEVELOPMENT = re.compile(r"\b(\d+\.\d+\.\d+)\.dev\d+(?:\+t[0-9a-f]{12})?\b")


def output_matches(expected: str, printed: str) -> bool:
    """Does ``printed`` match the ``expected`` output of a console block?

    Both end with a newline (or are empty).  A line of ``expected`` that is only
    ``...`` matches any lines, ``...`` within a line any text on that line, and the
    numbers of durations and of development versions (``0.4.0.devN``) are not compared.
    """
    expected, printed = _DURATION.sub("0", expected), _DURATION.sub("0", printed)
    # a development version's number and its text's label are computed from spec/
    # (CONV-003.8): the guides write it X.Y.Z.devN, which matches any number and label
    printed = _DEVELOPMENT.sub(r"\1.devN", printed)
    if "..." not in expected:
        return printed == expected
    parts = []
    for line in expected.splitlines():
        if line.strip() == "...":
            parts.append(_ANY_LINES)
        else:
            parts.append("[^\n]*?".join(map(re.escape, line.split("..."))) + "\n")
    return re.fullmatch("".join(parts), printed) is not None


def inline_commands(text: str) -> list[tuple[int, str]]:
    """(line, text) of the inline code spans outside fenced blocks that are ``gritwit``
    or ``tox`` commands (after ``VAR=value`` prefixes): prose that names a command."""
    lines = text.splitlines()
    fenced: set[int] = set()
    for start, _info, body in _fences(lines):
        fenced.update(range(start, start + len(body) + 2))
    found = []
    for number, line in enumerate(lines):
        if number in fenced:
            continue
        for match in re.finditer(r"`([^`]+)`", line):
            span = match.group(1).strip()
            if re.match(r"(?:[A-Za-z_]\w*=\S+\s+)*(?:gritwit|tox)\s+\S", span):
                found.append((number + 1, span))
    return found


def _fences(lines: list[str]) -> Iterator[tuple[int, str, list[str]]]:
    """(index of the opening fence, info string, body lines without the fence's indent)."""
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        body = [_dedent(line, indent) for line in lines[index + 1 : end]]
        yield index, match["info"].strip(), body
        index = end + 1


def _dedent(line: str, indent: int) -> str:
    """``line`` without up to ``indent`` leading spaces (a fence inside a list item)."""
    width = len(line) - len(line.lstrip(" "))
    return line[min(width, indent) :]


def _annotation_line(lines: list[str], fence: int) -> int | None:
    """The index of the annotation comment that governs the block opening at ``fence``."""
    index = fence - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index >= 0 and _ANNOTATION.match(lines[index]):
        return index
    return None


def _joined(body: list[str], first_line: int) -> Iterator[tuple[int, str]]:
    """Logical lines: ``\\``-continued physical lines joined, with the number of the first."""
    pending: list[str] = []
    start = first_line
    for offset, raw in enumerate(body):
        if not pending:
            start = first_line + offset
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped.strip() if pending else stripped)
        yield start, " ".join(part.strip() for part in pending if part.strip())
        pending = []
    if pending:
        raise ValueError(f"line {start}: a command ends with a continuation backslash")


def _shell(body: list[str], first_line: int) -> list[Command]:
    commands = []
    for line, text in _joined(body, first_line):
        if not text or text.startswith("#"):
            continue
        if "<<" in text.replace("<<<", ""):
            raise ValueError(f"line {line}: here-documents are not supported in runnable blocks")
        commands.append(Command(text=text, line=line))
    return commands


def _console(body: list[str], first_line: int) -> list[Command]:
    commands: list[Command] = []
    text: str | None = None
    line = first_line
    output: list[str] = []

    def finish() -> None:
        if text is not None:
            expected = "\n".join(output).rstrip("\n")
            commands.append(
                Command(text=text, line=line, expected=expected + "\n" if expected else "")
            )

    for offset, raw in enumerate(body):
        if raw.startswith("$ ") or raw.rstrip() == "$":
            finish()
            text, line, output = raw[1:].strip(), first_line + offset, []
            if text.endswith("\\"):
                raise ValueError(f"line {line}: continue a console command on one line")
        elif text is None:
            if raw.strip():
                raise ValueError(
                    f"line {first_line + offset}: console output before any '$ ' command"
                )
        else:
            output.append(raw.rstrip())
    finish()
    return commands


# -- a copy of the repository ----------------------------------------------------------

#: Directories of the checkout linked into each copy rather than copied (installed
#: by a step the guides take as done, ignored by git).
LINKED = ("conformance/adapters/node/node_modules",)


def copy_tree(source: Path, dest: Path) -> None:
    """The working tree of ``source`` as a fresh clone plus uncommitted edits would have it."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:  # not a git checkout (an unpacked archive): copy it all
        shutil.copytree(source, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
        return
    for name in listing.stdout.decode().split("\0"):
        origin = source / name
        if not name or not origin.is_file():
            continue  # deleted in the working tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)
    for name in LINKED:
        if (source / name).is_dir() and not (dest / name).exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).symlink_to(source / name, target_is_directory=True)


# -- installs, taken as done by the environment ------------------------------------------

#: Exit status of the install check when the environment lacks something: the test skips.
MISSING = 77


def check_pip_install(args: list[str], cwd: Path) -> tuple[int, str]:
    """Is ``pip install ARGS``, run in ``cwd``, already satisfied by this environment?

    ``-e PATH[extras]`` and ``PATH[extras]`` name a project: its ``pyproject.toml``
    must exist and define each extra, and its dependencies and those extras'
    requirements must be installed at versions they allow.  A bare requirement
    (``asv>=0.6``) must be installed.  Returns (status, message): 0 when satisfied,
    :data:`MISSING` when something is not installed here, 2 when the command is wrong
    (a path without a project, an extra the project does not define).
    """
    targets: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
            targets.append(arg)
        elif arg in ("-e", "--editable"):
            skip_next = True
        elif arg.startswith("-"):
            if arg in ("-r", "--requirement", "-c", "--constraint"):
                return 2, f"pip install {arg} is not supported by the guide check"
        else:
            targets.append(arg)
    if not targets:
        return 2, "pip install with nothing to install"
    missing: list[str] = []
    for target in targets:
        path, extras = _split_extras(target)
        if path.startswith((".", "/")):
            status, message = _project_requirements(cwd / path, extras)
            if status:
                return status, message
            # the project itself (its name comes first) and what it requires
            missing.extend(_unsatisfied(message.split("\n")))
        else:
            missing.extend(_unsatisfied([target]))
    if missing:
        return MISSING, "not installed here (pip install would fetch them): " + ", ".join(missing)
    return 0, ""


def _split_extras(target: str) -> tuple[str, list[str]]:
    match = re.fullmatch(r"(?P<path>[^\[]+)(?:\[(?P<extras>[^\]]*)\])?", target.strip())
    if match is None:
        return target, []
    extras = [e.strip() for e in (match["extras"] or "").split(",") if e.strip()]
    return match["path"], extras


def _project_requirements(path: Path, extras: list[str]) -> tuple[int, str]:
    """(0, requirements one a line) of the project at ``path`` with ``extras``; or an error."""
    import tomllib

    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        return 2, f"no pyproject.toml in {path}"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    name = str(project.get("name", ""))
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    wanted = list(project.get("dependencies", []))
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in optional:
            return 2, f"{name} defines no extra {extra!r} (it has {', '.join(sorted(optional))})"
        for requirement in optional[extra]:
            own, more = _split_extras(requirement)
            if own.strip() == name:
                todo.extend(more)
            else:
                wanted.append(requirement)
    return 0, "\n".join([name, *wanted])


def _unsatisfied(requirements: list[str]) -> list[str]:
    from importlib import metadata

    from packaging.requirements import Requirement

    missing = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(str(requirement))
            continue
        if version not in requirement.specifier.filter([version], prereleases=True):
            missing.append(f"{requirement} (found {version})")
    return missing


def check_npm_ci(cwd: Path) -> tuple[int, str]:
    """Is ``npm ci`` in ``cwd`` already done: a lock file, and its ``node_modules`` present?"""
    if not (cwd / "package-lock.json").is_file():
        return 2, f"npm ci: no package-lock.json in {cwd}"
    if not (cwd / "node_modules").is_dir():
        return MISSING, f"npm ci has not been run in {cwd} (node_modules is missing)"
    return 0, ""


def _main(argv: list[str]) -> int:
    """``python guide_commands.py pip ARGS...`` or ``... npm``: the checks, for the shell."""
    import sys

    if argv[:1] == ["pip"]:
        status, message = check_pip_install(argv[1:], Path.cwd())
    elif argv[:1] == ["npm"]:
        status, message = check_npm_ci(Path.cwd())
    else:
        status, message = 2, f"unknown check {argv[:1]}"
    if message:
        print(message, file=sys.stderr)
    return status


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
