"""Every host function of ABI 1, fuzzed with hostile numbers through a real guest.

For each host function ``F`` (WASM-009 … WASM-014) one module reads its arguments from
the core entry ``args`` (``core_read``: little-endian ``u32`` words, then random bytes
for the pointers to land on) and calls ``F`` with them, from ``step`` and from
``query``.  The arguments are what a hostile guest can pass: pointers and lengths
anywhere in ``0 … 2**32 - 1``, mostly near the two-page memory's end, message
indices around ``msg_count()``, entry positions, flags with every bit.

The call must end as the spec says a call ends — its result, or a typed error of
WASM-015 … WASM-019 (``trap``, ``fuel-exhausted``, ``output-too-large``), never an
error of the host's own language — and the host's memory must stay within
:data:`BOUND` (tracemalloc's peak over the call: the output limits and 16 times the
guest's memory limit).  The engine keeps serving after every example.  25 examples per
function, 1500 under ``GRITWIT_PROFILE=deep`` (``profiles.py``).
"""

from __future__ import annotations

import struct
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import PROFILE
from wasm_support import load, message, put, wasm_core, wat

import gritwit as g
from gritwit._errors import FuelExhausted, GritError, OutputTooLarge, UnknownQuery, WasmTrap
from gritwit.wasm import WasmLimits, WasmWits
from gritwit.wasm._abi import QUERY_IMPORTS, STEP_IMPORTS
from gritwit.wit import OUTSIDE
from gritwit.wit._actors import QueryInput
from gritwit.wit._model import Overlay, TransitionInput

#: Examples per function: the default run stays quick, ``GRITWIT_PROFILE=deep`` goes further.
EXAMPLES = 25 if PROFILE == "ci" else 1500
PAGES = 2
MEMORY = PAGES << 16
#: Where the module keeps the path ``args`` (past what core_read may fill).
PATH_AT = MEMORY - 16
#: How many bytes of ``args`` core_read copies to address 0.
ARGS_CAP = 4096
#: Small limits, so that every limit is within reach of a few calls.
LIMITS = WasmLimits(fuel=20_000_000, memory_pages=4, output_bytes=1 << 16, output_effects=16)
#: The host may hold its output (the limits) and, per call, what it parses from guest
#: memory: a header block of the whole memory made of one-byte names and empty values is
#: a list of Python strings about 16 times its size.  Linear in the guest's memory limit,
#: never in what the guest asks for (a writev-like copy per listing would break it).
BOUND = 4 * LIMITS.output_bytes + 16 * LIMITS.memory_pages * 65536 + (1 << 20)
#: The typed ends of a call (WASM-015 … WASM-019), and of a query that answers nothing
#: (WASM-014.7).
TYPED = (WasmTrap, FuelExhausted, OutputTooLarge, UnknownQuery)
WITS = WasmWits(LIMITS)


def _module(name: str, arity: int) -> bytes:
    """A module whose ``step`` and ``query`` call ``name`` with the words of ``args``."""
    params = " ".join(["i32"] * arity)
    loads = " ".join(f"(i32.load (i32.const {4 * k}))" for k in range(arity))
    body = f"""
      (drop (call $read (i32.const {PATH_AT}) (i32.const 4) (i32.const 0) (i32.const {ARGS_CAP})))
      (drop (call $f {loads}))"""
    return wat(
        f"""(module
          (import "gritwit" "core_read" (func $read (param i32 i32 i32 i32) (result i32)))
          (import "gritwit" "{name}" (func $f (param {params}) (result i32)))
          (memory (export "memory") {PAGES})
          (data (i32.const {PATH_AT}) "args")
          (func (export "step") {body})
          (func (export "query") {body}))"""
    )


#: A number a hostile guest passes: near the memory's end most often, anything at all.
NUMBER = st.one_of(
    st.integers(0, 300),
    st.integers(MEMORY - 300, MEMORY + 300),
    st.sampled_from([0, 1, 2, 3, 64, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]),
    st.integers(0, 2**32 - 1),
)
#: The bytes the pointers land on: names of the core and the messages, NULs, anything.
PAYLOAD = st.lists(
    st.one_of(
        st.sampled_from([b"a", b"t", b"t/b", b"args", b"mt", b"x\x00", b"\x00", b"/", b".."]),
        st.binary(max_size=64),
    ),
    max_size=24,
).map(b"".join)


def _store_and_core(wasm: bytes, args: list[int], payload: bytes) -> tuple[g.Store, g.Tree]:
    store = g.Store.memory()
    words = struct.pack(f"<{len(args)}I", *args).ljust(64, b"\x00")
    state: dict[str, g.GritObject] = {
        "args": g.Blob(data=words + payload),
        "a": g.Blob(data=b"hello", headers={"mt": "x"}),
        "t": g.Tree(entries={"b": put(store, g.Blob(data=b"b" * 300))}),
    }
    return store, wasm_core(store, wasm, state)


def _step(wasm: bytes, store: g.Store, core: g.Tree) -> None:
    actor = g.object_id(core)
    tree = g.Tree(
        entries={
            "a": put(store, g.Blob(data=b"x")),
            "b": put(store, g.Tree(entries={"c": put(store, g.Blob(data=b"c"))})),
        }
    )
    found = {
        OUTSIDE: (
            message(store, "genesis", actor),
            message(store, "note", g.Blob(data=b"payload", headers={"k": "v"})),
            message(store, None, tree),
        )
    }
    inp = TransitionInput(
        actor=actor, last_step=None, core=core, pending=found, objects=Overlay(store)
    )
    load(WITS, store, wasm)(inp)


def _query(wasm: bytes, store: g.Store, core: g.Tree) -> None:
    actor = g.object_id(core)
    step = g.Step(actor=actor, core=g.object_id(core))
    put(store, step)
    inp = QueryInput(actor=actor, step=step, core=core, objects=Overlay(store))
    load(WITS, store, wasm).query("q", inp)


def _bounded(call: object) -> None:
    """Run ``call``: a result or a typed end, within :data:`BOUND` of host memory."""
    assert callable(call)
    tracemalloc.start()
    try:
        call()
    except TYPED:
        pass
    except GritError as exc:  # a class no host call may end with (UnknownQuery: only a query)
        pytest.fail(f"{type(exc).__name__} ({exc.error_class}): {exc}")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= BOUND, f"the host held {peak} bytes (bound {BOUND})"


#: Each mode's host functions and how a module calling one is run: a step's functions in a
#: step (WASM-007.4), a query's in a query (WASM-014).
_MODES = {
    "step": (STEP_IMPORTS, _step, "WASM-007.4"),
    "query": (QUERY_IMPORTS, _query, "WASM-014"),
}


@pytest.mark.req("WASM-007.2", "WASM-015", "WASM-018", "WASM-019")
@pytest.mark.parametrize(
    ("mode", "name"),
    [
        pytest.param(mode, name, marks=pytest.mark.req(clause), id=f"{mode}-{name}")
        for mode, (imports, _, clause) in _MODES.items()
        for name in sorted(imports)
    ],
)
@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data(), payload=PAYLOAD)
def test_a_host_function_ends_typed_and_bounded(
    mode: str, name: str, data: st.DataObject, payload: bytes
) -> None:
    imports, call, _ = _MODES[mode]
    wasm = _module(name, imports[name])
    args = data.draw(st.lists(NUMBER, min_size=imports[name], max_size=imports[name]))
    store, core = _store_and_core(wasm, args, payload)
    load(WITS, store, wasm)  # compiled and cached before the host's memory is measured
    _bounded(lambda: call(wasm, store, core))


@pytest.mark.req("WASM-014")
@pytest.mark.parametrize("name", sorted(QUERY_IMPORTS))
def test_a_query_function_called_in_a_step_traps(name: str) -> None:
    """The other mode's functions trap (WASM-014), whatever their arguments."""
    wasm = _module(name, QUERY_IMPORTS[name])
    store, core = _store_and_core(wasm, [0] * QUERY_IMPORTS[name], b"")
    with pytest.raises(WasmTrap):
        _step(wasm, store, core)
