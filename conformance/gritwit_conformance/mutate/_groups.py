"""What ``gritwit mutate`` mutates and where: the module groups and the profiles run on each.

The groups are the spec-enforcing modules of the reference by the part of the spec they
serve (CONV-005); each group's mutants are judged by the conformance profiles listed for it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GROUPS",
    "LEFT_OUT",
    "PACKAGE_DIR",
    "POSTGRES",
    "PROFILES_OF",
    "SUITE_DIR",
    "SUITE_ROOT",
    "group_of",
]

PACKAGE_DIR = Path(str(__import__("gritwit").__file__)).resolve().parent
SUITE_ROOT = Path(__file__).resolve().parent.parent
SUITE_DIR = SUITE_ROOT / "suite"
#: The group whose mutants run behind adapters storing in PostgreSQL (DUR-005): a run that
#: judges them starts a throwaway cluster (:mod:`._run`) and traces their map apart.
POSTGRES = "postgres"

#: The spec-enforcing modules, by the part of the spec they serve.  Left out: the adapter and
#: command layers (``adapter/``, ``runtime/_inspect.py``, ``_commands.py``, ``_argtypes.py``,
#: ``*/_cli.py``), the error table (``_errors.py``, ``_error_types.py``), the engine registry
#: (``wit/_runners.py``, ``_engines.py``), the transition deadline (``_deadline.py``),
#: an attempt's types (``runtime/_attempt.py``), the seams (``runtime/_seams.py``: protocols)
#: and the Wasm build tool.  A new group is run and scored, its survivors no regressions.
GROUPS: dict[str, tuple[str, ...]] = {
    "codec": (
        "gritwit/_cbor.py",
        "gritwit/_codec.py",
        "gritwit/_objects.py",
        "gritwit/_ids.py",
        "gritwit/_json.py",
        "gritwit/_maps.py",
    ),
    "store": (
        "gritwit/store/_store.py",
        "gritwit/store/_backend.py",
        "gritwit/store/_batch.py",
        "gritwit/store/_journal_calls.py",
        "gritwit/store/_memory.py",
        "gritwit/store/_paging.py",
        "gritwit/store/_sqlite.py",
        "gritwit/store/_refs.py",
        "gritwit/store/_times.py",
    ),
    "wit": (
        "gritwit/wit/_actors.py",
        "gritwit/wit/_ahead.py",
        "gritwit/wit/_assemble.py",
        "gritwit/wit/_cores.py",
        "gritwit/wit/_executor.py",
        "gritwit/wit/_model.py",
        "gritwit/wit/_outbox.py",
        "gritwit/wit/_outside.py",
        "gritwit/wit/_pending.py",
        "gritwit/wit/_update.py",
    ),
    "runtime": (
        "gritwit/runtime/_bound.py",
        "gritwit/runtime/_bundle.py",
        "gritwit/runtime/_cache.py",
        "gritwit/runtime/_catchup.py",
        "gritwit/runtime/_commit.py",
        "gritwit/runtime/_config.py",
        "gritwit/runtime/_disk.py",
        "gritwit/runtime/_erase.py",
        "gritwit/runtime/_events.py",
        "gritwit/runtime/_face.py",
        "gritwit/runtime/_fork.py",
        "gritwit/runtime/_group.py",
        "gritwit/runtime/_hints.py",
        "gritwit/runtime/_index.py",
        "gritwit/runtime/_kinds.py",
        "gritwit/runtime/_lane.py",
        "gritwit/runtime/_moved.py",
        "gritwit/runtime/_notes.py",
        "gritwit/runtime/_outside_entries.py",
        "gritwit/runtime/_reach.py",
        "gritwit/runtime/_resident.py",
        "gritwit/runtime/_runtime.py",
        "gritwit/runtime/_schedule.py",
        "gritwit/runtime/_transition.py",
        "gritwit/runtime/_verify.py",
    ),
    "wasm": (
        "gritwit/wasm/_abi.py",
        "gritwit/wasm/_binary.py",
        "gritwit/wasm/_config.py",
        "gritwit/wasm/_core.py",
        "gritwit/wasm/_engine.py",
        "gritwit/wasm/_guest.py",
        "gritwit/wasm/_host.py",
        "gritwit/wasm/_image.py",
        "gritwit/wasm/_raw.py",
        "gritwit/wasm/_wits.py",
    ),
    # An actor's life after its genesis, as the runtime and the service give it: reverts
    # (RUN-024), names (RUN-026), clearing a failed mark (RUN-025, in ``_revert.py``),
    # where a new actor is placed and which share runs it (RUN-021), and what an
    # attempt's time bound counts (RUN-005.8).  Judged by the runtime profile and by the
    # service's, which reaches names, reverts and clears over HTTP (chapter 10).
    "life": (
        "gritwit/runtime/_names.py",
        "gritwit/runtime/_placement.py",
        "gritwit/runtime/_revert.py",
        "gritwit/runtime/_share.py",
        "gritwit/runtime/_view.py",
        "gritwit/runtime/_work.py",
    ),
    # chapter 10: the HTTP service, judged by the ``http`` profile through services the
    # adapter starts in its own process (ADP-021), so a mutant of the service is the
    # adapter's.  Its command line (``_cli.py``) is left out, as every ``_cli.py`` is.
    "serve": tuple(
        f"gritwit/serve/{name}.py"
        for name in (
            "__init__",
            "_actors_api",
            "_app",
            "_audit",
            "_audit_api",
            "_auth",
            "_content",
            "_engine",
            "_engine_commands",
            "_engine_ops",
            "_events",
            "_grit_api",
            "_http",
            "_json_body",
            "_keys",
            "_life",
            "_life_api",
            "_limits",
            "_metrics",
            "_middleware",
            "_openapi",
            "_port",
            "_problems",
            "_protocol",
            "_reads",
            "_routes",
            "_scopes",
            "_sending",
            "_server",
            "_sniff",
            "_tokens",
            "_watch",
            "_watch_api",
            "_watch_html",
        )
    ),
    # chapters 11 and 12: the runtime's services, the timer and the port, and their test
    # actors (TIM-008, PORT-010), judged by the profiles that drive them on the
    # harness's clock and the suite's loopback world (ADP-023, ADP-024).
    "services": (
        "gritwit/runtime/_alarm.py",
        "gritwit/runtime/_courier.py",
        "gritwit/runtime/_door.py",
        "gritwit/runtime/_forwarder.py",
        "gritwit/runtime/_parties.py",
        "gritwit/runtime/_party_step.py",
        "gritwit/runtime/_party_tables.py",
        "gritwit/runtime/_port.py",
        "gritwit/runtime/_port_policy.py",
        "gritwit/runtime/_port_secrets.py",
        "gritwit/runtime/_port_send.py",
        "gritwit/runtime/_timers.py",
    ),
    # chapter 09: the run, WASI, mount, wit blob, actor, input, engine, watchdog (no _cli.py)
    "sandbox": (
        "gritwit/sandbox/_actor.py",
        "gritwit/sandbox/_engine.py",
        "gritwit/sandbox/_input.py",
        "gritwit/sandbox/_interpreter.py",
        "gritwit/sandbox/_mount.py",
        "gritwit/sandbox/_prelude.py",
        "gritwit/sandbox/_run.py",
        "gritwit/sandbox/_snapshot.py",
        "gritwit/sandbox/_stop.py",
        "gritwit/sandbox/_wit.py",
        "gritwit/sandbox/wasi/_calls.py",
        "gritwit/sandbox/wasi/_cost.py",
        "gritwit/sandbox/wasi/_fs.py",
        "gritwit/sandbox/wasi/_linker.py",
        "gritwit/sandbox/wasi/_paths.py",
        "gritwit/sandbox/wasi/_readwrite.py",
        "gritwit/sandbox/wasi/_state.py",
    ),
    # DUR-005 to DUR-008: the PostgreSQL store, its URL, its schema per store and its
    # options (isolation, the write bound), judged through adapters that keep every
    # durable store in a throwaway cluster the run starts (``--store-url``, ADP-010.6),
    # where the fault proxy's tests (ADP-022) run too.  Its map is traced apart, with the
    # in-process reference storing there (a SQLite store's lines are traced without).
    "postgres": (
        "gritwit/store/_parts.py",
        "gritwit/store/_pg_ahead.py",
        "gritwit/store/_pg_batch.py",
        "gritwit/store/_pg_commit.py",
        "gritwit/store/_pg_faults.py",
        "gritwit/store/_pg_follow.py",
        "gritwit/store/_pg_listen.py",
        "gritwit/store/_pg_notes.py",
        "gritwit/store/_pg_pages.py",
        "gritwit/store/_pg_retry.py",
        "gritwit/store/_pg_schema.py",
        "gritwit/store/_pg_session.py",
        "gritwit/store/_pg_wire.py",
        "gritwit/store/_pg_write_sql.py",
        "gritwit/store/_postgres.py",
        "gritwit/store/_schema_url.py",
        "gritwit/store/_store_options.py",
        "gritwit/store/_url.py",
    ),
}
#: The conformance profiles whose tests a group's mutants run against.  The Wit
#: executor and the Wasm engine also serve the ``sandbox`` profile: the executor
#: dispatches ``python-wasi`` Wits (SBX-010) and the interpreter runs on the engine's
#: guest memory and fuel (SBX-005), so their code on those paths is checked there.
#: The runtime runs sandboxed transitions in its engine lane under its bound
#: (RUN-005.7, SBX-006.10, SBX-006.11): the sandbox tests that open a runtime check it;
#: the perf profile's runtime workloads (ADP-018.6) run its free-running scheduler.
PROFILES_OF: dict[str, tuple[str, ...]] = {
    "codec": ("protocol", "codec", "store", "wit", "runtime", "wasm"),
    # the step times a store keeps (RUN-027), the journal a long-running runtime catches up
    # on and actor names are read only through a service: the http profile judges them
    # (8 store mutants no other profile's test fails on are killed by http tests)
    "store": ("store", "wit", "runtime", "wasm", "http"),
    "wit": ("wit", "runtime", "wasm", "sandbox"),
    # a service runs the free-running scheduler with shares, restarts and a kept index,
    # which rt-run's rounds never reach: http tests kill its mutants (settle past a lone
    # genesis, naps past the bound, the placement record gone)
    "runtime": ("runtime", "sandbox", "perf", "http"),
    "wasm": ("wasm", "sandbox"),
    "sandbox": ("sandbox",),
    # names bound to senders are read by the port's rules (PORT-003.2), and placement
    # records by the store profile's tests of another writer
    "life": ("runtime", "http", "store", "port"),
    "serve": ("http",),
    "services": ("services", "port"),
    # the profiles that open durable stores by path and ask for a store server: the
    # other profiles' runtimes open the same store code through rt-open as the
    # runtime profile's do; a service's engine alone reads the journal from a saved
    # version, carries a journal read with a commit and reads notes by parts, so the
    # http profile, its services storing on the same server, judges those
    "postgres": ("store", "runtime", "http"),
}


#: The modules of the reference no group mutates, each with why: every other module is in
#: a group (``conformance/tests/test_mutate_unjudged.py`` checks the two cover the package,
#: so a new module is placed, not forgotten: on 2026-11-29 nine spec-enforcing ones were
#: in neither, among them the outbox chain and the service parties' steps).
LEFT_OUT: dict[str, str] = {
    **{
        m: "a package's names and re-exports"
        for m in (
            "gritwit/__init__.py",
            "gritwit/runtime/__init__.py",
            "gritwit/sandbox/__init__.py",
            "gritwit/sandbox/wasi/__init__.py",
            "gritwit/store/__init__.py",
            "gritwit/wasm/__init__.py",
            "gritwit/wit/__init__.py",
            "gritwit/workspace/__init__.py",
            "gritwit/console/__init__.py",
            "gritwit/adapter/__init__.py",
        )
    },
    **{
        m: "the adapter: the seam the suite drives; a mutant of it is a wrong adapter, "
        "which the declared wrong adapters (conformance/gritwit_conformance/wrong/) judge"
        for m in (
            "gritwit/adapter/_args.py",
            "gritwit/adapter/_handler.py",
            "gritwit/adapter/_http.py",
            "gritwit/adapter/_perf.py",
            "gritwit/adapter/_perf_runtime.py",
            "gritwit/adapter/_profiles.py",
            "gritwit/adapter/_runtime.py",
            "gritwit/adapter/_sandbox.py",
            "gritwit/adapter/_stdio.py",
            "gritwit/adapter/_stores.py",
            "gritwit/adapter/_wit.py",
        )
    },
    **{
        m: "the command line and the tools around it (no adapter command reaches it); "
        "judged by reference/tests"
        for m in (
            "gritwit/__main__.py",
            "gritwit/_argtypes.py",
            "gritwit/_checkout.py",
            "gritwit/_command_table.py",
            "gritwit/_commands.py",
            "gritwit/_pipes.py",
            "gritwit/_progress.py",
            "gritwit/_progress_clock.py",
            "gritwit/_version.py",
            "gritwit/cores.py",
            "gritwit/runtime/_arg.py",
            "gritwit/runtime/_inspect.py",
            "gritwit/serve/_port_bounds.py",
            "gritwit/serve/_token_cli.py",
            "gritwit/store/_command_open.py",
            "gritwit/wasm/_build.py",
            "gritwit/console/_common.py",
            "gritwit/console/_data.py",
            "gritwit/console/_follow.py",
            "gritwit/console/_life.py",
            "gritwit/console/_reads.py",
            "gritwit/workspace/_cores.py",
            "gritwit/workspace/_file.py",
            "gritwit/workspace/_push.py",
        )
    },
    **{
        m: "the error table, the engine registry, the deadline, an attempt's types and the "
        "seams: names and protocols, no rule of their own"
        for m in (
            "gritwit/_error_types.py",
            "gritwit/_errors.py",
            "gritwit/_engines.py",
            "gritwit/_deadline.py",
            "gritwit/_schemas.py",
            "gritwit/runtime/_attempt.py",
            "gritwit/runtime/_seams.py",
            "gritwit/wit/_runners.py",
        )
    },
    **{
        m: "speed and memory only: the collector paused during a walk, large buffers "
        "given back; no answer changes"
        for m in ("gritwit/_gc_pause.py", "gritwit/serve/_malloc.py")
    },
}


def group_of(module: str) -> str:
    for group, modules in GROUPS.items():
        if module in modules:
            return group
    raise KeyError(module)
