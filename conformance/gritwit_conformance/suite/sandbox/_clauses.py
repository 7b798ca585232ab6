"""Helpers of the tests that pin chapter 09's clauses one by one (``test_wit_blob_and_interpreter``,
``test_isolation_and_start_up``, ``test_file_access``, ``test_mount_code_and_limits``;
SBX-*, split by behaviour).

The vectors compare whole runs with the reference's; these tests pin single
clauses, with expected answers computed here from the spec's formulas — the wit
blob's headers, the input file's bytes, the random stream, the path numbers, the
write budget — so that a host that breaks one clause fails a test citing it.
Each was written against a wrong adapter of ``gritwit_conformance.wrong``
(``sandbox_*``) that the rest of the profile let through.
"""

from __future__ import annotations

from typing import Any

from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok
from ._runs import failure_class, ran

OUTSIDE = "00" * 32


_run = ran


def _stdout(impl: Implementation, program: str, **args: Any) -> str:
    return bytes.fromhex(_run(impl, program, **args)["stdout"]).decode("utf-8")


_class = failure_class


def _interpreter(impl: Implementation, clause: Clause) -> str:
    """The interpreter ``sandbox-info`` answers (ADP-019.5); a refusal breaks ``clause``,
    the calling test's rule, which needs the interpreter's id."""
    return str(call_ok(impl, clause, "sandbox-info").get("interpreter"))
