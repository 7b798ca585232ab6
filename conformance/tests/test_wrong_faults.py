"""Declared faults: every wrong adapter's patches still fit what they bend, and are counted.

A wrong adapter whose replacement no longer takes the arguments the reference passes
crashes instead of misreading, and the suite would count the crash as a catch (issue
43). :func:`gritwit_conformance.wrong.patch` refuses such a replacement
(:class:`~gritwit_conformance.wrong.StaleFault`); here every adapter's ``install`` runs
dry (:func:`~gritwit_conformance.wrong.dry_run`: checked, nothing installed) in the
normal test run, so a change of a bent reference function turns CI red here, not at a
distant test.  The counting of entries and crashes (:mod:`gritwit_conformance.wrong._fault`)
that ``test_wrong_adapters.py`` reads is checked on small replacements.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit.runtime import _bound
from gritwit_conformance import wrong
from gritwit_conformance.wrong import ROWS, WRONG, StaleFault, _fault, _rows, dry_run, patch

#: Runs every adapter dry in a process of its own (a hook may still assign directly).
DRY_ALL = """
import json, sys
from gritwit_conformance import wrong
stale, faults, uncounted = {}, 0, []
for name in sorted(wrong.WRONG):
    try:
        declared = wrong.dry_run(name)
    except Exception as exc:
        stale[name] = f"{type(exc).__name__}: {exc}"
        continue
    faults += len(declared)
    if all(f.replacement == "None" for f in declared):  # no callable: nothing to count
        uncounted.append(name)
print(json.dumps({"stale": stale, "faults": faults, "uncounted": uncounted}))
"""

#: Wrong adapters whose bug is data (a constant, a table's value, a prelude's text, an
#: object standing for a module): nothing of theirs runs, so nothing is counted and
#: ``test_wrong_adapters.py`` cannot ask that it ran.  Pinned, so that a new adapter
#: (or a mended one) that bends code declares it with ``patch()`` or ``fault()``.
#: Rows that set a function, not data: their faults run and are counted like a module's.
COUNTED_ROWS = frozenset(
    {
        "runtime_mark_raw_error_class",
        # the marks' table's rows (``_rows_marks``): a function, a class, an error class
        "codec_bad_text_malformed",
        "runtime_fork_blob_keys_unsorted",
        "wasm_memory_limit_doubled",
        "wit_mt_case_folded",
        "runtime_refused_update_stays_pending",
        "runtime_refused_update_unanswered",
    }
)
UNCOUNTED = (frozenset(ROWS) - COUNTED_ROWS) | frozenset(
    [
        "open_codec_depth_33_accepted",
        "perf_claim_without_command",
        "sandbox_actor_code_put_back",
        "sandbox_hook_reads_main_forbid",
        "sandbox_input_json_spaced",
        "sandbox_prelude_without_hooks",
        "sandbox_relative_path_from_cwd",
        "services_timer_party_run",
        "wasm_nan_uncanonical",
    ]
)


@pytest.mark.req("CONV-005")
def test_every_wrong_adapter_fits_the_reference_it_bends() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DRY_ALL], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert not result["stale"], "wrong adapters out of date:\n" + "\n".join(
        f"{name}: {why}" for name, why in result["stale"].items()
    )
    assert result["faults"] >= len(WRONG) // 2, "the dry run saw hardly any fault"
    assert set(result["uncounted"]) == UNCOUNTED, (
        "wrong adapters with no callable fault to count changed: declare the code a new "
        "one bends with patch() or fault(), or pin it in UNCOUNTED: "
        f"new {sorted(set(result['uncounted']) - UNCOUNTED)}, "
        f"gone {sorted(UNCOUNTED - set(result['uncounted']))}"
    )


class Target:
    """A stand-in for a reference class a wrong adapter bends."""

    LIMIT = 3

    def build(self, actor: int, last: int | None, turn: int | None = None) -> int:
        return actor

    def code(self, blob: int, *, update: bool = False, gate: object = None) -> int:
        return blob

    def spread(self, *args: int, **kwargs: int) -> int:
        return len(args)


def _fresh_target() -> type[Target]:
    return type("Target", (Target,), {})


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    ("name", "replacement", "why"),
    [
        ("build", lambda self, actor, last: 0, "takes 3 positional parameters, the original 4"),
        ("build", lambda self, actor, prev, turn=None: 0, "parameter 2 is 'prev'"),
        ("build", lambda self, actor, last, turn, more: 0, "requires 'more'"),
        ("code", lambda self, blob, *, update=False: 0, "does not accept the keyword 'gate'"),
        ("spread", lambda self, *args: 0, "has no **kwargs"),
    ],
)
def test_a_stale_replacement_is_refused(name: str, replacement: Any, why: str) -> None:
    target = _fresh_target()
    with pytest.raises(StaleFault) as info:
        patch(target, name, replacement)
    message = str(info.value)
    assert why in message
    assert "wrong adapter test_wrong_faults" in message and f"Target.{name}" in message
    assert str(_fault._signature(getattr(Target, name))) in message, "names both signatures"
    assert getattr(target, name) is getattr(Target, name), "nothing was installed"


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("build", lambda self, actor, last, turn=None: 1),
        ("build", lambda self, actor, last, turn=None, extra=None: 1),
        ("build", lambda self, *args, **kwargs: 1),
        ("code", lambda self, blob, *, update=False, gate=None: 1),
        ("code", lambda self, blob, **kwargs: 1),
        ("spread", lambda self, *args, **kwargs: 1),
        ("LIMIT", 0),  # a constant: not checked
    ],
)
def test_a_fitting_replacement_is_installed(name: str, replacement: Any) -> None:
    target = _fresh_target()
    patch(target, name, replacement)
    value = getattr(target(), name)
    args = (1,) if name == "code" else (1, 2)
    assert (value if name == "LIMIT" else value(*args)) in (0, 1)


@pytest.mark.req("CONV-005")
def test_written_for_declares_a_deliberate_difference_until_the_original_moves() -> None:
    target = _fresh_target()
    narrow = lambda self, actor: 2  # noqa: E731  # deliberately narrower
    with pytest.raises(StaleFault):
        patch(target, "build", narrow)
    patch(target, "build", narrow, written_for="(self, actor: int, last, turn=None)")
    assert target().build(1) == 2
    moved = _fresh_target()
    with pytest.raises(StaleFault, match="was written for"):
        patch(moved, "build", narrow, written_for="(self, actor, last)")
    with pytest.raises(AttributeError, match="out of date"):
        patch(moved, "gone", narrow)


@pytest.mark.req("CONV-005")
def test_a_changed_reference_signature_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """What CI sees when the runtime's ``TimeBound.build`` takes one more argument."""
    assert dry_run("runtime_overrun_not_failed")

    async def build(self: Any, actor: Any, last_id: Any, last: Any, found: Any, turn: Any = None,
                    lane: Any = None) -> Any:  # fmt: skip
        return None

    monkeypatch.setattr(_bound.TimeBound, "build", build)
    with pytest.raises(StaleFault, match=r"runtime_overrun_not_failed.*build"):
        dry_run("runtime_overrun_not_failed")


@pytest.mark.req("CONV-005")
def test_a_row_is_refused_once_what_it_bends_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row of the generic adapter is checked as a module's patch is: a renamed constant,
    or a text no longer holding what it edits, is out of date, not silently installed."""
    row = ROWS["sandbox_cwd_root"]
    assert [f.target for f in dry_run("sandbox_cwd_root")] == ["gritwit.sandbox._run.PRELUDE"]
    assert [f.adapter for f in dry_run("sandbox_cwd_root")] == ["sandbox_cwd_root"]
    gone = _rows.Row(row.entry, (_rows.Bend("gritwit.sandbox._run", "NO_SUCH", row.bends[0].make),))
    monkeypatch.setitem(ROWS, "test_row_gone", gone)
    with pytest.raises(AttributeError, match="out of date"):
        dry_run("test_row_gone")
    moved = _rows.Bend("gritwit.sandbox._run", "PRELUDE", _rows._edit(("no such line\n", "")))
    monkeypatch.setitem(ROWS, "test_row_moved", _rows.Row(row.entry, (moved,)))
    with pytest.raises(AttributeError, match=r"PRELUDE no longer has 'no such line\\n' once"):
        dry_run("test_row_moved")
    assert wrong.command("sandbox_cwd_root").endswith(
        " -m gritwit_conformance.wrong._row sandbox_cwd_root"
    )


@pytest.mark.req("CONV-005")
def test_a_module_declares_its_row_read_from_its_text(tmp_path: Path) -> None:
    """Each wrong adapter module declares its row (``ROW = WrongAdapter(...)``), read
    without importing the module; one without is refused when the table is built."""
    module = tmp_path / "some_bug.py"
    module.write_text(
        '"""Wrong adapter: some bug."""\n\nraise SystemExit("never imported")\n'
        'ROW = WrongAdapter(\n    ("sandbox",),\n    frozenset({"SBX-001.1"}),\n'
        '    "failed",\n    "some bug",\n    timeout=STARTUP_TIMEOUT,\n)\n',
        encoding="utf-8",
    )
    from gritwit_conformance.wrong._table import declared

    row = declared(module)
    assert row == wrong.WrongAdapter(
        ("sandbox",), frozenset({"SBX-001.1"}), "failed", "some bug", timeout=60.0
    )
    module.write_text('"""Wrong adapter: no row."""\n', encoding="utf-8")
    with pytest.raises(RuntimeError, match="some_bug declares no ROW"):
        declared(module)
    assert WRONG["hello_ignores_protocol"].failed == {"ADP-005.2"}  # a module's own row


# --- counting ---------------------------------------------------------------------------


def _reference_side(value: Any) -> Any:
    """A replacement that calls on: what the code it calls raises is not its crash."""
    return json.loads(value)  # a TypeError for an int, raised in json's own code


def _stale(value: int) -> int:
    return _reference_side(value, 2)  # type: ignore[call-arg,no-any-return]  # a crash


@pytest.mark.req("CONV-005")
def test_entries_and_crashes_are_counted_into_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "faults.log"
    monkeypatch.setenv(_fault.LOG_VARIABLE, str(log))
    monkeypatch.setattr(_fault, "_COUNTS", {})
    fine: Any = _fault.counted("t.fine", _reference_side)
    stale: Any = _fault.counted("t.stale", _stale)
    unfit: Any = _fault.counted("t.unfit", _reference_side)
    never: Any = _fault.counted("t.never", _reference_side)
    assert never is not _reference_side
    assert [fine(str(n)) for n in range(5)] == list(range(5))
    with pytest.raises(TypeError):
        fine(-1)  # raised by the code it calls, not by the replacement's own
    with pytest.raises(TypeError):
        stale(1)
    with pytest.raises(TypeError):
        unfit("1", 2, 3)  # the arguments do not fit: a crash
    _fault._flush()
    counts = _fault.read_log(log)
    assert {k: (c.entries, c.crashes) for k, c in counts.items()} == {
        "t.fine": (6, 0),
        "t.stale": (1, 1),
        "t.unfit": (1, 1),
        "t.never": (0, 0),
    }
    assert "TypeError" in counts["t.stale"].what


@pytest.mark.req("CONV-005")
def test_counts_of_several_processes_add_up(tmp_path: Path) -> None:
    log = tmp_path / "faults.log"
    log.write_text("1\tf\t1\t0\t\n1\tf\t4\t0\t\n2\tf\t2\t1\tTypeError: x\n2\tg\t0\t0\t\n")
    counts = _fault.read_log(log)
    assert (counts["f"].entries, counts["f"].crashes, counts["f"].what) == (6, 1, "TypeError: x")
    assert counts["g"].entries == 0
    assert _fault.read_log(tmp_path / "absent") == {}


@pytest.mark.req("CONV-005")
def test_async_replacements_and_descriptors_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setattr(_fault, "_COUNTS", {})
    monkeypatch.delenv(_fault.LOG_VARIABLE, raising=False)

    async def later(x: int) -> int:
        return x

    wrapped: Any = _fault.counted("t.async", later)
    assert asyncio.run(wrapped(3)) == 3

    def pairs(n: int) -> Any:
        yield from range(n)
        yield n.missing  # type: ignore[attr-defined]  # a crash, as the loop reaches it

    gen: Any = _fault.counted("t.gen", pairs)
    with pytest.raises(AttributeError):
        list(gen(2))
    assert (_fault._COUNTS["t.gen"].entries, _fault._COUNTS["t.gen"].crashes) == (1, 1)
    static = _fault.counted("t.static", staticmethod(_reference_side))
    assert isinstance(static, staticmethod)
    assert _fault.counted("t.class", Target) is Target
    assert _fault._COUNTS["t.async"].entries == 1
    assert wrong.dry_run is dry_run


# --- copied bodies and rows read as data ----------------------------------


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("name", sorted(n for n, row in WRONG.items() if row.copied_from), ids=str)
def test_a_copied_reference_body_is_the_one_the_adapter_copied(name: str) -> None:
    """A wrong adapter that copies a reference function and bends it names the function and
    the hash of its body then; once the reference's body changes, the copy is stale: bring
    it up to date (keeping its one bug) and record the new hash."""
    from gritwit_conformance.wrong._table import copied_hash

    for target, recorded in WRONG[name].copied_from:
        now = copied_hash(target)
        assert now == recorded, (
            f"wrong adapter {name} copied {target}, whose body has changed in the reference: "
            f"bring the copy up to date and record copied_from hash {now!r}"
        )


SOURCE = '''
class Scheduler:
    def rounds(self, n):
        """Docstring."""
        total = 0
        for i in range(n):
            total += i
        return total
'''


@pytest.mark.req("CONV-005")
def test_the_body_hash_changes_with_the_code_and_not_with_its_layout() -> None:
    from gritwit_conformance.wrong._table import body_hash

    base = body_hash(SOURCE, "Scheduler.rounds")
    relaid = SOURCE.replace('"""Docstring."""', '"""Other words."""  # a comment')
    relaid = relaid.replace("total += i", "total += (\n                i\n            )")
    assert body_hash(relaid, "Scheduler.rounds") == base, "words and layout are not the body"
    edited = SOURCE.replace("total += i", "total += i + 1")
    assert body_hash(edited, "Scheduler.rounds") != base, "an edited body fails the fit test"
    resigned = SOURCE.replace("def rounds(self, n)", "def rounds(self, n, m=0)")
    assert body_hash(resigned, "Scheduler.rounds") != base
    with pytest.raises(KeyError):
        body_hash(SOURCE, "Scheduler.other")


@pytest.mark.req("CONV-005")
def test_a_row_is_read_as_data_and_code_in_it_is_refused(tmp_path: Path) -> None:
    from gritwit_conformance.wrong._table import STARTUP_TIMEOUT, WrongAdapter, declared

    good = tmp_path / "good.py"
    good.write_text(
        "import os\nROW = WrongAdapter(\n    ('codec',), frozenset({'ENC-001'}), 'failed',\n"
        "    'text' ' joined', timeout=STARTUP_TIMEOUT, copied_from=(('m:f', 'ab'),),\n)\n",
        encoding="utf-8",
    )
    assert declared(good) == WrongAdapter(
        ("codec",), frozenset({"ENC-001"}), "failed", "text joined",
        timeout=STARTUP_TIMEOUT, copied_from=(("m:f", "ab"),),
    )  # fmt: skip
    bad = tmp_path / "bad.py"
    bad.write_text(
        "ROW = WrongAdapter(('codec',), frozenset(), 'failed', os.getcwd())\n", encoding="utf-8"
    )
    with pytest.raises(RuntimeError, match=r"bad: its ROW holds os\.getcwd\(\), not data"):
        declared(bad)
    (tmp_path / "none.py").write_text("ROW = 1\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="declares no ROW"):
        declared(tmp_path / "none.py")


def test_no_package_of_the_judge_or_the_reference_imports_a_module_importing_it_back() -> None:
    """The circle ``wrong/__init__`` ↔ ``wrong/_rows`` is broken; import
    linter's no-circles contract covers the judge's siblings, this the package itself."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("gritwit_conformance", "gritwit", cache_dir=None)
    circles = []
    for root in ("gritwit_conformance", "gritwit"):
        for package in sorted(graph.find_descendants(root) | {root}):
            for child in sorted(graph.find_modules_directly_imported_by(package)):
                if child.startswith(f"{package}."):
                    chain = graph.find_shortest_chain(importer=child, imported=package)
                    if chain:
                        circles.append(" -> ".join((package, *chain)))
    assert circles == []
