"""More one-line misreadings (:mod:`._rows`): of clauses the change log names often.

The marks' acceptance table (``conformance/tests/_marks_table.py``, ADP-005.5) runs one
wrong adapter for each of the 30 clauses with the most entries of ``spec/CHANGES.md``;
these rows break the five of them no declared wrong adapter broke.  Each entry is what
:data:`._rows.ROWS` holds for a row, as plain data (as :mod:`._rows_runtime`'s): the
wrong adapter's :class:`~gritwit_conformance.wrong.WrongAdapter` and its bends, each
``(module, name, make)``; nothing of the reference is imported until a bend is made, in
the adapter's process.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

from gritwit_conformance.wrong._table import STARTUP_TIMEOUT, WrongAdapter

__all__ = ["MARKS_ROWS"]

#: A bend: ``module.name`` set to ``make(module)`` in the adapter process.
BendData = tuple[str, str, Callable[[Any], object]]


def _memory_doubled(module: Any) -> Callable[..., Any]:
    """The engine's ``_new_store`` with twice ABI 1's memory: 512 pages, not 256."""
    made = module._new_store

    def _new_store(engine: Any, limits: Any) -> Any:
        wider = dataclasses.replace(limits, memory_pages=limits.memory_pages * 2)
        return made(engine, wider)

    return _new_store


def _mt_case_folded(module: Any) -> type:
    """The test actors' reader ``_Out`` with every ``mt`` case-folded before an actor
    reads it: ``Inc`` is ``inc``."""
    base = module._Out

    class _Folded(base):  # type: ignore[misc,valid-type]
        __slots__ = ()

        def messages(self) -> Iterator[tuple[Any, Any]]:
            for sender, item in base.messages(self):
                if isinstance(item.mt, str) and item.mt.casefold() != item.mt:
                    folded = type(item)(id=item.id, message=item.message)
                    object.__setattr__(folded, "mt", item.mt.casefold())
                    item = folded
                yield sender, item

    return _Folded


def _fork_keys_unsorted(module: Any) -> Callable[[Any, Any], Any]:
    """``fork_blob`` writing ``step`` before ``actor``: the same JSON object, not its bytes."""

    def fork_blob(parent: Any, step: Any) -> Any:
        text = json.dumps({"step": step.hex(), "actor": parent.hex()})
        return module.Blob(data=text.encode("utf-8"), headers={"content-type": "application/json"})

    return fork_blob


#: name → the wrong adapter of one misread constant, table or threshold.
MARKS_ROWS: dict[str, tuple[WrongAdapter, tuple[BendData, ...]]] = {
    "wasm_memory_limit_doubled": (
        WrongAdapter(
            ("wasm",),
            frozenset({"WASM-016"}),
            "failed",
            "every call's store allows 512 pages of memory, not ABI 1's 256: a memory grown "
            "past 16 MiB does not fail memory-limit",
            timeout=STARTUP_TIMEOUT,
        ),
        (("gritwit.wasm._engine", "_new_store", _memory_doubled),),
    ),
    "wit_set_code_limit_off_by_one": (
        WrongAdapter(
            ("wit",),
            frozenset({"WIT-023.1"}),
            "failed",
            "updater copies a set-code blob of at most 57 343 bytes, not 57 344: one of "
            "exactly the limit is read without effect",
        ),
        (("gritwit.wit._actors", "MAX_CODE_NAME", lambda m: m.MAX_CODE_NAME - 1),),
    ),
    "wit_mt_case_folded": (
        WrongAdapter(
            ("wit",),
            frozenset({"WIT-028.4"}),
            "failed",
            "the test actors read mt case-folded: Inc is inc, so a counter counts a message "
            "whose mt names no row",
        ),
        (("gritwit.wit._actors", "_Out", _mt_case_folded),),
    ),
    "codec_bad_text_malformed": (
        WrongAdapter(
            ("codec",),
            frozenset({"ENC-008.1"}),
            "failed",
            "a text string that is not UTF-8 is refused as malformed, not invalid-utf8",
        ),
        (("gritwit._cbor", "InvalidUtf8", lambda m: m.Malformed),),
    ),
    "runtime_fork_blob_keys_unsorted": (
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-008.2"}),
            "failed",
            'a fork blob is {"step": …, "actor": …}: the same JSON object, not the bytes '
            "RUN-008.2 fixes, so the child's core and id differ",
        ),
        (("gritwit.runtime._fork", "fork_blob", _fork_keys_unsorted),),
    ),
}
