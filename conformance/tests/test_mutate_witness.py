"""``gritwit mutate --witnesses``: an equivalent mutant's record names the reference test
that sees it, and that test is run on the mutant.

The parse is checked on each of the record's forms (a node id, a file, ``and ::other``,
a bare file name looked for in both test folders, a name with no file, words that claim
nothing); the run on a real mutant of ``gritwit/_objects.py`` (a mailbox's ``base`` left
unchecked): its recorded witness sees it, a test of another rule does not, and a witness
naming no file is *missing*, one whose tests all skip judges nothing.  The command's exit
status follows the claims.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit_conformance.mutate import Mutant, collect_mutants
from gritwit_conformance.mutate._run import make_copy, module_source
from gritwit_conformance.mutate._witness import (
    Witness,
    named_witnesses,
    run_witness,
    witnesses_of,
)

pytestmark = pytest.mark.req("CONV-005")

ROOT = Path(__file__).resolve().parents[2]
#: ``Mailbox.__post_init__``'s check of ``base`` left out (gritwit/_objects.py).
MUTANT = "m-dc62d033a2"
SEES_IT = "reference/tests/test_codec.py::test_a_mailbox_base_must_be_an_id"
#: A test of tree names: it never builds a mailbox.
BLIND = "reference/tests/test_codec.py::test_tree_names_sort_by_encoding_not_code_point"


def test_a_node_id_before_sees_it_is_the_witness() -> None:
    got = named_witnesses("m-1", f"unobservable through the protocol: {SEES_IT} sees it", ROOT)
    assert got == Witness("m-1", (SEES_IT,)), got


@pytest.mark.parametrize("verb", ["sees", "fails on", "kills", "catches"])
def test_each_verb_of_a_claim_names_a_witness(verb: str) -> None:
    got = named_witnesses("m-1", f"x; {SEES_IT} {verb} it", ROOT)
    assert got is not None and got.tests == (SEES_IT,), (verb, got)


def test_a_second_node_of_the_same_file_and_a_bare_file_name_are_both_found() -> None:
    reason = (
        f"{SEES_IT} and ::test_tree_names_sort_by_encoding_not_code_point sees it; "
        "test_store.py, reference/tests/test_codec.py fail on it"
    )
    got = named_witnesses("m-1", reason, ROOT)
    assert got is not None
    assert got.tests == (
        SEES_IT,
        BLIND,
        "reference/tests/test_store.py",
        "reference/tests/test_codec.py",
    ), got.tests
    assert got.missing == (), got.missing


@pytest.mark.parametrize(
    "reason",
    [
        "same behaviour: every answer is identical",
        "suite/http/test_x.py passes on it; reference/tests/test_codec.py exercises it",
        "reference/tests/test_codec.py::test_a_mailbox_base_must_be_an_id passes on it",
    ],
    ids=["no-test", "exercises", "passes-on-it"],
)
def test_words_that_claim_no_sight_name_no_witness(reason: str) -> None:
    assert named_witnesses("m-1", reason, ROOT) is None


def test_a_name_with_no_file_is_missing_not_dropped() -> None:
    got = named_witnesses("m-1", "reference/tests/test_no_such_file.py::test_x sees it", ROOT)
    assert got == Witness("m-1", (), ("reference/tests/test_no_such_file.py::test_x",)), got


def test_a_sample_is_seeded_and_of_the_witnessed_ones_only() -> None:
    mutants = collect_mutants(("codec",))[:40]
    listed = {m.id: f"{SEES_IT} sees it" for m in mutants[::2]}
    listed[mutants[1].id] = "same behaviour"
    every = witnesses_of(listed, mutants, ROOT)
    assert [w.mutant for w in every] == [m.id for m in mutants[::2]]
    first = witnesses_of(listed, mutants, ROOT, sample=5, seed=3)
    assert first == witnesses_of(listed, mutants, ROOT, sample=5, seed=3)
    assert len(first) == 5 and set(first) <= set(every)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_copy(tmp_path_factory.mktemp("witness"), 0)


def _mutant() -> Mutant:
    return next(m for m in collect_mutants(("codec",)) if m.id == MUTANT)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tests", "status"), [((SEES_IT,), "seen"), ((BLIND,), "not seen")], ids=["sees", "blind"]
)
def test_a_witness_run_on_its_mutant_is_seen_only_where_its_test_fails(
    copy: Path, tests: tuple[str, ...], status: str
) -> None:
    mutant = _mutant()
    source = module_source(mutant.module)
    got = run_witness(Witness(MUTANT, tests), mutant, source, copy, ROOT, 300)
    assert got.status == status, got
    assert got.holds is (status == "seen") and got.wrong is (status != "seen")
    # the copy is the pristine package again after the run
    assert (copy / mutant.module).read_text(encoding="utf-8") == source


def test_a_witness_naming_no_file_is_missing_and_runs_nothing(copy: Path) -> None:
    mutant = _mutant()
    got = run_witness(
        Witness(MUTANT, (), ("reference/tests/test_gone.py",)),
        mutant,
        module_source(mutant.module),
        copy,
        ROOT,
        300,
    )
    assert (got.status, got.seconds, got.holds) == ("missing", 0.0, False), got
    assert "test_gone.py" in got.detail


@pytest.mark.slow
def test_a_witness_whose_tests_all_skip_judges_nothing(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its test skips here (outside the deep profile): neither held nor wrong, where a pass
    would be *not seen*."""
    monkeypatch.setenv("GRITWIT_PROFILE", "ci")
    mutant = _mutant()
    skips = (
        "reference/tests/test_core_walked_once.py::"
        "test_a_flat_genesis_core_of_2_18_distinct_blobs_is_adopted_under_the_default_bound"
    )
    got = run_witness(
        Witness(MUTANT, (skips,)), mutant, module_source(mutant.module), copy, ROOT, 300
    )
    assert (got.status, got.holds, got.wrong) == ("skipped", False, False), got


@pytest.mark.slow
def test_the_command_fails_on_a_claim_its_test_does_not_hold(tmp_path: Path) -> None:
    """A checkout whose one listed equivalent names a test blind to it: exit 1, the report
    says *not seen*; the same record naming the test that sees it: exit 0."""
    results = {}
    for name, test in (("blind", BLIND), ("sees", SEES_IT)):
        root = tmp_path / name
        (root / "conformance" / "mutation").mkdir(parents=True)
        (root / "reference").symlink_to(ROOT / "reference")
        (root / "conformance" / "mutation" / "equivalent-codec.toml").write_text(
            f'[[equivalent]]\nid = "{MUTANT}"\nreason = "unobservable: {test} sees it"\n',
            encoding="utf-8",
        )
        out = tmp_path / f"{name}.json"
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "gritwit_conformance", "mutate", "--witnesses"),
                *("--group", "codec", "--root", str(root), "--out", str(out)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        report = json.loads(out.read_text(encoding="utf-8"))
        results[name] = (proc.returncode, report["counts"])
    assert results == {"blind": (1, {"not seen": 1}), "sees": (0, {"seen": 1})}, results
