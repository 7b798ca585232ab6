"""``gritwit actor list|history|diff``: what a store says about its actors.  Nothing here
writes.

A step holds no time (OBJ-015); the ``time`` column is its *step time*, when the store
first made it a head (RUN-027.1, UTC), and ``-`` (``null`` in ``--json``) for a step
without one: imported, or in a store that keeps none (RUN-027.2).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Final

from .._ids import ObjectId
from .._objects import Blob, Step, Tree
from ..runtime import (
    ActorView,
    ActorViews,
    history,
    revert_sources,
    step_traffic,
    traffic_rows,
)
from ..store import Store, format_step_time, step_times
from ..wit import OUTSIDE
from ._common import Refused, actor_arg, print_json, step_arg

__all__ = [
    "actor_rows",
    "diff_cores",
    "history_rows",
    "show_actor",
    "show_diff",
    "show_history",
    "show_list",
]

#: A blob shown as text in a diff when it is UTF-8 and at most this many bytes.
SMALL_TEXT: Final = 200


def _row(view: ActorView) -> dict[str, Any]:
    """One actor's row, as ``list --json`` and ``show --json`` print it: the actor view
    (RUN-001, RUN-004.4, RUN-026, RUN-027) and ``name``, its first name."""
    return {
        "name": view.names[0] if view.names else None,
        "names": list(view.names),
        "actor": view.actor.hex(),
        "head": None if view.head is None else view.head.hex(),
        "kind": view.kind or "-",
        "status": view.status,
        "pending": view.pending,
        "time": view.time,
        "reason": None if view.failure is None else f"{view.failure.error}: {view.reason}",
    }


def actor_rows(store: Store) -> list[dict[str, Any]]:
    """One row per actor with a head, a failed mark or messages waiting for its genesis
    (RUN-001, RUN-004.4, WIT-005), in id order: the actor view's list."""
    return [_row(view) for view in ActorViews(store, waiting=True).views()]


def show_list(store: Store, args: argparse.Namespace) -> int:
    """``list``: the rows, filtered by ``--failed`` and ``--pending``."""
    rows = [
        row
        for row in actor_rows(store)
        if (not args.failed or row["status"] == "failed") and (not args.pending or row["pending"])
    ]
    if args.json:
        print_json(rows)
        return 0
    named = any(row["names"] for row in rows)
    columns = (["names"] if named else []) + ["actor", "kind", "status", "pending", "time"]
    table = [[*columns, "reason"]] + [
        [_cell(row[c]) for c in columns] + [row["reason"] or ""] for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())
    return 0


def _cell(value: object) -> str:
    """A cell of the table: every name, comma-separated; ``-`` for none."""
    if isinstance(value, list):
        return ",".join(value) or "-"
    return "-" if value is None else str(value)


def show_actor(store: Store, args: argparse.Namespace) -> int:
    """``show``: one actor's row, as ``list`` shows it, one field a line."""
    actor = actor_arg(store, args.actor)
    views = ActorViews(store, waiting=True)
    if not views.has(actor):
        raise Refused(
            f"the actor {actor} has no head, no failed mark and no message in this store "
            "(RUN-001, RUN-004.4)"
        )
    row = _row(views.view(actor))
    if args.json:
        print_json(row)
        return 0
    for key, value in row.items():
        if key != "name":
            print(f"{key:8} {_cell(value)}")
    return 0


def history_rows(store: Store, actor: ObjectId) -> list[dict[str, Any]]:
    """Each step of ``actor``'s history, first to head: the messages it read (its inbox
    moved past them, WIT-005) and sent (its outbox gained them, WIT-004), and for a
    revert step (told by its shape, RUN-024.5) ``revert_to``, the step below whose core
    it holds (``None`` for any other step)."""
    rows: list[dict[str, Any]] = []
    previous: Step | None = None
    steps = list(history(store, actor))
    times = step_times(store, (step_id for step_id, _ in steps))
    reverts = revert_sources(steps)
    for step_id, step in steps:
        read, sent = step_traffic(store, step, previous)
        source = reverts.get(step_id)
        rows.append(
            {
                "step": step_id.hex(),
                "actor": step.actor.hex(),
                "core": step.core.hex(),
                "time": format_step_time(times.get(step_id)),
                "read": traffic_rows(read, "sender"),
                "sent": traffic_rows(sent, "recipient"),
                "revert_to": None if source is None else source.hex(),
            }
        )
        previous = step
    return rows


def _party(text: str) -> str:
    """A party as the text output names it: the outside (WIT-012) as ``outside`` wherever
    it stands, sender or recipient; an actor by its id."""
    return "outside" if text in ("outside", _OUTSIDE_HEX) else text


_OUTSIDE_HEX: Final = OUTSIDE.hex()


def show_history(store: Store, args: argparse.Namespace) -> int:
    """``history``: per step its id, time, and the messages it read and sent."""
    actor = actor_arg(store, args.actor)
    rows = history_rows(store, actor)
    if not rows:
        raise Refused(f"the actor {actor} has no step in this store (no head, RUN-001)")
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        label = "" if row["revert_to"] is None else f"  revert to {row['revert_to']}"
        print(f"step {row['step']}  time {row['time'] or '-'}  core {row['core']}{label}")
        for item in row["read"]:
            print(f"  read {_party(item['sender'])} {item['message']} {item['mt'] or '-'}")
        for item in row["sent"]:
            print(f"  sent {_party(item['recipient'])} {item['message']} {item['mt'] or '-'}")
    return 0


def show_timers(store: Store, args: argparse.Namespace) -> int:
    """``timers``: the timers the actor set that are pending, soonest first (TIM-005.2)."""
    from ..runtime import pending_timers

    actor = actor_arg(store, args.actor)
    rows = [
        {"id": t.id.hex(), "to": t.to.hex(), "mt": t.mt, "set_for": t.set_for}
        for t in pending_timers(store, actor)
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        to = _party(str(row["to"]))
        print(f"timer {row['id']}  to {to}  mt {row['mt']}  set for {row['set_for']}")
    return 0


def _side(store: Store, oid: ObjectId) -> dict[str, Any]:
    """One side of a change: the id, and for a blob its size and, when small UTF-8, text."""
    obj = store.get_object(oid)
    if not isinstance(obj, Blob):
        return {"id": oid.hex(), "kind": type(obj).__name__.lower(), "size": None, "text": None}
    try:
        text = obj.data.decode("utf-8") if len(obj.data) <= SMALL_TEXT else None
    except UnicodeDecodeError:
        text = None
    return {"id": oid.hex(), "kind": "blob", "size": len(obj.data), "text": text}


def diff_cores(store: Store, old: ObjectId, new: ObjectId, path: str = "") -> list[dict[str, Any]]:
    """The entries of two cores that differ, path by path (``a/b``), in name order: each
    ``added``, ``removed`` or ``changed`` (a tree on both sides is compared inside)."""
    if old == new:
        return []
    before, after = store.get_object(old), store.get_object(new)
    left = before.entries if isinstance(before, Tree) else {}
    right = after.entries if isinstance(after, Tree) else {}
    changes: list[dict[str, Any]] = []
    for name in sorted(set(left) | set(right)):
        where = f"{path}{name}"
        a, b = left.get(name), right.get(name)
        if a == b:
            continue
        if a is not None and b is not None:
            trees = isinstance(store.get_object(a), Tree) and isinstance(store.get_object(b), Tree)
            if trees:
                changes.extend(diff_cores(store, a, b, where + "/"))
                continue
        change = "added" if a is None else "removed" if b is None else "changed"
        changes.append(
            {
                "path": where,
                "change": change,
                "old": None if a is None else _side(store, a),
                "new": None if b is None else _side(store, b),
            }
        )
    return changes


def _shown(side: dict[str, Any] | None) -> str:
    if side is None:
        return "-"
    if side["text"] is not None:
        return json.dumps(side["text"])  # quoted, every control character escaped
    size = "" if side["size"] is None else f", {side['size']} bytes"
    return f"{side['kind']} {side['id']}{size}"


def show_diff(store: Store, args: argparse.Namespace) -> int:
    """``diff``: how the core of STEP_B differs from that of STEP_A."""
    actor = actor_arg(store, args.actor)
    chain = {step_id: step for step_id, step in history(store, actor)}
    if not chain:
        raise Refused(f"the actor {actor} has no step in this store (no head, RUN-001)")
    cores = []
    for text in (args.step_a, args.step_b):
        step_id = step_arg(store, actor, text)
        if step_id not in chain:
            raise Refused(f"{step_id} is not a step of {actor}'s history")
        cores.append(chain[step_id].core)
    changes = diff_cores(store, cores[0], cores[1])
    if args.json:
        print_json(changes)
        return 0
    mark = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes:
        old, new = _shown(change["old"]), _shown(change["new"])
        shown = (
            new
            if change["change"] == "added"
            else old
            if change["change"] == "removed"
            else f"{old} -> {new}"
        )
        print(f"{mark[change['change']]} {change['path']}  {shown}")
    return 0
