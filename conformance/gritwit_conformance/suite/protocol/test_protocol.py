"""The adapter protocol itself: handshake, errors, forward compatibility, shutdown (ADP-*)."""

from __future__ import annotations

import re

import blake3
import pytest

from gritwit_conformance.harness._implementation import Implementation, Subprocess

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
    assert hello["protocol"] == 1
    # MAJOR.MINOR.PATCH, or a development version of the spec, its text's label or not
    # (ADP-005.4, CONV-003.7, CONV-003.8)
    assert re.fullmatch(
        r"\d+\.\d+\.\d+(\.dev\d+(\+t[0-9a-f]{12})?)?", hello["implementation"]["spec"]
    )
    unknown = set(hello["profiles"]) - KNOWN_PROFILES
    assert not unknown, f"unknown profiles claimed: {sorted(unknown)}"
    for known in hello.get("known_failures", ()):  # ADP-005.3
        assert known["test"] and isinstance(known["reason"], str), known


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-008")
def test_unknown_commands_are_refused_and_the_adapter_keeps_running(impl: Implementation) -> None:
    reply = impl.call("teleport", destination="mars")
    assert not reply.ok and reply.error_class == "unsupported-command", reply
    assert impl.call("hash", bytes="").ok, "the adapter stopped answering after an unknown command"


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-002", "ADP-004.1")
def test_unknown_request_fields_are_ignored(impl: Implementation) -> None:
    reply = impl.call("hash", bytes="00", comment="fields from a newer harness")
    assert reply.ok and reply.result["digest"] == blake3.blake3(b"\x00").hexdigest()


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-011.1")
def test_shutdown_ends_the_process(impl: Implementation) -> None:
    if not isinstance(impl, Subprocess):
        assert impl.call("hash", bytes="").ok
        return
    separate = Subprocess(impl.label, timeout=impl.timeout, scale=impl.scale)
    separate.info()
    process = separate._proc
    assert process is not None
    assert separate.call("shutdown").ok
    assert process.shutdown(grace=5.0) == 0, "the adapter did not exit with status 0 after shutdown"
    separate._proc = None


@pytest.mark.profile("codec")  # its vehicle is the codec command hash (ADP-006)
@pytest.mark.smoke
@pytest.mark.req("ADP-004.2")
@pytest.mark.parametrize("text", ["AB", "ab cd", "abc", "0x00"])
def test_byte_strings_are_lowercase_hex(impl: Implementation, text: str) -> None:
    reply = impl.call("hash", bytes=text, check=False)
    assert not reply.ok and reply.error_class == "bad-request", reply


@pytest.mark.smoke
@pytest.mark.req("ADP-005.2")
@pytest.mark.parametrize("version", [0, 2, 999])
def test_hello_refuses_other_protocol_versions(impl: Implementation, version: int) -> None:
    reply = impl.probe_hello(version)
    assert not reply.ok and reply.error_class == "unsupported-protocol", (
        f"hello with protocol {version} must be refused with unsupported-protocol, got {reply}"
    )


@pytest.mark.smoke
@pytest.mark.req("ADP-011.2")
def test_closing_stdin_ends_the_process(impl: Implementation) -> None:
    if not isinstance(impl, Subprocess):
        pytest.skip("an in-process implementation has no standard input")
    separate = Subprocess(impl.label, timeout=impl.timeout, scale=impl.scale)
    separate.info()
    process = separate._proc
    assert process is not None
    status = process.shutdown(grace=5.0)  # closes stdin without sending shutdown
    separate._proc = None
    assert status is not None, "the adapter did not exit within 5 s of its input closing"
