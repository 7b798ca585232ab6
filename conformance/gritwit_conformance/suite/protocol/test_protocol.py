"""The adapter protocol itself: handshake, errors, forward compatibility, shutdown (ADP-*)."""

from __future__ import annotations

import re

import blake3
import pytest

from gritwit_conformance.harness._implementation import Implementation, Subprocess

from .._check import (
    SuiteBug,
    check,
    check_equal,
    check_outcome,
    error_answer,
    ok_answer,
)

pytestmark = pytest.mark.profile("protocol")

KNOWN_PROFILES = {
    "codec",
    "store",
    "wit",
    "runtime",
    "wasm",
    "perf",
    "sandbox",
    "http",
    "services",
    "port",
}


@pytest.mark.smoke
@pytest.mark.req(
    "ADP-001.1", "ADP-001.2", "ADP-001.3", "ADP-001.4", "ADP-003.1", "ADP-003.2", "ADP-005.1",
    "ADP-005.3", "ADP-005.4", "ADP-013", "CONV-003",
)  # fmt: skip
def test_handshake(impl: Implementation) -> None:
    hello = impl.info()  # schema-checked by the harness (ADP-013)
    check_equal("ADP-005.1", 1, hello.get("protocol"), "hello's protocol")
    # MAJOR.MINOR.PATCH, or a development version of the spec, its text's label or not
    # (ADP-005.4, CONV-003.7, CONV-003.8)
    spec = hello["implementation"]["spec"]
    check(
        ("ADP-005.4", "CONV-003"),
        isinstance(spec, str) and re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+(\+t[0-9a-f]{12})?)?", spec),
        expected="MAJOR.MINOR.PATCH in decimal, or a development version (….devN, its "
        "text's label +t and 12 hex digits or not)",
        came=spec,
        what="hello's implementation.spec",
    )
    unknown = set(hello["profiles"]) - KNOWN_PROFILES
    check_equal(
        "ADP-005.1", [], sorted(unknown), "the profiles hello claims that the spec defines none of"
    )
    for known in hello.get("known_failures", ()):  # ADP-005.3
        check(
            "ADP-005.3",
            isinstance(known, dict) and known.get("test") and isinstance(known.get("reason"), str),
            expected='{"test": <a test id prefix, not empty>, "reason": <text>}',
            came=known,
            what="an entry of hello's known_failures",
        )


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-008")
@pytest.mark.req("CONV-004")
def test_unknown_commands_are_refused_and_the_adapter_keeps_running(impl: Implementation) -> None:
    reply = impl.call("teleport", destination="mars")
    error_answer(reply, "ADP-008", "unsupported-command", "teleport, a command no spec defines")
    check_outcome(
        "ADP-008",
        impl.call("hash", bytes=""),
        "ok",
        "hash of no bytes after an unknown command: the adapter keeps running",
    )


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-002", "ADP-004.1")
def test_unknown_request_fields_are_ignored(impl: Implementation) -> None:
    reply = impl.call("hash", bytes="00", comment="fields from a newer harness")
    what = "hash of 00 with an unknown field comment"
    result = ok_answer(reply, "ADP-002", f"{what}: the field is ignored")
    check_equal(
        ("ADP-002", "ADP-004.1"),
        blake3.blake3(b"\x00").hexdigest(),
        result.get("digest"),
        f"the digest of {what}: BLAKE3 of the byte 00, in lowercase hex",
    )


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-011.1")
def test_shutdown_ends_the_process(impl: Implementation) -> None:
    if not isinstance(impl, Subprocess):
        check_outcome("ADP-011.1", impl.call("hash", bytes=""), "ok", "hash of no bytes")
        return
    separate = Subprocess(impl.label, timeout=impl.timeout, scale=impl.scale)
    separate.info()
    process = separate._proc
    if process is None:
        raise SuiteBug("suite bug: a handshaken Subprocess has a process")
    check_outcome("ADP-011.1", separate.call("shutdown"), "ok", "shutdown: answered, then exit")
    check_equal(
        "ADP-011.1",
        0,
        process.shutdown(grace=5.0),
        "the adapter's exit status within 5 s of answering shutdown (null: it did not exit)",
    )
    separate._proc = None


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-004.2")
@pytest.mark.parametrize("text", ["AB", "ab cd", "abc", "0x00"])
@pytest.mark.req("CONV-004")
def test_byte_strings_are_lowercase_hex(impl: Implementation, text: str) -> None:
    reply = impl.call("hash", bytes=text, check=False)
    error_answer(reply, "ADP-004.2", "bad-request", f"hash of bytes {text!r}, not lowercase hex")


@pytest.mark.smoke
@pytest.mark.req("ADP-005.2")
@pytest.mark.parametrize("version", [0, 2, 999])
@pytest.mark.req("CONV-004")
def test_hello_refuses_other_protocol_versions(impl: Implementation, version: int) -> None:
    reply = impl.probe_hello(version)
    error_answer(
        reply, "ADP-005.2", "unsupported-protocol", f"hello with protocol {version}, not 1"
    )


@pytest.mark.smoke
@pytest.mark.req("ADP-011.2")
def test_closing_stdin_ends_the_process(impl: Implementation) -> None:
    if not isinstance(impl, Subprocess):
        pytest.skip("an in-process implementation has no standard input")
    separate = Subprocess(impl.label, timeout=impl.timeout, scale=impl.scale)
    separate.info()
    process = separate._proc
    if process is None:
        raise SuiteBug("suite bug: a handshaken Subprocess has a process")
    status = process.shutdown(grace=5.0)  # closes stdin without sending shutdown
    separate._proc = None
    check(
        "ADP-011.2",
        status is not None,
        expected="an exit within 5 s of its standard input closing",
        came="still running after 5 s (killed)",
    )
