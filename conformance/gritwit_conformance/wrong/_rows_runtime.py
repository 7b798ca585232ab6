"""More one-line misreadings (:mod:`._rows`): the runtime's outbox chain and failures.

Each entry is what :data:`._rows.ROWS` holds for a row, as plain data — the wrong
adapter's :class:`~gritwit_conformance.wrong.WrongAdapter` and its bends, each
``(module, name, make)`` — so this module imports nothing of :mod:`._rows`, which adds
these rows to its table (kept apart: a module holds at most 600 lines).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gritwit_conformance.wrong._table import WrongAdapter

__all__ = ["RUNTIME_ROWS"]

#: A bend: ``module.name`` set to ``make(module)`` in the adapter process.
BendData = tuple[str, str, Callable[[Any], object]]

#: name → (what the suite must report, the bends).
RUNTIME_ROWS: dict[str, tuple[WrongAdapter, tuple[BendData, ...]]] = {
    "runtime_outbox_always_merges": (
        WrongAdapter(
            ("runtime",),
            frozenset({"WIT-009.5"}),
            "failed",
            "builds every outbox as one mailbox: every base counts as small, so the top "
            "always absorbs it (no chain, the whole map stored each step)",
        ),
        tuple(
            (module, "SMALL_BASE", lambda _: 1 << 40)
            for module in ("gritwit.wit._outbox", "gritwit.wit._assemble")
        ),
    ),
    "runtime_outbox_never_merges": (
        WrongAdapter(
            ("runtime",),
            frozenset({"WIT-009.5"}),
            "failed",
            "never merges an outbox's new top into its base: every step adds a level",
        ),
        tuple(
            (module, "MERGE_CAP", lambda _: 0)
            for module in ("gritwit.wit._outbox", "gritwit.wit._assemble")
        ),
    ),
    "runtime_outbox_cap_512": (
        WrongAdapter(
            ("runtime",),
            frozenset({"WIT-009.6"}),
            "failed",
            "caps a merged outbox mailbox at 512 entries, not 65,536",
        ),
        tuple(
            (module, "MERGE_CAP", lambda _: 512)
            for module in ("gritwit.wit._outbox", "gritwit.wit._assemble")
        ),
    ),
    "runtime_import_any_base": (
        WrongAdapter(
            ("runtime",),
            frozenset({"OBJ-019.2"}),
            "failed",
            "rt-import takes a bundle whose outbox chain has a blob, a message, a tree or a "
            "step as a mailbox's base (checked only as present), so no run can read it",
        ),
        (("gritwit.runtime._bundle", "check_bases", lambda _: lambda found: None),),
    ),
    "runtime_mark_raw_error_class": (
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-011.3", "RUN-004.4"}),
            "failed",
            "the failed mark records any error's own class (erased for an erased blob read), "
            "where rt-run reports failed",
        ),
        (
            (
                "gritwit.runtime._transition",
                "failure_class",
                lambda _: lambda error: getattr(error, "error_class", "failed"),
            ),
        ),
    ),
}
