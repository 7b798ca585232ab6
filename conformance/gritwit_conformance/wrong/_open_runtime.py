"""Open-loop wrong adapters of spec/07-runtime.md (issue 24).

Written from spec/ alone, merged into WRONG.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_runtime_fork_keeps_outbox": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-008.5"}),
        "failed",
        "a fork's first step keeps the outbox of the parent's step instead of having none",
    ),
    "open_runtime_import_fast_forward": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.4"}),
        "failed",
        "rt-import moves a head that the bundle's history contains (fast-forward) instead of "
        "failing ref-conflict",
    ),
    "open_runtime_six_attempts": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-004.3"}),
        "failed",
        "a failing transition is tried 6 times (one try plus 5 retries) before its actor is marked"
        " failed",
    ),
    "open_runtime_evicts_pending_actor": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-012.1"}),
        "failed",
        "rt-evict (and eviction between rounds) evicts a resident actor that has a message pending",
    ),
    "open_runtime_restores_new_actor": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-012.6"}),
        "failed",
        "an actor without a head emits restore-requested and restored when it first becomes "
        "resident",
    ),
    "open_runtime_erase_undone_by_put": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-011.5"}),
        "failed",
        "storing an erased blob's bytes again (a send or genesis naming them) brings the blob back",
    ),
    "open_runtime_group_open_at_max_steps": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-017.6"}),
        "failed",
        "in group mode an rt-run that stops at max_steps reports steps whose group it never "
        "committed (heads unmoved)",
    ),
    "open_runtime_bundle_signed_order": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.1"}),
        "failed",
        "bundles sort (and import checks) their objects by ids compared as signed bytes, not "
        "unsigned",
    ),
    "open_runtime_fork_checks_state_first": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-008.9"}),
        "failed",
        "rt-fork refuses a state naming fork (invalid-object) before it finds the step absent "
        "(not-found)",
    ),
    "open_runtime_restores_all_on_restart": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-013.3"}),
        "failed",
        "the first rt-run after a restart restores every actor with a head, pending messages or "
        "not",
    ),
}
