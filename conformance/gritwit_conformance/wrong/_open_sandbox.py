"""Open-loop wrong adapters of spec/09-sandbox.md (issue 24): written from spec/ alone, merged
into WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "open_sandbox_readdir_utf16_order": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.13"}),
        "failed",
        "fd_readdir lists names in UTF-16 code-unit order: a name in U+E000…U+FFFF comes "
        "after one above U+FFFF",
    ),
    "open_sandbox_sleep_not_forbidden": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.3"}),
        "failed",
        "poll_oneoff (time.sleep) fails ENOTSUP but is not a forbidden operation: the run "
        "ends program-exit, or succeeds when the program catches the OSError",
    ),
    "open_sandbox_stderr_unbounded": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.2"}),
        "failed",
        "the output limit bounds standard output only: a flood of standard error succeeds",
    ),
    "open_sandbox_overwrite_not_charged": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.4"}),
        "failed",
        "a file write is charged only for the bytes it adds to the file: rewriting in "
        "place never reaches the write budget",
    ),
    "open_sandbox_unchanged_file_loses_headers": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.3"}),
        "failed",
        "every file left in /core becomes a headerless blob, even an unchanged one: a "
        "blob with headers changes id",
    ),
    "open_sandbox_input_json_raw_utf8": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-010.4"}),
        "failed",
        "/input/transition.json writes characters beyond ASCII as raw UTF-8, not \\u "
        "escapes: other input bytes and another random seed",
    ),
}
