"""Every count the README and the guides give is checked against what it counts.

A count typed once goes stale the day something is added: a wrong adapter, a clause, a
module of the Node adapter.  Each count of ``README.md``, ``docs/contributing.md``,
``docs/evidence.md`` and ``docs/guide/*.md`` is a
:class:`Claim` below: a pattern that must match the page exactly once (a rewritten
sentence fails the test instead of escaping it) and a function that computes, from the
repository, the numbers the pattern captures.  Counts of a set that grows (tests, wrong
adapters, mutants, lines) are written "about N" and checked within a tolerance; counts
of a committed record (the mutation baseline, the open-loop score) must be exact.
:func:`test_every_count_of_the_pages_is_a_claim` finds the numbers followed by what
they count (``48 wrong adapters``, ``about 5,400 lines``) and fails on one no claim
covers, so a new count cannot be typed in unchecked.

The README's chapter list is checked against ``spec/`` the same way: every chapter
file, in order, with its title.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "conformance" / "adapters" / "node"
MUTATION = ROOT / "conformance" / "mutation"

Numbers = tuple[float, ...]


@dataclass(frozen=True)
class Claim:
    """Numbers a page states, and where they come from."""

    name: str
    page: str
    #: Matches the page exactly once (whitespace in it matches any run of whitespace);
    #: each group captures one number (``6,400``, ``97.3``).
    pattern: str
    #: What each group must be, in order.
    actual: Callable[[], Numbers]
    #: How far a stated number may be from the actual one, relative (0: exact).
    tolerance: float = 0.0

    def regex(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"(?:\\ |\s)+", r"\\s+", self.pattern))


# -- what the counts count ---------------------------------------------------------------


#: Run in a fresh interpreter: collects the README's test run (``python -m pytest``, so
#: not the heavy tests) and prints its size and the chapters its smoke tests cite.
_COLLECT = """
import json, pytest
from pathlib import Path
from gritwit_conformance.trace import collect_definitions

defined, _ = collect_definitions(Path("spec"))
found, count = set(), []

class Chapters:
    def pytest_collection_finish(self, session):
        count.append(len(session.items))
        for item in session.items:
            if item.get_closest_marker("smoke") is None:
                continue
            for mark in item.iter_markers("req"):
                for rid in mark.args:
                    found.add(defined.get(rid) or defined.get(rid.split(".")[0], "?" + rid))

pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[Chapters()])
print(json.dumps({"count": count[0], "smoke_chapters": sorted(found)}))
"""


@cache
def collection() -> dict[str, object]:
    """The default test run's size and the spec chapters its ``smoke`` tests cite."""
    proc = subprocess.run(
        [sys.executable, "-c", _COLLECT],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stdout[-2000:] + proc.stderr[-2000:]
    found: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def collected_tests() -> int:
    count = collection()["count"]
    assert isinstance(count, int)
    return count


@cache
def mutants_per_group() -> dict[str, int]:
    from gritwit_conformance.mutate._groups import GROUPS
    from gritwit_conformance.mutate._run import collect_mutants

    return {group: len(collect_mutants([group])) for group in GROUPS}


@cache
def baseline() -> dict[str, object]:
    document: dict[str, object] = json.loads((MUTATION / "baseline.json").read_text())
    return document


def _tally(group: str | None = None) -> dict[str, float]:
    if group is None:
        total = baseline()["total"]
        assert isinstance(total, dict)
        return total
    groups = baseline()["groups"]
    assert isinstance(groups, dict)
    tally: dict[str, float] = groups[group]
    return tally


@cache
def open_loop() -> dict[str, object]:
    record: dict[str, object] = json.loads((MUTATION / "open-loop-first.json").read_text())
    return record


def _fraction(text: object) -> Numbers:
    numerator, _, denominator = str(text).partition("/")
    return float(numerator), float(denominator)


def wrong_adapters() -> tuple[int, int]:
    """(hand-written, open-loop) entries of ``gritwit_conformance.wrong.WRONG``."""
    from gritwit_conformance.wrong import WRONG

    opened = sum(name.startswith("open_") for name in WRONG)
    return len(WRONG) - opened, opened


def http_wrong_servers() -> int:
    """Entries of ``gritwit_conformance.wrong.WRONG`` for the ``http`` profile."""
    from gritwit_conformance.wrong import WRONG

    return sum("http" in entry.profiles for entry in WRONG.values())


def http_heavy() -> int:
    """The http profile's wrong servers CI's heavy step runs (``HTTP_HEAVY`` of
    conformance/tests/test_wrong_adapters.py); the rest run under the deep profile."""
    text = (ROOT / "conformance" / "tests" / "test_wrong_adapters.py").read_text(encoding="utf-8")
    found = re.search(r"HTTP_HEAVY = frozenset\(\s*\{(.*?)\}", text, re.S)
    assert found, "test_wrong_adapters.py no longer names HTTP_HEAVY"
    return len(re.findall(r'"(\w+)"', found.group(1)))


def caught_at_first() -> int:
    adapters = open_loop()["adapters"]
    assert isinstance(adapters, dict)
    return sum(bool(row["as_run"]) for row in adapters.values())


def node_modules() -> list[Path]:
    """The Node adapter's own JavaScript modules (not its dependencies)."""
    return sorted(p for p in NODE.glob("*.mjs") if p.is_file())


def node_lines() -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in node_modules())


def input_clauses() -> int:
    with (ROOT / "conformance" / "inputs.toml").open("rb") as file:
        return len(tomllib.load(file)["clause"])


def ci_sample() -> int:
    found = re.search(r"gritwit mutate --sample (\d+)", (ROOT / ".ci" / "run").read_text())
    assert found, ".ci/run runs no mutation sample"
    return int(found.group(1))


def hypothesis_examples() -> tuple[int, int]:
    """max_examples of the ``deep`` and ``ci`` hypothesis profiles (reference/tests/conftest.py)."""
    from hypothesis import settings

    return settings.get_profile("deep").max_examples, settings.get_profile("ci").max_examples


def kills(module: str) -> tuple[int, int]:
    """(deep, ci) SIGKILLs of one crash test module, as its ``sized(...)`` call sets them."""
    text = (ROOT / "reference" / "tests" / module).read_text(encoding="utf-8")
    found = re.search(r"KILLS = sized\([^)]*ci=(\d+), deep=(\d+)\)", text)
    assert found, f"{module}: no KILLS = sized(..., ci=N, deep=M)"
    return int(found.group(2)), int(found.group(1))


def _kill_counts() -> tuple[int, int, int]:
    """SIGKILLs of each crash test under ``deep``, and of the store's and the runtime's in CI."""
    store, runtime = kills("test_store_crash.py"), kills("test_runtime_crash.py")
    assert store[0] == runtime[0], "the pages say both crash tests kill as often under deep"
    return store[0], store[1], runtime[1]


def _per_chapter() -> Numbers:
    chapters = open_loop()["per_chapter"]
    assert isinstance(chapters, dict)
    order = ("codec", "store", "protocol", "wit", "runtime", "wasm", "sandbox")
    assert set(chapters) == set(order), "the evidence page lists these chapters of the open loop"
    return tuple(n for name in order for n in _fraction(chapters[name]["tests_alone"]))


def _group_scores() -> Numbers:
    groups = ("codec", "wasm", "store", "wit", "runtime", "sandbox", "life")
    return tuple(_tally(g)["score"] for g in groups)


def _unjudged_figures() -> Numbers:
    """(unjudged in all, all mutants): conformance/mutation/unjudged.toml allows exactly
    the counts left when verdicts were last written."""
    import tomllib

    allowed = tomllib.loads((ROOT / "conformance/mutation/unjudged.toml").read_text("utf-8"))
    counts = allowed["allowance"]
    return sum(counts.values()), sum(mutants_per_group().values())


#: How an equivalent record's reason begins, for each kind the mutation guide names.
_KINDS = {
    "same": "same behaviour",
    "unobservable": "unobservable",
    "outside": "not equivalent",
}


@cache
def _equivalent_kinds() -> dict[str, int]:
    """Equivalent records of mutants that exist, by the kind their reason begins with
    (``other``: an older record worded otherwise)."""
    from gritwit_conformance.mutate._groups import GROUPS
    from gritwit_conformance.mutate._run import collect_mutants, load_equivalent

    ids = {m.id for m in collect_mutants(tuple(GROUPS))}
    listed = load_equivalent(MUTATION / "equivalent.toml")
    kinds = dict.fromkeys([*_KINDS, "other"], 0)
    for mutant, reason in listed.items():
        if mutant in ids:
            kind = next((k for k, start in _KINDS.items() if reason.startswith(start)), "other")
            kinds[kind] += 1
    return kinds


def _caught_counting_outside() -> Numbers:
    """(detected, detected and outside the suite, the score counting those as misses)."""
    detected = _tally()["killed"] + _tally()["timeout"]
    judged = _tally()["mutants"] - _tally()["equivalent"] + _equivalent_kinds()["outside"]
    return detected, judged, round(100 * detected / judged, 1)


def _weakest_module() -> Numbers:
    """(floor to 10 %, the weakest module's score): "every module at least 90 %, the
    weakest … (`store/_store.py`, 92.0 %"; the module it names is checked too."""
    modules = baseline()["modules"]
    assert isinstance(modules, dict)
    weakest = min(float(score) for score in modules.values())
    return math.floor(weakest / 10) * 10, weakest


def _weakest_module_name() -> str:
    modules = baseline()["modules"]
    assert isinstance(modules, dict)
    return min(modules, key=lambda m: float(modules[m]))


def _hung_after() -> int:
    """Time-outs in a row that declare an adapter hung (ADP-012.5)."""
    from gritwit_conformance.harness._state import HUNG_AFTER

    return HUNG_AFTER


CLAIMS = [
    Claim(
        "contributing-tests",
        "docs/contributing.md",
        r"\(about ([\d,]+) tests\)",
        lambda: (collected_tests(),),
        0.1,
    ),
    Claim(
        "contributing-open-loop-runs",
        "docs/contributing.md",
        r"of the (\d+) open-loop ones, the (\d+) the suite first missed; the (\d+) it caught",
        lambda: (
            wrong_adapters()[1],
            wrong_adapters()[1] - caught_at_first(),
            caught_at_first(),
        ),
    ),
    Claim(
        "contributing-http-wrong-servers",
        "docs/contributing.md",
        r"so do (\d+) of the http profile's (\d+) wrong servers",
        lambda: (http_wrong_servers() - http_heavy(), http_wrong_servers()),
    ),
    Claim(
        "evidence-mutants",
        "docs/evidence.md",
        r"\(about ([\d,]+) \*mutants\*",
        lambda: (sum(mutants_per_group().values()),),
        0.1,
    ),
    Claim(
        "evidence-unjudged",
        "docs/evidence.md",
        r"they were ([\d,]+) of ([\d,]+) mutants",
        _unjudged_figures,
    ),
    Claim(
        "evidence-equivalent-kinds",
        "docs/evidence.md",
        r"([\d,]+) change no answer \(the \*same behaviour\*\), ([\d,]+) change only what no "
        r"adapter command reaches",
        lambda: (_equivalent_kinds()["same"], _equivalent_kinds()["unobservable"]),
    ),
    Claim(
        "evidence-outside",
        "docs/evidence.md",
        r"([\d,]+) are \*\*not equivalent but outside the suite\*\*",
        lambda: (_equivalent_kinds()["outside"],),
    ),
    Claim(
        "evidence-other-reasons",
        "docs/evidence.md",
        r"([\d,]+) older records give their reason in other words",
        lambda: (_equivalent_kinds()["other"],),
    ),
    Claim(
        "evidence-counting-outside",
        "docs/evidence.md",
        r"catches \*\*([\d,]+) of ([\d,]+) \(([\d.]+) %\)\*\*",
        _caught_counting_outside,
    ),
    Claim(
        "evidence-baseline",
        "docs/evidence.md",
        r"\(([\d,]+) mutants, ([\d,]+) of them listed as equivalent",
        lambda: (_tally()["mutants"], _tally()["equivalent"]),
    ),
    Claim(
        "evidence-score",
        "docs/evidence.md",
        r"\*\*([\d.]+) % of the mutants",
        lambda: (_tally()["score"],),
    ),
    Claim(
        "evidence-group-scores",
        "docs/evidence.md",
        r"codec ([\d.]+) %, Wasm ([\d.]+) %, store ([\d.]+) %, Wit ([\d.]+) %,"
        r"\s+runtime ([\d.]+) %, sandbox ([\d.]+) %, life ([\d.]+) %",
        _group_scores,
    ),
    Claim(
        "evidence-weakest-module",
        "docs/evidence.md",
        r"every module at least (\d+) %, the weakest the [\w\s']+?\s+"
        r"\(`[\w/.]+`, ([\d.]+) %",
        _weakest_module,
    ),
    Claim(
        "evidence-detected",
        "docs/evidence.md",
        r"caught\*\* \(([\d,]+) of ([\d,]+)\)",
        lambda: (
            _tally()["killed"] + _tally()["timeout"],
            _tally()["mutants"] - _tally()["equivalent"],
        ),
    ),
    Claim(
        "evidence-survivors",
        "docs/evidence.md",
        r"The (\d+) left alive \(and (\d+) no test reaches\)",
        lambda: (_tally()["survived"], _tally()["uncovered"]),
    ),
    Claim(
        "evidence-sandbox-mutants",
        "docs/evidence.md",
        r"a group of its own, about ([\d,]+) mutants",
        lambda: (mutants_per_group()["sandbox"],),
        0.1,
    ),
    Claim(
        "evidence-open-loop",
        "docs/evidence.md",
        r"(\d+) wrong adapters written from `spec/` alone",
        lambda: (wrong_adapters()[1],),
    ),
    Claim(
        "evidence-open-loop-score",
        "docs/evidence.md",
        r"its tests failed \*\*(\d+) of (\d+) \((\d+) %\)\*\*",
        lambda: (
            *_fraction(open_loop()["tests_alone"]),
            round(100 * _fraction(open_loop()["tests_alone"])[0] / wrong_adapters()[1]),
        ),
    ),
    Claim(
        "evidence-open-loop-chapters",
        "docs/evidence.md",
        r"codec (\d+)/(\d+), store (\d+)/(\d+), protocol (\d+)/(\d+), Wit (\d+)/(\d+),"
        r" runtime (\d+)/(\d+), Wasm (\d+)/(\d+), sandbox (\d+)/(\d+)",
        _per_chapter,
    ),
    Claim(
        "evidence-open-loop-as-run",
        "docs/evidence.md",
        r"reported only (\d+),",
        lambda: (_fraction(open_loop()["as_run"])[0],),
    ),
    Claim(
        "evidence-hand-written",
        "docs/evidence.md",
        r"about ([\d,]+) hand-written \*wrong adapters\*",
        lambda: (wrong_adapters()[0],),
        0.1,
    ),
    Claim(
        "evidence-open-loop-beside",
        "docs/evidence.md",
        r"\(and the (\d+) above\)",
        lambda: (wrong_adapters()[1],),
    ),
    Claim(
        "evidence-ci-sample",
        "docs/evidence.md",
        r"a seeded sample of (\d+) mutants",
        lambda: (ci_sample(),),
    ),
    Claim(
        "evidence-input-clauses",
        "docs/evidence.md",
        r"\(about (\d+) clauses, listed in `conformance/inputs.toml`\)",
        lambda: (input_clauses(),),
        0.1,
    ),
    Claim(
        "contributing-deep-profile",
        "docs/contributing.md",
        r"\((\d+) examples per property instead of (\d+)\) and (\d+) SIGKILLs",
        lambda: (*hypothesis_examples(), _kill_counts()[0]),
    ),
    Claim(
        "contributing-ci-kills",
        "docs/contributing.md",
        r"crash test instead of (\d+) or (\d+)",
        lambda: (_kill_counts()[2], _kill_counts()[1]),
    ),
    Claim(
        "quickstart-examples",
        "docs/guide/quickstart.md",
        r"tries (\d+) examples instead of (\d+)",
        lambda: hypothesis_examples(),
    ),
    Claim(
        "quickstart-kills",
        "docs/guide/quickstart.md",
        r"(\d+) times instead of (\d+) or (\d+)",
        lambda: _kill_counts(),
    ),
    Claim(
        "mutation-mutants",
        "docs/guide/mutation.md",
        r"every mutant \(about ([\d,]+);",
        lambda: (sum(mutants_per_group().values()),),
        0.1,
    ),
    Claim(
        "validate-hung-after",
        "docs/guide/validate.md",
        r"After (\d+) tests in a row time out",
        lambda: (_hung_after(),),
    ),
    Claim(
        "validate-node-adapter",
        "docs/guide/validate.md",
        r"about ([\d,]+) lines of JavaScript in about (\d+) modules",
        lambda: (node_lines(), len(node_modules())),
        0.2,
    ),
    Claim(
        "time-shrink-budget",
        "docs/guide/time.md",
        r"The budget is (\d+) times the test's estimated passing time — the mean time of "
        r"its passing examples before the first failure, times its number of examples — "
        r"and at least (\d+) s, at most (\d+) s",
        lambda: _shrink_budget(),
    ),
]


def _shrink_budget() -> Numbers:
    """The suite's shrink budget: its factor, floor and cap (``suite/_properties.py``)."""
    from gritwit_conformance.suite import _properties as p

    return (p.SHRINK_FACTOR, p.SHRINK_FLOOR, p.SHRINK_CAP)


#: Claims checked by :func:`test_the_test_run_and_its_smoke_selection`, which collects
#: the whole test run once (half a minute) for them.
COLLECTED = {"contributing-tests"}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def check(claim: Claim, text: str) -> None:
    """Fail unless ``text`` states ``claim`` once, with numbers close enough to the actual."""
    matches = list(claim.regex().finditer(text))
    assert len(matches) == 1, (
        f"{claim.page}: {len(matches)} matches of {claim.pattern!r} (want 1): "
        "reword the claim in this test with the page"
    )
    stated = tuple(_number(g) for g in matches[0].groups())
    actual = tuple(float(n) for n in claim.actual())
    assert len(stated) == len(actual), claim.pattern
    for said, real in zip(stated, actual, strict=True):
        close = abs(said - real) <= claim.tolerance * real
        assert close, (
            f"{claim.page} says {matches[0].group(0)!r}: {said:g} where the repository has "
            f"{real:g}" + (f" (within {claim.tolerance:.0%})" if claim.tolerance else "")
        )


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    "claim",
    [pytest.param(c, id=c.name) for c in CLAIMS if c.name not in COLLECTED],
)
def test_a_count_of_the_pages_is_what_it_counts(claim: Claim) -> None:
    check(claim, (ROOT / claim.page).read_text(encoding="utf-8"))


#: A number followed by what it counts: "48 wrong adapters", "about 5,400 lines".
COUNT = re.compile(
    r"\b\d[\d,]*(?:\.\d+)?\s+(?:[\w*-]+\s+){0,2}?\**(?:tests?|vectors|wrong\s+adapters|clauses"
    r"|lines|mutants|modules|test\(s\))\b"
)


def counted_pages() -> list[Path]:
    """The pages whose counts are checked: the README, the contributors' pages and the guide."""
    return [
        ROOT / "README.md",
        ROOT / "docs" / "contributing.md",
        ROOT / "docs" / "evidence.md",
        *sorted((ROOT / "docs" / "guide").glob("*.md")),
    ]


def uncovered_counts(text: str, claims: list[Claim]) -> list[str]:
    """The counts of ``text`` no claim's match covers (fenced blocks are left out)."""
    covered: list[tuple[int, int]] = [
        m.span() for claim in claims for m in claim.regex().finditer(text)
    ]
    fenced = [m.span() for m in re.finditer(r"^```.*?^```", text, re.S | re.M)]
    return [
        m.group(0)
        for m in COUNT.finditer(text)
        if not any(a <= m.start() < b for a, b in covered + fenced)
    ]


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("page", counted_pages(), ids=lambda p: p.name)
def test_every_count_of_the_pages_is_a_claim(page: Path) -> None:
    rel = page.relative_to(ROOT).as_posix()
    left = uncovered_counts(page.read_text(encoding="utf-8"), [c for c in CLAIMS if c.page == rel])
    assert not left, f"{rel}: counts no claim of test_docs_facts.py checks: {left}"


@pytest.mark.req("CONV-005")
def test_a_claim_fails_on_a_wrong_number_a_missing_sentence_and_a_repeated_one() -> None:
    claim = Claim(
        "example", "page.md", r"about ([\d,]+) lines in (\d+) files", lambda: (5400, 29), 0.1
    )
    check(claim, "It has about 5,200 lines\nin 29 files.")
    with pytest.raises(AssertionError, match="says 'about 1,000 lines"):
        check(claim, "It has about 1,000 lines in 29 files.")
    with pytest.raises(AssertionError, match="says"):
        check(claim, "It has about 5,400 lines in 20 files.")  # each number is checked
    with pytest.raises(AssertionError, match="0 matches"):
        check(claim, "It has many lines.")
    with pytest.raises(AssertionError, match="2 matches"):
        check(claim, "about 5,400 lines in 29 files; about 5,400 lines in 29 files")
    page = "We have 12 wrong adapters and about 5,400 lines in 29 files.\n```\n3 tests\n```\n"
    assert uncovered_counts(page, [claim]) == ["12 wrong adapters"]


# -- the README's chapter list -----------------------------------------------------------


def spec_chapters() -> list[tuple[str, str]]:
    """(file name, title) of every ``spec/NN-*.md``, in order."""
    chapters = []
    for path in sorted((ROOT / "spec").glob("[0-9][0-9]-*.md")):
        title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        chapters.append((path.name, title))
    return chapters


@pytest.mark.req("CONV-005")
def test_the_readme_lists_every_spec_chapter_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The spec\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^(\d+)\. \[([^\]]+)\]\(spec/([^)]+)\)", section, re.M)
    chapters = spec_chapters()
    assert [name for _n, _t, name in listed] == [name for name, _title in chapters], (
        "README.md's '## The spec' list differs from spec/NN-*.md"
    )
    for (number, label, name), (_name, title) in zip(listed, chapters, strict=True):
        assert int(number) == int(name[:2]), f"README.md numbers {name} as {number}"
        words = set(re.findall(r"\w+", label.lower()))
        assert words <= set(re.findall(r"\w+", title.lower())), (
            f"README.md calls {name} {label!r}; its title is {title!r}"
        )


# -- the Node adapter's files ------------------------------------------------------------


@pytest.mark.req("CONV-005")
def test_the_node_files_the_validate_guide_names_exist() -> None:
    page = (ROOT / "docs" / "guide" / "validate.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w-]+\.mjs)`", page))
    assert named, "the guide names none of the Node adapter's modules"
    assert named <= {p.name for p in node_modules()}, named - {p.name for p in node_modules()}


# -- the test run and the smoke selection the README offers ------------------------------


@pytest.mark.slow
@pytest.mark.req("CONV-005")
def test_the_test_run_and_its_smoke_selection() -> None:
    """The contributing page's count of tests, and ``-m smoke`` citing every chapter of ``spec/``.

    One collection of the whole run serves both (the ``smoke`` marks are set by
    ``conftest.py`` before ``-m`` selects).
    """
    page = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    for claim in CLAIMS:
        if claim.name in COLLECTED:
            check(claim, (ROOT / claim.page).read_text(encoding="utf-8"))
    assert "python -m pytest -n 2 -m smoke" in page, "contributing.md no longer offers -m smoke"
    cited = collection()["smoke_chapters"]
    assert isinstance(cited, list)
    chapters = {name for name, _title in spec_chapters()}
    assert chapters <= set(cited), (
        f"-m smoke cites no requirement of {sorted(chapters - set(cited))}: "
        "mark a quick test of that chapter smoke (SMOKE in conftest.py)"
    )


def test_the_evidence_page_names_the_weakest_module() -> None:
    text = (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")
    name = _weakest_module_name().removeprefix("gritwit/")
    assert f"(`{name}`, " in text, name


#: A page naming the suite's version as the terminal prints it (``this suite is 0.3.0``).
SUITE_IS = re.compile(r"this suite is (\S+?)[:,)\s]")


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("page", counted_pages(), ids=lambda p: p.name)
def test_a_page_naming_the_suites_version_names_this_one(page: Path) -> None:
    """Validate.md said "this suite is 0.3.0" twice after the suite moved on.

    A sample of the terminal writes the suite's version as a placeholder (``<S>``) or as
    the version this checkout carries, never a version it no longer is.
    """
    import gritwit

    stated = SUITE_IS.findall(page.read_text(encoding="utf-8"))
    stale = [v for v in stated if not v.startswith("<") and v != gritwit.SPEC_VERSION]
    assert not stale, f"{page.name}: 'this suite is {stale[0]}', but it is {gritwit.SPEC_VERSION}"


@pytest.mark.req("CONV-005")
def test_the_suite_version_check_bites() -> None:
    assert SUITE_IS.findall("this suite is 0.3.0: 36 of") == ["0.3.0"]
    assert SUITE_IS.findall("this suite is <S>: 36 of") == ["<S>"]
