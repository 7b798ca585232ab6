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


def _rules(module: Any, keep: Callable[[Any], bool]) -> tuple[Any, ...]:
    """The import's kind table (``module.KIND_RULES``, OBJ-020.1) with only the rules ``keep``
    keeps."""
    return tuple(rule for rule in module.KIND_RULES if keep(rule))


def _content_blob_or_tree(module: Any) -> tuple[Any, ...]:
    """The import's kind table with a rule OBJ-020.3 forbids: a message's content must be
    a blob or a tree."""
    import gritwit as g  # in the adapter's process only: this table imports no reference

    rule = type(module.KIND_RULES[0])
    extra = rule(holder=g.Message, field="content", kinds=(g.Blob, g.Tree), requirement="OBJ-020.3")
    return (*module.KIND_RULES, extra)


def _replaced(name: str, old: str, new: str) -> Callable[[Any], str]:
    """The module's text ``name`` with ``old`` (found exactly once) replaced by ``new``."""

    def make(module: Any) -> str:
        text: str = getattr(module, name)
        if text.count(old) != 1:
            raise AttributeError(
                f"{module.__name__}.{name} no longer has {old!r} once: this wrong adapter "
                "is out of date"
            )
        return text.replace(old, new)

    return make


def _refusal_raised(module: Any) -> Callable[..., Any]:
    """The executor's answer to a refused update (SBX-006.19) bent into the failure it
    replaced: the update's transition fails ``too-large``, so the update stays pending."""
    del module

    def refused(inp: Any, sender: Any, item: Any, error: Exception) -> Any:
        raise error

    return refused


def _refusal_unanswered(module: Any) -> Callable[..., Any]:
    """The refused update read and the core kept, but its sender never answered."""

    def refused(inp: Any, sender: Any, item: Any, error: Exception) -> Any:
        return module.TransitionOutput(core=inp.core, read={sender: 1})

    return refused


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
        (
            (
                "gritwit.runtime._bundle",
                "KIND_RULES",
                lambda m: _rules(m, lambda r: r.field != "base"),
            ),
        ),
    ),
    "runtime_import_any_kind": (
        WrongAdapter(
            ("runtime",),
            frozenset({"OBJ-020.1", "OBJ-020.2"}),
            "failed",
            "rt-import checks only a mailbox's base for its kind (OBJ-019.2): a step whose "
            "core, previous, inbox or outbox, a mailbox entry or a message's previous names "
            "an object of another kind is imported, and no run can read it",
        ),
        (
            (
                "gritwit.runtime._bundle",
                "KIND_RULES",
                lambda m: _rules(m, lambda r: r.field == "base"),
            ),
        ),
    ),
    "runtime_import_content_kinds": (
        WrongAdapter(
            ("runtime",),
            frozenset({"OBJ-020.3"}),
            "failed",
            "rt-import reads the object table's 'of a blob or tree' as a rule: a bundle whose "
            "message content is a step, a mailbox or a message is refused invalid-object",
        ),
        (("gritwit.runtime._bundle", "KIND_RULES", _content_blob_or_tree),),
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
    "runtime_revert_frozen_entry_only": (
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-024.7"}),
            "failed",
            "a revert from a frozen head compares only the frozen entry of RUN-024.7's three: "
            "a frozen step of another wit or wit_update is reverted to",
        ),
        (("gritwit.runtime._revert", "FROZEN_ENTRIES", lambda _: ("frozen",)),),
    ),
    "runtime_revert_ignores_wit_update": (
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-024.7"}),
            "failed",
            "a revert from a frozen head compares wit and frozen, the entries an update that "
            "freezes names, but not wit_update",
        ),
        (("gritwit.runtime._revert", "FROZEN_ENTRIES", lambda _: ("wit", "frozen")),),
    ),
    "store_step_time_of_the_last_swap": (
        WrongAdapter(
            ("http", "store"),
            frozenset({"RUN-027.1"}),
            "failed",
            "a step time is rewritten by every swap that makes the step a head, not kept from "
            "the first: a step made a head again shows the later time",
        ),
        (
            (
                "gritwit.store._sqlite",
                "_STEP_TIME",
                _replaced("_STEP_TIME", "INSERT OR IGNORE", "INSERT OR REPLACE"),
            ),
        ),
    ),
    "runtime_outbox_cap_one_more": (
        WrongAdapter(
            ("runtime",),
            frozenset({"WIT-009.6"}),
            "failed",
            "caps a merged outbox mailbox at 65,537 entries, one past WIT-009.6's 65,536",
        ),
        tuple(
            (module, "MERGE_CAP", lambda _: 65_537)
            for module in ("gritwit.wit._outbox", "gritwit.wit._assemble")
        ),
    ),
    "runtime_outbox_cap_one_less": (
        WrongAdapter(
            ("runtime",),
            frozenset({"WIT-009.6"}),
            "failed",
            "caps a merged outbox mailbox at 65,535 entries, one short of WIT-009.6's 65,536",
        ),
        tuple(
            (module, "MERGE_CAP", lambda _: 65_535)
            for module in ("gritwit.wit._outbox", "gritwit.wit._assemble")
        ),
    ),
    "runtime_refused_update_stays_pending": (
        WrongAdapter(
            ("sandbox", "runtime"),
            frozenset({"SBX-006.19"}),
            "failed",
            "an update SBX-006.17 refuses fails its transition, retried and marked failed: "
            "it stays first in line, and no later message of the actor ever runs",
        ),
        (("gritwit.wit._executor", "_refused", _refusal_raised),),
    ),
    "runtime_refused_update_unanswered": (
        WrongAdapter(
            ("sandbox", "runtime"),
            frozenset({"SBX-006.19"}),
            "failed",
            "a refused update is read and the core kept, but its sender is never answered",
        ),
        (("gritwit.wit._executor", "_refused", _refusal_unanswered),),
    ),
}
