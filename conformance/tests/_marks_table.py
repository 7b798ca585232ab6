"""The marks' acceptance table (ADP-005.5): for the 30 clauses with the most entries of
``spec/CHANGES.md``, one declared wrong adapter that breaks the clause, claiming the older
spec 0.1.0 in ``hello`` (``_claim_older.py``); of its failures in the tests citing the
clause, how many carry a mark naming the clause it broke, how many a mark unrelated to
the failing check, how many a mark of another clause of the check only, how many none.

``python conformance/tests/_marks_table.py [--out DIR] [CLAUSE ...]`` runs the rows (all,
or the clauses named), writes each row's JSON report under ``DIR`` and prints the table;
``--table-only`` prints the table of the reports already in ``DIR``.  One row runs the
suite's folders of the adapter's profiles, cut to the tests citing the clause
(``_select_by_requirement``), under pytest with two workers: a few seconds to a few
minutes each, about seven minutes in all at load 2 (2026-11-29).  The heavy test
``test_marks_acceptance.py`` runs the same rows under ``GRITWIT_PROFILE=deep`` and
holds the table to 95 % marked right and none wrong.

A failure's classes, first that applies:

* *wrong*: a mark whose clause is none the failure's text names (nor the one clause its
  test cites), nor its lead or a sub-clause of one (:func:`related`): a mark unrelated
  to its failing check;
* *right*: a mark naming the clause broken (itself, its lead or a sub-clause);
* *other*: marked, but only by other clauses its failing check names (a sibling rule
  the adapter's bug also broke, checked first);
* *unmarked*: no mark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SUITE = ROOT / "conformance" / "gritwit_conformance" / "suite"
#: The version the adapters claim: the oldest release, so that each clause's own changes
#: since (an entry that names no test file, or a new reading of it) are newer than the
#: claim.  Since 0.3.0 most of these clauses have only *newly tested* entries naming
#: other test files (tests moved into files named by what they test, no new reading),
#: which rightly mark no failure of their other files.
CLAIMED = "0.1.0"
#: How many clauses the table has: those with the most entries of ``spec/CHANGES.md``.
CLAUSES = 30
#: One run's bound: a sandbox adapter's first runs compile its image (seconds each).
RUN_LIMIT = 1500.0
#: A mark's clause: ``changed in 0.3.0: ENC-010 added: …`` / ``added after 0.3.0: X (…)``.
_MARKED = re.compile(
    r"^(?:changed (?:in|since) (?:[^:(]|\([^)]*\))*|added after [^:]*): "
    r"([A-Z]+-\d{3}(?:\.\d+)?)\b"
)
_ID = re.compile(r"\b[A-Z]+-\d{3}(?:\.\d+)?\b")


@dataclass(frozen=True, slots=True)
class Row:
    """One clause of the table: the wrong adapter that breaks it and its tests."""

    clause: str
    adapter: str
    #: ``_select_by_requirement``'s selection (``ID`` or ``ID@module``): the clause itself
    #: unless nearly every test of the profile cites it
    select: str = ""

    @property
    def selection(self) -> str:
        return self.select or self.clause


#: The wrong adapter of each clause: a declared one whose ``failed`` names it.
ADAPTERS: dict[str, Row] = {
    r.clause: r
    for r in (
        # nearly every runtime test opens a runtime (ADP-015): the module that sends
        # rt-open a number past every double, as test_wrong_adapters narrows it
        Row("ADP-015", "runtime_open_infinite_seconds", "ADP-015@test_rt_open_seconds"),
        Row("ADP-014", "protocol_wit_failures_all_failed"),
        Row("SBX-013.1", "sandbox_actor_exit_keeps_core"),
        Row("WIT-005", "delivers_newest_first"),
        Row("ADP-004.8", "open_protocol_send_surrogates_replaced"),
        Row("ADP-019.2", "sandbox_default_memory_64mib"),
        Row("SBX-007.2", "sandbox_output_limit_off_by_one"),
        Row("RUN-004.4", "runtime_mark_raw_error_class"),
        # a class the table gained after 0.1.0 (`forbidden-operation`, 0.2.0): an older
        # class table's reading, which the entries of CONV-004 explain (ADP-005.5)
        Row("CONV-004", "sandbox_no_forbidden_class"),
        Row("WASM-016", "wasm_memory_limit_doubled"),
        Row("ADP-019.4", "sandbox_out_kept"),
        Row("SBX-006.1", "sandbox_fuel_doubled"),
        Row("SBX-007.3", "sandbox_sends_limit_unchecked"),
        Row("SBX-007.4", "sandbox_core_limit_at_end"),
        Row("WIT-023.1", "wit_set_code_limit_off_by_one"),
        Row("WIT-023.2", "open_wit_frozen_from_second_step"),
        Row("WIT-028.4", "wit_mt_case_folded"),
        Row("SBX-006.5", "sandbox_probe_byte_free"),
        Row("ADP-004.6", "protocol_ref_name_before_arguments"),
        Row("RUN-009.6", "runtime_import_head_checked_first"),
        Row("HTTP-014.1", "serve_metrics_counters_without_total"),
        Row("RUN-012.1", "runtime_snapshot_of_last_sender"),
        Row("RUN-012.6", "runtime_headless_not_resident"),
        Row("RUN-012.2", "runtime_capacity_evicts_one"),
        Row("ADP-019.7", "sandbox_wit_source_normalised"),
        Row("ENC-008.1", "codec_bad_text_malformed"),
        Row("ID-003", "uppercase_mailbox_keys"),
        Row("RUN-008.2", "runtime_fork_blob_keys_unsorted"),
        Row("SBX-005.5", "sandbox_urandom"),
        Row("SBX-007.5", "sandbox_gap_not_counted"),
    )
}


def most_changed(count: int = CLAUSES) -> list[tuple[str, int]]:
    """The ``count`` clauses the most entries of ``spec/CHANGES.md`` name, with their
    counts; of equal counts, the one named first in the file first."""
    from gritwit_conformance.data._versions import parse_changes

    entries = parse_changes((ROOT / "spec" / "CHANGES.md").read_text(encoding="utf-8"))
    return Counter(rid for e in entries for rid in e.ids).most_common(count)


def _files(row: Row, profiles: Iterable[str]) -> list[str]:
    """The suite folders of the adapter's profiles, or the one module a row narrows to:
    every test there that cites the clause runs, a vector's test too, whose citations
    its vector holds (``_select_by_requirement`` deselects the rest)."""
    _, _, module = row.selection.partition("@")
    if module:
        return [str(p) for p in sorted(SUITE.glob(f"*/{module}.py"))]
    # the protocol profile runs beside every adapter's own (as gritwit conform runs it)
    return [str(SUITE / profile) for profile in dict.fromkeys([*profiles, "protocol"])]


def run_row(row: Row, out: Path, claimed: str = CLAIMED) -> Path:
    """Run ``row``'s adapter, claiming ``claimed``, on its clause's tests."""
    from gritwit_conformance.wrong import WRONG

    entry = WRONG[row.adapter]
    report = out / f"{row.clause}.json"
    adapter = f"{sys.executable} {HERE / '_claim_older.py'} {claimed} {row.adapter}"
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--tb=short"]
    args += ["-p", "_select_by_requirement", "-n", "2", "--impl", adapter]
    args += ["--gritwit-json", str(report)]
    if entry.timeout:
        args += ["--gritwit-timeout", str(entry.timeout)]
    args += _files(row, entry.profiles)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["GRITWIT_SELECT_REQUIREMENTS"] = row.selection
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    work = out / row.clause
    work.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=RUN_LIMIT, cwd=work, env=env, check=False
    )
    (work / "output.txt").write_text(done.stdout[-20000:] + done.stderr[-5000:], encoding="utf-8")
    return report


def _related(a: str, b: str) -> bool:
    from gritwit_conformance.data._versions import related

    return related(a, b)


def classify(record: dict[str, Any], clause: str) -> str:
    """``wrong``, ``right``, ``other`` or ``unmarked``: see the module's docstring."""
    marks = record.get("since") or []
    if not marks:
        return "unmarked"
    said = set(_ID.findall(str(record.get("reason", ""))))
    cited = list(dict.fromkeys(record.get("requirements", [])))
    if len(cited) == 1:
        said.update(cited)  # a test citing one clause checks that one (ADP-005.5)
    named = []
    for note in marks:
        found = _MARKED.match(note)
        if found is None or not any(_related(found.group(1), s) for s in said):
            return "wrong"
        named.append(found.group(1))
    return "right" if any(_related(rid, clause) for rid in named) else "other"


@dataclass(frozen=True, slots=True)
class Counts:
    clause: str
    adapter: str
    entries: int
    failures: int
    right: int
    wrong: int
    other: int
    unmarked: int
    #: errored or timed out: no failed check, counted apart
    broken: int
    passed: int


def counts(row: Row, entries: int, report: Path) -> Counts:
    """The row's counts from its JSON report (every zero when there is none)."""
    records: list[dict[str, Any]] = []
    if report.is_file():
        records = json.loads(report.read_text(encoding="utf-8"))["results"]
    failed = [r for r in records if r["outcome"] == "failed"]
    kinds = Counter(classify(r, row.clause) for r in failed)
    broken = sum(r["outcome"] in ("errored", "timed-out") for r in records)
    passed = sum(r["outcome"] == "passed" for r in records)
    return Counts(
        row.clause,
        row.adapter,
        entries,
        len(failed),
        kinds["right"],
        kinds["wrong"],
        kinds["other"],
        kinds["unmarked"],
        broken,
        passed,
    )


def table(rows: list[Counts]) -> str:
    """The rows as a Markdown table with a total line."""
    head = "| clause | entries | adapter | failures | marked right | marked wrong | other | unmarked | errored | passed |"  # noqa: E501
    lines = [head, "|" + "---|" * 10]
    for c in rows:
        lines.append(
            f"| {c.clause} | {c.entries} | {c.adapter} | {c.failures} | {c.right} | "
            f"{c.wrong} | {c.other} | {c.unmarked} | {c.broken} | {c.passed} |"
        )
    total = sum(c.failures for c in rows)
    right = sum(c.right for c in rows)
    wrong = sum(c.wrong for c in rows)
    share = f"{100 * right / total:.1f} %" if total else "-"
    lines.append(
        f"| all | | | {total} | {right} ({share}) | {wrong} | {sum(c.other for c in rows)} | "
        f"{sum(c.unmarked for c in rows)} | {sum(c.broken for c in rows)} | "
        f"{sum(c.passed for c in rows)} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clauses", nargs="*", help="only these rows")
    parser.add_argument("--out", type=Path, default=Path("marks-table"))
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--claim", default=CLAIMED, help="the version the adapters claim")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    found = []
    # the rows, by their entries: of clauses tied with the 30th, the table keeps its own
    named = dict(most_changed(10_000))
    for clause, row in sorted(ADAPTERS.items(), key=lambda item: -named.get(item[0], 0)):
        entries = named.get(clause, 0)
        report = options.out / f"{clause}.json"
        if not options.table_only and (not options.clauses or clause in options.clauses):
            report = run_row(row, options.out, options.claim)
            print(f"ran {clause} ({row.adapter})", file=sys.stderr, flush=True)
        found.append(counts(row, entries, report))
    print(table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
