"""Open-loop wrong adapters of spec/08-wasm.md (issue 24): written from spec/ alone, merged into
WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_wasm_fuel_per_value_byte": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-019"}),
        "failed",
        "a copy-out host call is charged per byte of the value (n), not per byte copied "
        "(min(n, cap)): a loop of length queries runs out of fuel far below the limit",
    ),
    "open_wasm_stack_overflow_memory_limit": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-015.1"}),
        "failed",
        "exhausting the call stack (unbounded recursion) fails memory-limit instead of trap",
    ),
    "open_wasm_grow_to_limit_refused": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-017.1"}),
        "failed",
        "memory.grow to exactly the 256-page limit returns -1 (the limiter allows < limit)",
    ),
    "open_wasm_image_start_every_step": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-025.1"}),
        "failed",
        "an image actor is restored into an instance made with its start function, so the "
        "start function (and its host calls) runs before every step, not only the first",
    ),
    "open_wasm_entries_name_order": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-009.6"}),
        "failed",
        "msg_entry numbers a tree's entries in plain byte order of the names, not in "
        "canonical order (length first): 'aa' before 'b'",
    ),
    "open_wasm_buffer_checked_to_value": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-007.2"}),
        "failed",
        "a copy-out buffer is bounds-checked only for the bytes written, not its whole cap "
        "(nor at all for an absent value): a buffer past the memory's end does not trap",
    ),
    "open_wasm_output_limit_exclusive": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-018.3"}),
        "failed",
        "output of exactly 1 MiB (or the 1024th effect) already fails output-too-large (>=)",
    ),
    "open_wasm_kept_instance_not_reset": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-005.1"}),
        "failed",
        "a kept instance of a memory-only module gets its fuel refilled but not its initial "
        "memory back: a step sees what the previous call left in memory",
    ),
}
