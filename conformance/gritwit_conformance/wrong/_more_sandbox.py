"""Wrong adapters of the sandbox group (chapter 09, profile ``sandbox``); merged into WRONG.

Each patches the reference's sandbox (its run, WASI calls, in-memory filesystem, mount,
wit blob or actor) in the adapter process, one realistic bug each, mostly for clauses
that a whole-behaviour bug breaks more plausibly than a mutant: the clock, randomness,
the environment, preopens, path numbers, the write budget, error precedence.
"""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

#: Per-response time-out of these runs: a bug that changes the interpreter's start-up
#: changes its snapshot, whose image module the adapter's first run compiles (seconds
#: on a loaded machine) before it answers.
STARTUP_TIMEOUT = 60.0

MORE: dict[str, WrongAdapter] = {
    "sandbox_wit_without_version": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-001.1", "SBX-001.4"}),
        "failed",
        "writes a program's wit blob without the sandbox header and runs python-wasi blobs "
        "whatever their sandbox header says",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_accepts_any_version": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-001.4"}),
        "failed",
        "checks that a python-wasi blob has a sandbox header, not its value: sandbox 2 runs as "
        "version 1",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_wit_source_normalised": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-001.2", "ADP-019.7"}),
        "failed",
        "strips trailing white space from a program before it becomes the wit blob's data",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_wit_without_interpreter": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-001.3", "SBX-001.4"}),
        "failed",
        "writes a program's wit blob without the interpreter header and runs such blobs on the "
        "interpreter it holds",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_runs_any_interpreter": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-002.1", "SBX-002.2", "ADP-019.3"}),
        "failed",
        "never compares the interpreter a run or a wit blob names with the one it holds: its own "
        "build runs",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_out_kept": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-003.1", "ADP-019.4"}),
        "failed",
        "keeps one /out directory per process: a run sees, and answers as its sends, what an "
        "earlier run left there",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_input_json_spaced": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-003.3", "SBX-010.4"}),
        "failed",
        "writes /input/transition.json with json.dumps's default separators (spaces): other "
        "bytes, another random seed",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_mount_flat": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.1"}),
        "failed",
        "mounts only the core's top-level blobs, not its subtrees",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_empty_mount_keeps_core": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.2"}),
        "failed",
        "a mount left empty answers the old core instead of null",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_rewrites_blobs": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.3"}),
        "failed",
        "reads /core back without what it mounted: an untouched file loses its blob's headers and"
        " id",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_links_refused_quietly": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.6", "SBX-004.4"}),
        "failed",
        "path_symlink and path_link fail with ENOTSUP but are not forbidden: a program that "
        "catches the error runs on",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_malformed_sends_ignored": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.5"}),
        "failed",
        "a malformed /out/sends.json means no sends instead of invalid-transition",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_extra_preopen": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.1"}),
        "failed",
        "preopens a fourth directory, a writable /tmp in memory",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_sleep_allowed": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.3"}),
        "failed",
        "poll_oneoff answers at once instead of being refused: sleeping is not forbidden",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_host_clock": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.4", "ADP-019.6"}),
        "failed",
        "clock_time_get reads the host's real time",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_urandom": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.5", "SBX-009.1"}),
        "failed",
        "random_get fills from the host's os.urandom: runs differ",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_prelude_without_hooks": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.6"}),
        "failed",
        "relies on WASI alone, without the prelude's audit hook and stubs: a process or a file "
        "outside the mount ends as program-exit",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_listing_in_creation_order": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.7", "SBX-005.13"}),
        "failed",
        'fd_readdir lists a directory in creation order, not by the names" UTF-8 bytes',
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_inode_counter": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.11"}),
        "failed",
        "numbers inodes 2, 3, … in the order they are first looked at, every device 1",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_set_times_kept": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.12"}),
        "failed",
        "utime sets a file's times, and stat answers them",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_dotdot_clamped": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.8", "SBX-005.33"}),
        "failed",
        "a .. above a preopen stays at its root (as chroot) instead of ending the run as forbidden",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_relative_path_from_cwd": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.33", "SBX-005.6"}),
        "failed",
        "the prelude judges a relative path from the working directory, not the descriptor it "
        "starts from: os.open('../../y', dir_fd=<fd of /core/a/b>) is a forbidden open of /y",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_dotdot_counted_in_the_path": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.33", "SBX-005.6"}),
        "failed",
        "refuses a relative path whose .. outnumber the names before them, whatever the "
        "directory it starts from: ../../y from /core/a/b is forbidden",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_stderr_in_stdout": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.1", "SBX-005.10"}),
        "failed",
        "connects descriptor 2 to the answered output as well",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_fuel_doubled": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.1"}),
        "failed",
        "gives a run twice the fuel asked for",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_default_memory_64mib": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.3", "ADP-019.2"}),
        "failed",
        "the default memory limit is 64 MiB instead of 256 MiB",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_output_limit_off_by_one": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.2"}),
        "failed",
        "output exactly at the limit fails output-too-large (>= for >)",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_sends_limit_unchecked": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.3"}),
        "failed",
        "/out/sends.json is not checked against the sends limit",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_core_limit_at_end": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.4"}),
        "failed",
        "no write budget: only the core left at the end is measured, so a program may write and "
        "remove any amount",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_gap_not_counted": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.5"}),
        "failed",
        "a write past a file's end charges only its own bytes, not the gap before them",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_exit_before_output": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-008.1"}),
        "failed",
        "a non-zero exit wins over too much output: output-then-exit is program-exit",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_nonzero_exit_ok": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-008.3"}),
        "failed",
        "a non-zero exit status is a successful end of the program",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_trap_as_program_exit": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-008.4"}),
        "failed",
        "every trap but fuel is reported as program-exit, not trap",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_startup_charged": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.4"}),
        "failed",
        "charges a restored run the fuel of the interpreter's start-up",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_restore_keeps_startup_stream": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-003.4", "SBX-005.14"}),
        "failed",
        "a restored run goes on drawing from the start-up stream instead of the run's",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_small_memory": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-010.1"}),
        "failed",
        'runs actors" transitions under a 64 MiB memory limit instead of the default',
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_data_hex": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-010.2"}),
        "failed",
        "gives a pending message's data in hex instead of base64",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_code_put_back": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-011.2"}),
        "failed",
        "a run that leaves wit or wit_update has the code put back silently instead of failing",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_reads_one": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-012.1"}),
        "failed",
        "a transition reads one message per sender, though the program was shown all",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_content_with_headers": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-012.2"}),
        "failed",
        "a declared send's content blob carries the send's headers",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_keeps_stdout": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-012.4"}),
        "failed",
        "stores what a transition printed as the core entry stdout",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_exit_keeps_core": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-013.1"}),
        "failed",
        "a program that exits non-zero still reads its messages and keeps its core",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_poisoned_after_forbidden": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-013.2"}),
        "failed",
        "after one forbidden operation every later Python transition in the process fails "
        "forbidden-operation",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_genesis_data_empty": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-015.1", "SBX-010.2"}),
        "failed",
        'shows a message whose content is not a blob, the genesis above all, with data "" '
        "instead of null",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_query_answered": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-014.1"}),
        "failed",
        "answers every query of a Python actor with an empty blob instead of unknown-query",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_actor_update_runs_program": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-015.2"}),
        "failed",
        "resolves a python-wasi wit_update as a wit: the update runs the program instead of "
        "failing unknown-wit",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_claims_without_interpreter": WrongAdapter(
        ("sandbox",),
        frozenset({"ADP-019.1"}),
        "failed",
        "claims the profile sandbox although sandbox-info answers unknown-wit",
    ),
    "sandbox_gather_copies_each_listing": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.15", "SBX-005.16"}),
        "failed",
        "a write joins every buffer of its iovec array before it cuts the write to what the "
        "output limit or write budget still takes: one 1 MiB buffer listed 1024 times costs "
        "the host a GiB",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_path_length_unchecked": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.17"}),
        "failed",
        "copies and looks up a path argument of any length: 4097 bytes are no ENAMETOOLONG",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_seek_past_max": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.18"}),
        "failed",
        "fd_seek checks only that a position is not below 0: a seek past 2**63 - 1 succeeds",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_host_error_escapes": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.19"}),
        "failed",
        "a host function's own exception escapes the WASI dispatcher as the host's error, "
        "not trap; fd_seek raises struct.error packing a position past 2**63 - 1",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_rename_into_stale_subtree": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.20"}),
        "failed",
        "path_rename checks only the target descriptor's chain as it was opened: a directory "
        "moves into its own subtree through a stale descriptor",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_hook_reads_main_forbid": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.21"}),
        "failed",
        "the prelude's audit hook looks _forbid up as a global of __main__: a program that "
        "rebinds __main__._forbid turns the classification off",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_random_unpaid": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.5"}),
        "failed",
        "random_get charges the call but not 256 fuel a byte: a MiB of random bytes costs one call",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_path_walk_flat": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.13"}),
        "failed",
        "charges a path's walk a flat rate, 20 000 and one component's 2 000, however many "
        "components the path has",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_unmount_path_per_level": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.14"}),
        "failed",
        "reads the core back with a stack whose every frame holds its directory's whole path: "
        "memory quadratic in the core's depth",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_descriptor_keeps_path": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.14"}),
        "failed",
        "keeps a copy of its whole path beside every open file: 1 000 descriptors deep down "
        "a chain hold 1 000 long paths",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_listing_unpaid": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.6"}),
        "failed",
        "fd_readdir sorts the directory on every call and charges neither the sort nor the "
        "entries listed",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_forbidden_attempts_kept": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-008.5"}),
        "failed",
        "every forbidden attempt is kept and named in the run's forbidden-operation: 20 000 "
        "caught attempts give a message of some 5 MB",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_listing_refunds_sort": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.12"}),
        "failed",
        "pays a directory's sort for the entries gained since its last sort and gives back "
        "those lost: listings after a directory shrank cost less than nothing",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_small_memory_program_exit": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.8"}),
        "failed",
        "a memory limit the interpreter cannot start in ends the run program-exit, not "
        "memory-limit",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_core_entries_exclusive": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.15"}),
        "failed",
        "refuses a core of exactly 2**18 entries, the bound of its expansion, with "
        "output-too-large (>= for >)",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_object_too_large_class": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-007.6"}),
        "failed",
        "unmounts a file larger than one object holds with the store's too-large, a class "
        "SBX-008.1 does not list, instead of output-too-large",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_poll_always_refused": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.23"}),
        "failed",
        "refuses every poll_oneoff, one that waits for nothing too: select on nothing with "
        "timeout 0, or time.sleep(0), ends forbidden-operation",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_sends_null_as_omitted": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-004.5"}),
        "failed",
        "reads null for data or headers in /out/sends.json as the key left out: an empty "
        "blob, no headers, where the file is malformed → invalid-transition",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_emfile_after_create": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-005.25"}),
        "failed",
        "checks the descriptor table only when it adds the descriptor: a path_open failing "
        "EMFILE has made its O_CREAT file or emptied its O_TRUNC one",
        timeout=STARTUP_TIMEOUT,
    ),
    "sandbox_probe_byte_free": WrongAdapter(
        ("sandbox",),
        frozenset({"SBX-006.5"}),
        "failed",
        "copies the byte that shows the output limit passed but pays only the room left",
        timeout=STARTUP_TIMEOUT,
    ),
    "runtime_overrun_sandbox_failed": WrongAdapter(
        ("sandbox", "runtime"),
        frozenset({"SBX-013.1"}),
        "failed",
        "stops a sandboxed run its runtime gives up, but fails the transition 'failed', "
        "without the class time-limit",
        timeout=STARTUP_TIMEOUT,
    ),
    "runtime_open_infinite_seconds": WrongAdapter(
        ("runtime",),
        frozenset({"ADP-015"}),
        "failed",
        "rt-open takes time_limit or idle_after 1e400 (infinity once read) as a bound",
    ),
}
