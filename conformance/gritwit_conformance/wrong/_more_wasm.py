"""Wrong adapters of the Wasm group (chapter 08, profile ``wasm``); merged into WRONG.

Each patches the reference's Wasm engine in the adapter process, for clauses that
live in engine configuration or call plumbing no mutant reaches.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "wasm_mark_sets_cursor": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-010.1"}),
        "failed",
        "mark_read sets the sender's read mark instead of raising it: a later, lower mark of "
        "one step lowers it",
    ),
    "wasm_one_mark_per_step": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-010.1"}),
        "failed",
        "a step keeps one read mark, the last: marking two senders reads only the last one's",
    ),
    "wasm_reused_instance": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-005.1", "WASM-014.1"}),
        "failed",
        "instantiates each module once and runs every later step and query (without an "
        "image) in the same instance: globals and memory survive the call",
        smoke=True,
    ),
    "wasm_nan_uncanonical": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-006.1"}),
        "failed",
        "the engine is configured without NaN canonicalisation: a NaN keeps the CPU's sign "
        "and payload",
        smoke=True,
    ),
    "wasm_table_unlimited": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-017.2"}),
        "failed",
        "the store's limits are set without table_elements: table.grow beyond 10 000 succeeds",
        smoke=True,
    ),
    "wasm_restore_costs_fuel": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-025.6"}),
        "failed",
        "restoring an image is charged 4 units of fuel per byte of memory, as a guest-side "
        "copy loop would cost: a step of a 16 MiB image runs out of fuel",
        smoke=True,
    ),
    "wasm_image_counts_as_output": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-026.2"}),
        "failed",
        "a step's saved image is charged to its output limit: an actor with more than 1 MiB "
        "of non-zero pages fails every step with output-too-large",
        smoke=True,
    ),
    "wasm_oob_memory_limit": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-015.1"}),
        "failed",
        "an out-of-bounds memory access fails the step as memory-limit instead of trap",
        smoke=True,
    ),
    "wasm_trap_keeps_partial_step": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-021", "WASM-026.5"}),
        "failed",
        "a trap in step ends the step as a return would: what it did before the trap, and "
        "an image actor's memory as the trap left it, are adopted",
        smoke=True,
    ),
    "wasm_query_changes_kept": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-027.2"}),
        "failed",
        "caches restored image state by image id and refreshes it after every call, queries "
        "included: the next call from the same image sees what a query changed",
        smoke=True,
    ),
    "wasm_query_without_image": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-027.1"}),
        "failed",
        "restores images only for steps: a query of an image actor runs in a fresh instance",
        smoke=True,
    ),
    "wasm_fuel_limit_typo": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-020.2"}),
        "failed",
        "the fuel limit is 10 000 000 units, a zero short: calls within half the limit abort",
        smoke=True,
    ),
    "wasm_nul_terminates_copies": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-007.3"}),
        "failed",
        "NUL-terminates every value it copies out: one byte past the guest's buffer",
        smoke=True,
    ),
    "wasm_image_keeps_immutable_globals": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-024.7"}),
        "failed",
        "an image's globals take every exported global, immutable ones too: a module "
        "exporting no mutable global gets a globals tree",
        smoke=True,
    ),
    "wasm_restore_into_old_instance": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-025.5"}),
        "failed",
        "restores each image into the module's previous instance: hidden globals and tables "
        "keep what the last call left",
        smoke=True,
    ),
    "wasm_link_absent_is_absent": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-013.2"}),
        "failed",
        "core_link and send_object of an absent object return -1 at the call instead of "
        "failing the step's output check: the step succeeds without them",
        smoke=True,
    ),
    "wasm_absent_skips_buffer": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-007.2"}),
        "failed",
        "a copy-out answers -1 for an absent value before it checks its buffer: a buffer "
        "outside the memory is absent instead of a trap",
    ),
    "wasm_kept_instantiation_untyped": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-015.1"}),
        "failed",
        "a kept instance's instantiation lets wasmtime's trap escape untyped: a data "
        "segment past the memory's end fails the step 'failed', not 'trap'",
    ),
    "wasm_copy_out_returns_written": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-007.4"}),
        "failed",
        "a copy-out returns min(n, cap), the bytes written, instead of the value's length n",
    ),
    "wasm_encodes_before_counting": WrongAdapter(
        ("wasm",),
        frozenset({"WASM-018.4"}),
        "failed",
        "core_set and send hash the new blob before counting the output (core_set before "
        "its path too): a 16 MiB write fails at the encoder instead of output-too-large, "
        "and one through a blob fails the step instead of returning -1",
    ),
}
