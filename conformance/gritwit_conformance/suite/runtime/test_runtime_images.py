"""An image actor's state survives eviction, restart, a bundle and a fork (WASM-029).

The image actor (``conformance/wasm/image/image_counter.wasm``) keeps its state in
plain Wasm memory and globals; the host keeps them in the actor's core (WASM-023).
Its documented behaviour fixes what each query must answer: ``append`` adds the
content at the end of a buffer, the query ``buffer`` answers the buffer and
``count`` the number of writes.
Between two calls the actor is evicted (RUN-012), its runtime restarted (RUN-007),
exported and imported into another runtime (RUN-009), and forked (RUN-008): each
time the next call must see exactly the memory of an uninterrupted run, and a fork
child must start from its parent's image at the fork step, neither then changing
the other (WASM-029.1, WASM-029.2).  Every answer is also compared with the
in-process reference fed the same commands, so the steps' ids must be those of the
reference's uninterrupted run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.data._paths import wasm_dir
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._drive import SideBySide

pytestmark = pytest.mark.profile("runtime", "wasm")  # Wasm actors: both profiles (ADP-006)

MODULE = (wasm_dir() / "image" / "image_counter.wasm").read_bytes()


def _append(both: SideBySide, where: str, actor: str, text: bytes) -> None:
    both(where, "rt-send", to=actor, mt="append", content={"blob": text.hex()})
    run = both(where, "rt-run", max_steps=50)
    check_equal("WASM-029", [], run["failures"], "rt-run's failures")
    check(
        "WASM-029",
        run["quiescent"],
        expected="a value, not empty",
        came=run,
        what="rt-run's quiescent",
    )


def _buffer(both: SideBySide, where: str, actor: str) -> bytes:
    return bytes.fromhex(both(where, "rt-query", actor=actor, name="buffer")["data"])


def _count(both: SideBySide, where: str, actor: str) -> int:
    return int(bytes.fromhex(both(where, "rt-query", actor=actor, name="count")["data"]))


@pytest.mark.smoke
@pytest.mark.req("WASM-029.1", "RUN-012.5", "RUN-007.1", "RUN-009.5")
def test_an_image_survives_eviction_restart_and_a_bundle(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="WASM-029.1")
    try:
        both.open("a")
        actor = both("a", "rt-genesis", module=MODULE.hex(), state={"image": ""})["actor"]
        _append(both, "a", actor, b"hello")
        check_equal("WASM-029.1", b"hello", _buffer(both, "a", actor))
        both("a", "rt-evict")  # the image is in the core only now (WASM-029.1)
        _append(both, "a", actor, b" world")
        check_equal(
            "WASM-029.1",
            b"hello world",
            _buffer(both, "a", actor),
            "the image was lost at eviction",
        )
        both.kill()  # SIGKILL: the next command starts a new process (RUN-007)
        both.open("a")
        _append(both, "a", actor, b".")
        check_equal(
            "WASM-029.1",
            b"hello world.",
            _buffer(both, "a", actor),
            "the image was lost at restart",
        )
        bundle = both("a", "rt-export", actor=actor)["bundle"]
        both.open("b")
        both("b", "rt-import", bundle=bundle)
        _append(both, "b", actor, b"!")
        check_equal(
            "WASM-029.1",
            b"hello world.!",
            _buffer(both, "b", actor),
            "the image was lost in the bundle",
        )
        check_equal("WASM-029.1", 4, _count(both, "b", actor), "the count")
    finally:
        both.kill()


@pytest.mark.smoke
@pytest.mark.req("WASM-029.2", "RUN-008.1", "RUN-008.7")
def test_a_fork_starts_from_the_parent_image_and_they_stay_apart(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="WASM-029.2")
    try:
        both.open("a")
        parent = both("a", "rt-genesis", module=MODULE.hex(), state={"image": ""})["actor"]
        _append(both, "a", parent, b"one")
        at_step = both("a", "rt-head", actor=parent)["step"]
        _append(both, "a", parent, b"-two")
        child = both("a", "rt-fork", actor=parent, step=at_step)["actor"]
        check_equal(
            "WASM-029.2",
            b"one",
            _buffer(both, "a", child),
            "the child must start from the fork step",
        )
        _append(both, "a", child, b"-child")
        _append(both, "a", parent, b"-three")
        check_equal("WASM-029.2", b"one-child", _buffer(both, "a", child))
        check_equal("WASM-029.2", b"one-two-three", _buffer(both, "a", parent))
        check_equal("WASM-029.2", (3, 2), (_count(both, "a", parent), _count(both, "a", child)))
    finally:
        both.kill()
