"""Every rule of an image tree, each one broken on its own (WASM-024, WASM-025).

An image actor (``conformance/wasm/image/image_counter.wasm``) takes one step so that
its core holds a valid image; an ``update`` message (WIT-013: merged into the core,
no module call) then plants one malformed part of the image, and the next step, which
must restore the image first, has to fail → ``invalid-image`` and adopt nothing
(WASM-021). The unbroken control — the same update with a valid part — must keep
working, so a host that refuses every update does not pass.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data._paths import wasm_dir
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, suite_premise

pytestmark = pytest.mark.profile("wasm")

MODULE = (wasm_dir() / "image" / "image_counter.wasm").read_bytes()
PAGE = 65536


def _blob(data: bytes, **headers: str) -> dict[str, Any]:
    described: dict[str, Any] = {"blob": data.hex()}
    if headers:
        described["headers"] = headers
    return described


def _pages(n: int) -> dict[str, Any]:
    return _blob(n.to_bytes(4, "little"))


def _chunk(fill: int = 1) -> dict[str, Any]:
    return _blob(bytes([fill]) * PAGE)


#: name → the image part an update plants (merged into the existing image tree).
BROKEN: dict[str, dict[str, Any]] = {
    "extra-entry": {"junk": _blob(b"x")},
    "pages-3-bytes": {"pages": _blob(b"\x02\x00\x00")},
    "pages-5-bytes": {"pages": _blob(b"\x02\x00\x00\x00\x00")},
    "pages-with-headers": {"pages": _blob((2).to_bytes(4, "little"), mt="x")},
    "pages-a-tree": {"pages": {"tree": {"x": _blob(b"x")}}},
    "memory-a-blob": {"memory": _blob(b"x")},
    "chunk-name-4-digits": {"memory": {"tree": {"0001": _chunk()}}},
    "chunk-name-not-digits": {"memory": {"tree": {"0000a": _chunk()}}},
    "chunk-at-pages": {"pages": _pages(2), "memory": {"tree": {"00002": _chunk()}}},
    "chunk-short": {"memory": {"tree": {"00001": _blob(b"\x01" * (PAGE - 1))}}},
    "chunk-long": {"memory": {"tree": {"00001": _blob(b"\x01" * (PAGE + 1))}}},
    "chunk-all-zero": {"memory": {"tree": {"00001": _chunk(0)}}},
    "chunk-with-headers": {"memory": {"tree": {"00001": {**_chunk(), "headers": {"a": "b"}}}}},
    "chunk-a-tree": {"memory": {"tree": {"00001": {"tree": {"x": _blob(b"x")}}}}},
    "globals-a-blob": {"globals": _blob(b"x")},
    "global-wrong-size": {"globals": {"tree": {"count": _blob(b"\x01\x00\x00\x00")}}},
    "global-5-bytes": {"globals": {"tree": {"count": _blob(b"\x01" * 5)}}},
    "global-i32-in-8-bytes": {"globals": {"tree": {"length": _blob(b"\x01" + b"\x00" * 7)}}},
}
#: Valid parts: the same kinds of change, within the rules.
VALID: dict[str, dict[str, Any]] = {
    "chunk-at-last-page": {"pages": _pages(2), "memory": {"tree": {"00001": _chunk()}}},
    "global-right-size": {"globals": {"tree": {"count": _blob((41).to_bytes(8, "little"))}}},
    "more-pages": {"pages": _pages(3)},
    "pages-at-the-limit": {"pages": _pages(256)},
    "global-i32-right-size": {"globals": {"tree": {"length": _blob((2).to_bytes(4, "little"))}}},
}


def _image_actor(impl: Implementation, clause: Clause) -> tuple[str, str]:
    """A runtime and an image actor that took a step (its core holds a valid image);
    ``clause`` is the calling test's, which a refused command breaks."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=MODULE.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="append", content=_blob(b"ab"))
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
    check_equal(clause, [], run["failures"], "the image actor's first steps' failures")
    return runtime, actor


def _plant(
    impl: Implementation, runtime: str, actor: str, part: dict[str, Any], clause: Clause
) -> list[Any]:
    """Plant ``part`` by an update, append c: the failures of the step after it."""
    content = {"tree": {"image": {"tree": part}}}
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="update", content=content)
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
    check_equal(clause, [], run["failures"], "the update's failures (merged, no module call)")
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="append", content=_blob(b"c"))
    after = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
    still = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    failures: list[Any] = after["failures"]
    if failures:
        check_equal(
            "WASM-021", head, still, "the head after the failed step: unchanged, none adopted"
        )
    return failures


@pytest.mark.req(
    "WASM-024.2", "WASM-024.3", "WASM-024.4", "WASM-024.5", "WASM-024.6", "WASM-025.4", "WASM-021"
)
@pytest.mark.inputs("ascii", "past-largest")
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_malformed_image_fails_the_next_step(impl: Implementation, name: str) -> None:
    runtime, actor = _image_actor(impl, "WASM-025.4")
    failures = _plant(impl, runtime, actor, BROKEN[name], "WASM-025.4")
    check(
        ("WASM-025.4", "WASM-024.2"),
        failures and failures[0] == [actor, "invalid-image"],
        expected=f"[{actor}, invalid-image] first: the image part breaks WASM-024",
        came=failures,
        what=f"the failures of the step after planting the image part {name}",
    )
    call_ok(impl, "WASM-025.4", "wit-close", runtime=runtime)


#: What the queries answer after a valid part was planted and "c" appended.
EXPECTED: dict[str, dict[str, bytes]] = {
    # the data region starts at page 1: the planted chunk shows under the appended byte
    "chunk-at-last-page": {"buffer": b"\x01\x01c", "count": b"2"},
    "global-right-size": {"buffer": b"abc", "count": b"42"},
    "more-pages": {"buffer": b"abc", "count": b"2"},
    "pages-at-the-limit": {"buffer": b"abc", "count": b"2"},
    "global-i32-right-size": {"buffer": b"abc", "count": b"2"},
}


@pytest.mark.req("WASM-024.4", "WASM-024.6", "WASM-025.2", "WASM-025.3", "WASM-025.4", "WASM-027.1")
@pytest.mark.inputs("ascii", "largest")
@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.req("WASM-021")
def test_a_valid_image_part_is_restored_exactly(impl: Implementation, name: str) -> None:
    runtime, actor = _image_actor(impl, "WASM-025.2")
    check_equal(
        ("WASM-025.4", "WASM-024.4"),
        [],
        _plant(impl, runtime, actor, VALID[name], "WASM-025.2"),
        f"the failures of the step after planting the valid image part {name}",
    )
    for query, data in EXPECTED[name].items():
        answer = call_ok(impl, "WASM-025.2", "wit-query", runtime=runtime, actor=actor, name=query)
        check_equal(
            ("WASM-025.2", "WASM-025.3"),
            data.hex(),
            answer.get("data"),
            f"the answer to query {query} after {name}: the image restored exactly",
        )
    call_ok(impl, "WASM-025.2", "wit-close", runtime=runtime)


def _replace_image(
    impl: Implementation, runtime: str, actor: str, image: dict[str, Any], clause: Clause
) -> None:
    update = {"tree": {"image": image}}
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="update", content=update)
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
    check_equal(clause, [], run["failures"], "the update's failures (merged, no module call)")
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="append", content=_blob(b"c"))


@pytest.mark.req("WASM-023.1")
def test_an_image_entry_that_is_a_non_empty_blob_fails(impl: Implementation) -> None:
    runtime, actor = _image_actor(impl, "WASM-023.1")
    _replace_image(impl, runtime, actor, _blob(b"x"), "WASM-023.1")
    failures = call_ok(impl, "WASM-023.1", "wit-run", runtime=runtime, max_steps=10)["failures"]
    check_equal(
        "WASM-023.1",
        [[actor, "invalid-image"]],
        failures,
        "the failures of the step after image was set to a non-empty blob",
    )


@pytest.mark.req("WASM-023.2", "WASM-025.7")
def test_the_empty_blob_restarts_the_guest(impl: Implementation) -> None:
    """An update may set ``image`` to the empty blob: the next step starts afresh."""
    runtime, actor = _image_actor(impl, "WASM-023.2")
    _replace_image(impl, runtime, actor, _blob(b""), "WASM-023.2")
    run = call_ok(impl, "WASM-023.2", "wit-run", runtime=runtime, max_steps=10)
    check_equal(
        "WASM-023.2", [], run["failures"], "the failures of the step after image was emptied"
    )
    for query, data in {"buffer": b"c", "count": b"1", "starts": b"1"}.items():
        answer = call_ok(impl, "WASM-023.2", "wit-query", runtime=runtime, actor=actor, name=query)
        check_equal(
            ("WASM-023.2", "WASM-025.7"),
            data.hex(),
            answer.get("data"),
            f"the answer to query {query} after a restart: the guest started afresh",
        )


@pytest.mark.req("WASM-028", "WASM-016")
@pytest.mark.inputs("past-largest")
@pytest.mark.req("WASM-021")
def test_an_image_over_the_memory_limit_fails_with_memory_limit(impl: Implementation) -> None:
    """256 pages is the limit (WASM-016): allowed above; 257 → ``memory-limit`` (WASM-025)."""
    runtime, actor = _image_actor(impl, "WASM-028")
    failures = _plant(impl, runtime, actor, {"pages": _pages(257)}, "WASM-028")
    check(
        ("WASM-028", "WASM-016"),
        failures and failures[0] == [actor, "memory-limit"],
        expected=f"[{actor}, memory-limit] first: 257 pages pass the 256-page limit",
        came=failures,
        what="the failures of the step after planting pages 257",
    )
    call_ok(impl, "WASM-028", "wit-close", runtime=runtime)


def test_the_module_is_a_wasm_module() -> None:
    suite_premise(g.Blob(data=MODULE).data[:4] == b"\0asm", "image_counter.wasm is a module")
