"""``gritwit conform``: run the suite against one implementation and summarise it.

Runs pytest in-process on the suite shipped in this package, with the plugin's
options, writes the JSON report (``gritwit-report/1``) and JUnit XML, and
prints a per-profile summary with the failed requirement IDs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ._report import render_summary

__all__ = ["PROFILES", "SUITE_DIR", "run_conform"]

SUITE_DIR = Path(__file__).resolve().parent / "suite"
#: Test folders by profile; ``protocol`` always runs.
PROFILES = ("codec", "store", "wit", "runtime", "wasm")


def _pytest_args(
    *,
    impl: str,
    profiles: list[str],
    workers: int,
    smoke: bool,
    json_path: Path,
    junit_path: Path,
    examples: int | None,
    timeout: float,
    vectors: Path | None,
    ini: Path,
) -> list[str]:
    chosen = profiles or list(PROFILES)
    args = [str(SUITE_DIR / "protocol"), *(str(SUITE_DIR / p) for p in chosen)]
    args += ["-c", str(ini), "--rootdir", str(SUITE_DIR.parent), "-p", "no:cacheprovider"]
    args += ["-q", "--tb=no", "--no-header", "-o", "console_output_style=count"]
    args += ["--impl", impl, "--gritwit-json", str(json_path), "--junitxml", str(junit_path)]
    args += ["--gritwit-timeout", str(timeout)]
    if workers > 1:
        args += ["-n", str(workers)]
    if smoke:
        args.append("--gritwit-smoke")
    if examples is not None:
        args += ["--gritwit-examples", str(examples)]
    if vectors is not None:
        args += ["--gritwit-vectors", str(vectors)]
    return args


def _failures(document: dict[str, Any], limit: int) -> list[str]:
    lines = []
    bad = [
        r for r in document["results"] if r["outcome"] in ("failed", "errored", "unexpected-pass")
    ]
    for record in bad[:limit]:
        reason = record["reason"].strip().splitlines()
        lines.append(f"  {record['outcome'].upper():8} {record['id']}")
        lines.append(f"           [{', '.join(record['requirements'])}]")
        lines += [f"           {line}" for line in reason[:6]]
    if len(bad) > limit:
        lines.append(f"  … and {len(bad) - limit} more in the JSON report")
    return lines


def run_conform(
    *,
    impl: str = "reference",
    profiles: list[str] | None = None,
    workers: int = 1,
    smoke: bool = False,
    json_path: Path = Path("conformance-report.json"),
    junit_path: Path = Path("conformance-report.xml"),
    examples: int | None = None,
    timeout: float = 10.0,
    vectors: Path | None = None,
    show: int = 10,
) -> int:
    """Run the suite; print the summary; return 0 only if nothing failed or errored."""
    unknown = set(profiles or ()) - set(PROFILES)
    if unknown:
        print(f"gritwit conform: unknown profile(s) {sorted(unknown)}; known: {list(PROFILES)}")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        status = pytest.main(
            _pytest_args(
                impl=impl,
                profiles=list(profiles or []),
                workers=workers,
                smoke=smoke,
                json_path=json_path,
                junit_path=junit_path,
                examples=examples,
                timeout=timeout,
                vectors=vectors,
                ini=ini,
            )
        )
    if not json_path.is_file():
        print(f"gritwit conform: the run produced no report (pytest exit {status})")
        return int(status) or 1
    document = json.loads(json_path.read_text(encoding="utf-8"))
    print()
    print(render_summary(document))
    failures = _failures(document, show)
    if failures:
        print("\nfailures:")
        print("\n".join(failures))
    print(f"\nreport: {json_path}   junit: {junit_path}")
    bad = any(
        entry["failed"] or entry["errored"] or entry["unexpectedPasses"]
        for entry in document["profiles"].values()
    )
    if status not in (0, 1) and not bad:
        return int(status)
    return 1 if bad else 0
