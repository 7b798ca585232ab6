"""The reference's side of SBX-005.23 and SBX-005.24: its ``poll_oneoff``, and what it says
when ``tempfile`` has no directory (the suite checks the classes,
``suite/sandbox/test_clock_only_calls.py``).

``poll_oneoff`` is called here as every guest call is (:func:`~gritwit.sandbox.wasi._linker.serve`:
paid, an errno or the run's typed end) on a real guest memory: a poll of clocks already
due at the fixed time answers each subscription at once, anything else is refused
``ENOTSUP`` and recorded as a forbidden operation, and every range is checked first.
"""

from __future__ import annotations

import ctypes
import struct

import pytest
import wasmtime

import gritwit as g
from gritwit.sandbox import INSTALL_HINT, interpreter_path, run_python
from gritwit.sandbox._run import TEMP_HINT
from gritwit.sandbox.wasi._calls import FUNCTIONS
from gritwit.sandbox.wasi._cost import BYTE_FUEL, CALL_FUEL
from gritwit.sandbox.wasi._fs import FIXED_TIME_NS, Directory, Filesystem
from gritwit.sandbox.wasi._linker import WasiState, serve

ENOTSUP, EFAULT = 58, 21
SUB, EVENT = 48, 32
#: Where the subscriptions, the events and the count go in the guest's one page.
SUBS_AT, EVENTS_AT, OUT_AT = 0, 4096, 8192
FUEL = 10**9

_CONFIG = wasmtime.Config()
_CONFIG.consume_fuel = True
FUELLED = wasmtime.Engine(_CONFIG)


def _guest() -> tuple[WasiState, wasmtime.Store, wasmtime.Memory]:
    fs = Filesystem(Directory(), {}, budget=0, stdout=lambda b: len(b), stderr=lambda b: len(b))
    store = wasmtime.Store(FUELLED)
    store.set_fuel(FUEL)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, 1)))
    state = WasiState(b"seed" * 8, fs)
    state.context = ctypes.cast(store._context(), ctypes.c_void_p).value or 0
    state.memory = memory._memory
    return state, store, memory


def _clock(userdata: int, timeout: int, *, clock: int = 0, absolute: bool = False) -> bytes:
    return struct.pack("<QB7xIxxxxQQH6x", userdata, 0, clock, timeout, 1, int(absolute))


def _descriptor(userdata: int, fd: int, kind: int = 1) -> bytes:
    return struct.pack("<QB7xI28x", userdata, kind, fd)


def _poll(
    subscriptions: list[bytes], count: int | None = None, **where: int
) -> tuple[int, list[tuple[int, int, int]], int, WasiState, int]:
    """``poll_oneoff`` of ``subscriptions``: its errno, the events written (userdata,
    error, type), the count written, the state and the fuel it took."""
    state, store, memory = _guest()
    memory.write(store, b"\xff" * (1 << 16), 0)
    memory.write(store, b"".join(subscriptions), SUBS_AT)
    params, _, function = FUNCTIONS["poll_oneoff"]
    n = len(subscriptions) if count is None else count
    args = (
        where.get("subs", SUBS_AT),
        where.get("events", EVENTS_AT),
        n,
        where.get("out", OUT_AT),
    )
    result = serve(state, "poll_oneoff", function, args)
    assert isinstance(result, int) and len(params) == 4
    raw = memory.read(store, EVENTS_AT, EVENTS_AT + EVENT * len(subscriptions))
    events = [struct.unpack_from("<QHB", raw, EVENT * i) for i in range(len(subscriptions))]
    written = int.from_bytes(memory.read(store, OUT_AT, OUT_AT + 4), "little")
    return result, events, written, state, FUEL - store.get_fuel()


@pytest.mark.req("SBX-005.23", "SBX-005.4", "SBX-006.5")
def test_clocks_due_at_the_fixed_time_are_answered_at_once() -> None:
    subscriptions = [
        _clock(7, 0),  # relative, 0: due
        _clock(8, FIXED_TIME_NS, clock=1, absolute=True),  # absolute, the fixed time
        _clock(9, 0, clock=3, absolute=True),  # absolute, long past
    ]
    errno, events, written, state, fuel = _poll(subscriptions)
    assert (errno, written, state.forbidden) == (0, 3, [])
    assert events == [(7, 0, 0), (8, 0, 0), (9, 0, 0)]
    assert fuel == CALL_FUEL + BYTE_FUEL * (SUB + EVENT) * 3  # paid as bytes moved


@pytest.mark.req("SBX-005.23", "SBX-005.3")
@pytest.mark.parametrize(
    "subscription",
    [
        _clock(1, 1),  # one nanosecond from now: a sleep
        _clock(1, 10**9),
        _clock(1, FIXED_TIME_NS + 1, absolute=True),  # an absolute time after the fixed one
        _clock(1, 0, clock=4),  # no WASI clock
        _descriptor(1, 0),  # fd_read
        _descriptor(1, 1, kind=2),  # fd_write
    ],
)
def test_a_poll_that_would_wait_is_refused_and_forbidden(subscription: bytes) -> None:
    for subscriptions in ([subscription], [_clock(0, 0), subscription]):
        errno, events, written, state, _ = _poll(subscriptions)
        assert (errno, state.forbidden) == (ENOTSUP, ["poll_oneoff"])
        assert written == 0xFFFFFFFF and events[0][0] == 2**64 - 1  # nothing written


@pytest.mark.req("SBX-005.23", "SBX-005.3")
def test_a_poll_of_nothing_is_refused() -> None:
    errno, _, _, state, _ = _poll([], count=0)
    assert (errno, state.forbidden) == (ENOTSUP, ["poll_oneoff"])


@pytest.mark.req("SBX-005.23", "SBX-005.15")
@pytest.mark.parametrize(
    "where", [{"subs": 65536 - SUB + 1}, {"events": 65536 - EVENT + 1}, {"out": 65533}]
)
def test_every_range_is_checked_before_anything_is_written(where: dict[str, int]) -> None:
    errno, events, written, state, _ = _poll([_clock(5, 0)], **where)
    assert (errno, state.forbidden) == (EFAULT, [])
    assert events[0][0] == 2**64 - 1 and written == 0xFFFFFFFF


@pytest.mark.req("SBX-005.23", "SBX-005.15")
def test_a_huge_count_is_efault_not_a_copy() -> None:
    errno, _, _, state, fuel = _poll([_clock(5, 0)], count=2**32 - 1)
    assert (errno, state.forbidden) == (EFAULT, [])
    assert fuel == CALL_FUEL  # refused before a byte was paid for or copied


needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-005.24")
@pytest.mark.parametrize("call", ["tempfile.mkdtemp()", "tempfile.TemporaryFile()"])
def test_tempfile_without_a_directory_says_what_to_do(call: str) -> None:
    with pytest.raises(g.GritError) as caught:
        run_python(f"import tempfile\n{call}\n", store=g.Store.memory())
    assert caught.value.error_class == "forbidden-operation"
    message = str(caught.value)
    assert "open /tmp/" in message and message.endswith(TEMP_HINT)
    assert "dir='/out'" in TEMP_HINT and "/core" in TEMP_HINT


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-005.24")
def test_other_forbidden_opens_get_no_tempfile_hint() -> None:
    with pytest.raises(g.GritError) as caught:
        run_python("open('/etc/passwd')\n", store=g.Store.memory())
    assert "open /etc/passwd" in str(caught.value) and TEMP_HINT not in str(caught.value)
