"""One-line misreadings: wrong adapters that change one constant, table or threshold.

Each row of :data:`ROWS` is a whole wrong adapter, described once: what the suite must
report for it (its :class:`~gritwit_conformance.wrong.WrongAdapter`, merged into
:data:`~gritwit_conformance.wrong.WRONG`) and what it bends, each a reference
module's name set to a value made from that module (its original, or a text of it edited
in exactly one place).  One generic adapter runs every row:
``python -m gritwit_conformance.wrong._row <name>``
(:func:`~gritwit_conformance.wrong.command` gives it); each bend is installed with
:func:`~gritwit_conformance.wrong.patch`, so a name the reference no longer has is refused
as out of date.  Bugs that need code of their own keep a module of this package.

The table is plain data: importing it imports no reference module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from gritwit_conformance.wrong._rows_marks import MARKS_ROWS
from gritwit_conformance.wrong._rows_runtime import RUNTIME_ROWS
from gritwit_conformance.wrong._table import STARTUP_TIMEOUT, WrongAdapter

__all__ = ["ROWS", "Bend", "Row"]


@dataclass(frozen=True, slots=True)
class Bend:
    """``module.name`` set to ``make(module)`` in the adapter process."""

    module: str
    name: str
    make: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Row:
    """A wrong adapter that is nothing but the reference with these bends."""

    entry: WrongAdapter
    bends: tuple[Bend, ...]


def _to(module: str, name: str, make: Callable[[Any], object]) -> Bend:
    return Bend(module, name, make)


def _edit(*changes: tuple[str, str], name: str = "PRELUDE") -> Callable[[Any], str]:
    """The module's text ``name`` with each ``old`` (found exactly once) replaced by ``new``."""

    def make(module: Any) -> str:
        text: str = getattr(module, name)
        for old, new in changes:
            if text.count(old) != 1:
                raise AttributeError(
                    f"{module.__name__}.{name} no longer has {old!r} once: this wrong adapter "
                    "is out of date"
                )
            text = text.replace(old, new)
        return text

    return make


def _prelude(make: Callable[[Any], str]) -> tuple[Bend, ...]:
    """The sandbox prelude edited, as the sandbox's run and the prelude module both hold it."""
    return (
        _to("gritwit.sandbox._prelude", "PRELUDE", make),
        _to("gritwit.sandbox._run", "PRELUDE", make),
    )


def _without(key: str) -> Callable[[Any], dict[str, Any]]:
    """The module's table ``_STATUS`` without ``key``."""
    return lambda module: {k: v for k, v in module._STATUS.items() if k != key}


def _changed(key: str, status: int) -> Callable[[Any], dict[str, Any]]:
    """The module's table ``_STATUS`` with ``key``'s status changed."""
    return lambda module: {**module._STATUS, key: status}


class _EveryName:
    """A set of test actor names that holds every name."""

    def __contains__(self, name: object) -> bool:
        return True


def _unlimited(_: Any) -> int:
    return 1 << 62  # effectively unlimited


#: Every optional key of every type, where OBJ-018.7 allows null and {} only on a type's own
#: (the reference read them so before OBJ-018.7).
_EVERY_OPTIONAL = frozenset({"previous", "inbox", "outbox", "headers"})
#: What a host shell gives every process (the host's own values, fixed so that the
#: interpreter's start-up, and so its snapshot, is the same in every adapter process).
_HOST_ENVIRONMENT = ("HOME=/root", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin")
_LISTING_EVENTS = (
    '("open", "os.listdir", "os.scandir", "os.rename", "os.mkdir", "os.remove", "os.rmdir")'
)
_FORBID_OPEN = '        _forbid("open " + path[:200])\n'
_TMP_LET_THROUGH = (
    '        if path.startswith(("/tmp/", "/var/tmp/", "/usr/tmp/")):\n            return\n'
)

#: name → the wrong adapter of one misread constant, table or threshold.
ROWS: dict[str, Row] = {
    "accepts_non_shortest": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"ENC-007.2"}),
            "failed",
            "the decoder accepts integers, lengths and counts not in their shortest form",
        ),
        (_to("gritwit._cbor", "_MIN_FOR_WIDTH", lambda m: dict.fromkeys(m._MIN_FOR_WIDTH, 0)),),
    ),
    "sha256_ids": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"ID-001"}),
            "failed",
            "hashes with SHA-256 instead of BLAKE3-256 (every id and digest is wrong)",
            smoke=True,
        ),
        tuple(
            _to(module, "blake3", lambda _: SimpleNamespace(blake3=hashlib.sha256))
            for module in (
                "gritwit._codec",
                "gritwit.adapter._handler",
                "gritwit.store._store",
                "gritwit.store._batch",
            )
        ),
    ),
    "uppercase_mailbox_keys": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"OBJ-014", "ID-003"}),
            "failed",
            "the decoder accepts uppercase hex digits in mailbox keys",
        ),
        (_to("gritwit._objects", "_HEX", lambda _: frozenset("0123456789abcdefABCDEF")),),
    ),
    "no_size_limit": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"ENC-013.1", "ENC-013.2"}),
            "failed",
            "no 16 MiB limit: encodings of any size are accepted",
            smoke=True,
        ),
        (
            _to("gritwit._cbor", "MAX_SIZE", _unlimited),
            _to("gritwit._codec", "MAX_SIZE", _unlimited),
        ),
    ),
    "codec_signal_refused": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"OBJ-012"}),
            "failed",
            "treats a message's previous as required: signals are refused (encode and decode)",
            smoke=True,
        ),
        (
            _to(
                "gritwit._codec",
                "FIELDS",
                lambda m: {**m.FIELDS, "message": {**m.FIELDS["message"], "previous": True}},
            ),
            _to(
                "gritwit._codec",
                "_REQUIRED",
                lambda m: {**m._REQUIRED, "message": {"type", "content", "previous"}},
            ),
        ),
    ),
    "codec_step_without_outbox": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"OBJ-015", "OBJ-003.2"}),
            "failed",
            "the step schema lacks the optional outbox field: steps with an outbox are refused",
            smoke=True,
        ),
        (
            _to(
                "gritwit._codec",
                "_ALLOWED",
                lambda m: {**m._ALLOWED, "step": m._ALLOWED["step"] - {"outbox"}},
            ),
        ),
    ),
    "codec_mailbox_without_base": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"OBJ-013", "OBJ-003.2", "OBJ-019.2"}),
            "failed",
            "the mailbox schema lacks the optional base field: mailboxes over a base are refused",
            smoke=True,
        ),
        (
            _to(
                "gritwit._codec",
                "_ALLOWED",
                lambda m: {**m._ALLOWED, "mailbox": m._ALLOWED["mailbox"] - {"base"}},
            ),
        ),
    ),
    "codec_description_null_anywhere": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"OBJ-018.7"}),
            "failed",
            "reads null and {} as absent on any key of a description, not only the type's own",
        ),
        (
            _to(
                "gritwit._json",
                "_OPTIONAL",
                lambda m: dict.fromkeys(
                    ("blob", "tree", "message", "mailbox", "step"), _EVERY_OPTIONAL
                ),
            ),
        ),
    ),
    "protocol_repeated_keys_last_wins": Row(
        WrongAdapter(
            ("codec",),
            frozenset({"ADP-004.7", "OBJ-018.10"}),
            "failed",
            "reads a request line that repeats a key with the last value, and answers it",
            smoke=True,
        ),
        (_to("gritwit.adapter._stdio", "_no_repeats", lambda _: dict),),
    ),
    "perf_runtime_not_answered": Row(
        WrongAdapter(
            ("perf",),
            frozenset({"ADP-018.8"}),
            "failed",
            "claims perf, runtime and wasm but answers the runtime workloads bad-request, as an "
            "adapter written before them would",
        ),
        (_to("gritwit.adapter._perf", "ALL_WORKLOADS", lambda m: tuple(m.WORKLOADS)),),
    ),
    "runtime_outbox_ref_renamed": Row(
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-003.2"}),
            "failed",
            "keeps the outside's mailboxes under names/outbox/<h> instead of "
            "names/outside-outbox/<h>",
        ),
        (
            *(
                _to(module, "OUTSIDE_REF", lambda _: "names/outbox")
                for module in ("gritwit.wit._outside", "gritwit.runtime._outside_entries")
            ),
            # the mailboxes' refs, made once from OUTSIDE_REF, and every ref of the outside's
            _to(
                "gritwit.wit._outside",
                "_REFS",
                lambda m: m._mailbox_refs("names/outbox", m._DIGITS),
            ),
            _to(
                "gritwit.wit._outside",
                "_NAMES",
                lambda m: frozenset((*m._mailbox_refs("names/outbox", m._DIGITS), "names/outbox")),
            ),
        ),
    ),
    "runtime_outside_one_mailbox": Row(
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-003.4"}),
            "failed",
            "keeps every recipient's entry of the outside's outbox in names/outside-outbox/0, "
            "not in the mailbox of the recipient's 16th hex digit",
        ),
        (  # every recipient's digit read as 0: the mailboxes' refs, made once, all the first
            _to(
                "gritwit.wit._outside", "_REFS", lambda m: m._mailbox_refs(m.OUTSIDE_REF, "0" * 16)
            ),
            _to(
                "gritwit.wit._outside",
                "_NAMES",
                lambda m: frozenset((m.OUTSIDE_REF, *m._mailbox_refs(m.OUTSIDE_REF, "0"))),
            ),
        ),
    ),
    "runtime_default_limits_off": Row(
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-005.1", "RUN-012.4"}),
            "failed",
            "the defaults are a benchmark's leftovers: a 60 s time bound and 1000 resident actors "
            "(5 s and 10000 in the spec); values given explicitly work",
            smoke=True,
        ),
        (
            _to("gritwit.adapter._runtime", "TIME_LIMIT", lambda _: 60.0),
            _to("gritwit.adapter._runtime", "MAX_RESIDENT", lambda _: 1000),
        ),
    ),
    "runtime_retries_at_once": Row(
        WrongAdapter(
            ("runtime",),
            frozenset({"RUN-004.3"}),
            "failed",
            "the default first delay is 0: a failing transition is retried at once, with no "
            "back-off unless first_delay is given (a suite testing delays at 0 only misses it)",
        ),
        (_to("gritwit.adapter._runtime", "FIRST_BACKOFF", lambda _: 0.0),),
    ),
    "sandbox_actor_frozen_not_mounted": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-011.3"}),
            "failed",
            "keeps the frozen entry out of the mount, like code",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._actor", "CODE_ENTRIES", lambda m: m.CODE_ENTRIES | {"frozen"}),),
    ),
    "sandbox_actor_mounts_code": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-011.1", "SBX-010.3"}),
            "failed",
            "mounts an actor's whole core, wit included; the input's core is the actor's core",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._actor", "CODE_ENTRIES", lambda _: frozenset()),),
    ),
    "sandbox_actor_sends_genesis": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-012.3"}),
            "failed",
            "a program may send genesis and update messages",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._actor", "_RESERVED", lambda _: frozenset()),),
    ),
    "sandbox_cwd_root": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-003.2"}),
            "failed",
            "the prelude does not change to /core: a program's relative paths miss its core",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._run", "PRELUDE", _edit(('os.chdir("/core")\n', ""))),),
    ),
    "sandbox_forbidden_as_program_exit": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-008.2"}),
            "failed",
            "the prelude's forbidden status (120) is an ordinary non-zero exit: os.system ends as "
            "program-exit",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._run", "EXIT_FORBIDDEN", lambda _: -1),),
    ),
    "sandbox_host_environment": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-005.2"}),
            "failed",
            "passes the host's environment variables to the program",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox.wasi._calls", "_ENV", lambda _: _HOST_ENVIRONMENT),),
    ),
    "sandbox_input_writable": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-005.9"}),
            "failed",
            "preopens /input writable",
            timeout=STARTUP_TIMEOUT,
        ),
        (
            _to(
                "gritwit.sandbox.wasi._fs",
                "PREOPENS",
                lambda m: tuple((name, True) for name, _ in m.PREOPENS),
            ),
        ),
    ),
    "sandbox_iovecs_old_rate": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-006.5"}),
            "failed",
            "every entry of an iovec array costs 500 fuel, not 2 000 (the rate before the "
            "host-cost gate): 20 writes and 20 reads through 1 024 iovecs need 61 million fuel "
            "less",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox.wasi._state", "IOVEC_FUEL", lambda _: 500),),
    ),
    "sandbox_limit_past_2_53": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-006.9"}),
            "failed",
            "checks a caller's limits against 2**64 - 1, not 2**53 - 1: a limit of 2**53 runs",
            timeout=STARTUP_TIMEOUT,
        ),
        (
            _to("gritwit.adapter._sandbox", "MAX_LIMIT", lambda _: (1 << 64) - 1),
            _to("gritwit.sandbox._run", "MAX_LIMIT", lambda _: (1 << 64) - 1),
        ),
    ),
    "sandbox_listing_free_entries": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-006.5"}),
            "failed",
            "fd_readdir pays the sort once per version and the bytes it writes, but nothing for "
            "the entries it lists: a listing of five entries costs 25 000 fuel less",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox.wasi._calls", "ENTRY_FUEL", lambda _: 0),),
    ),
    "sandbox_memory_error_program_exit": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-006.2"}),
            "failed",
            "an uncaught MemoryError (the prelude's status 121) ends as program-exit, not "
            "memory-limit",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._run", "EXIT_MEMORY", lambda _: -1),),
    ),
    "sandbox_module_chunks_1mib": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-002.3", "ADP-019.5"}),
            "failed",
            "names the interpreter by a tree of 1 MiB chunks instead of 8 MiB",
            timeout=STARTUP_TIMEOUT,
        ),
        (_to("gritwit.sandbox._interpreter", "CHUNK_BYTES", lambda _: 1 << 20),),
    ),
    "sandbox_outside_listing_forbidden": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-005.22"}),
            "failed",
            "the prelude's audit hook judges os.listdir, os.rename, os.mkdir … as open: listing / "
            "or renaming to /etc ends forbidden-operation instead of the interpreter's ENOENT",
            timeout=STARTUP_TIMEOUT,
        ),
        _prelude(_edit(('    if event == "open":\n', f"    if event in {_LISTING_EVENTS}:\n"))),
    ),
    "sandbox_subprocess_not_stubbed": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-005.6"}),
            "failed",
            "the prelude names neither subprocess.Popen nor socket.getaddrinfo: on WASI they fail "
            "as a plain OSError or AttributeError, which a program catches",
            timeout=STARTUP_TIMEOUT,
        ),
        _prelude(
            _edit(
                ('subprocess.Popen.__init__ = _stub("subprocess.Popen")\n', ""),
                ('socket.getaddrinfo = _stub("socket.getaddrinfo")\n', ""),
            )
        ),
    ),
    "sandbox_tempfile_falls_back_to_core": Row(
        WrongAdapter(
            ("sandbox",),
            frozenset({"SBX-005.24"}),
            "failed",
            "lets tempfile's opens of /tmp, /var/tmp and /usr/tmp through as ENOENT: without a dir "
            "tempfile falls back to /core instead of ending the run forbidden-operation",
            timeout=STARTUP_TIMEOUT,
        ),
        _prelude(_edit((_FORBID_OPEN, _TMP_LET_THROUGH + _FORBID_OPEN))),
    ),
    # --- the HTTP service (spec/10-http.md): tables and constants of gritwit.serve -------
    "serve_unknown_query_by_phase": Row(
        WrongAdapter(
            ("http",),
            frozenset({"HTTP-006.3"}),
            "failed",
            "unknown-query takes the status of its phase, transition (422), not the 404 "
            "HTTP-003.2 gives it by name",
        ),
        (_to("gritwit.serve._problems", "_STATUS", _without("unknown-query")),),
    ),
    "serve_erased_as_not_found": Row(
        WrongAdapter(
            ("http",),
            frozenset({"HTTP-003.2"}),
            "failed",
            "erased is answered 404, as an absent object, not 410: a client cannot tell a blob "
            "erased from one never stored",
        ),
        (_to("gritwit.serve._problems", "_STATUS", _changed("erased", 404)),),
    ),
    "serve_unknown_test_actor_created": Row(
        WrongAdapter(
            ("http",),
            frozenset({"HTTP-004.3"}),
            "failed",
            "POST /v1/actors takes any test name, as rt-genesis does: an actor no test actor "
            "is gets created (201) and fails later, instead of 422 unknown-wit",
        ),
        (_to("gritwit.cores", "TEST_ACTORS", lambda m: _EveryName()),),
    ),
    "serve_bundle_as_cbor": Row(
        WrongAdapter(
            ("http",),
            frozenset({"HTTP-010.1"}),
            "failed",
            "a bundle is served as application/cbor, not application/vnd.gritwit.bundle",
        ),
        (_to("gritwit.serve._actors_api", "BUNDLE_MEDIA", lambda m: "application/cbor"),),
    ),
    "serve_header_limit_1_mib": Row(
        WrongAdapter(
            ("http",),
            frozenset({"HTTP-013.2"}),
            "failed",
            "the header section is bounded at 1 MiB, not 64 KiB: a 65 KiB one is served",
        ),
        (
            _to("gritwit.serve._middleware", "HEADER_BYTES", lambda m: 1 << 20),
            _to("gritwit.serve._server", "HEADER_BYTES", lambda m: 1 << 20),
        ),
    ),
    # --- the service parties' tables (TIM-006.2, PORT-007.1): one layout, both parties ---
    "services_timers_one_level": Row(
        WrongAdapter(
            ("services",),
            frozenset({"TIM-006.2"}),
            "failed",
            "the timers pending are filed under the first two hex digits of their ids only, "
            "not under the next two as well: every fire rewrites a tree of 1/256 of the table",
        ),
        (_to("gritwit.runtime._party_tables", "_LEVELS", lambda m: m._LEVELS[:1]),),
    ),
    "port_in_flight_one_level": Row(
        WrongAdapter(
            ("port",),
            frozenset({"PORT-007.1"}),
            "failed",
            "the requests in flight are filed under the first two hex digits of their ids "
            "only, not under the next two as well, as TIM-006.2's layout has them",
        ),
        (_to("gritwit.runtime._party_tables", "_LEVELS", lambda m: m._LEVELS[:1]),),
    ),
}

# more rows, of the runtime's outbox and failures, kept in a module of their own (600 lines)
ROWS.update(
    (name, Row(entry, tuple(Bend(*bend) for bend in bends)))
    for name, (entry, bends) in RUNTIME_ROWS.items()
)
# and rows of clauses the change log names often (the marks' acceptance table)
ROWS.update(
    (name, Row(entry, tuple(Bend(*bend) for bend in bends)))
    for name, (entry, bends) in MARKS_ROWS.items()
)
