"""Wrong adapters of the runtime group (chapter 07, profile ``runtime``); merged into WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "runtime_group_heads_before_objects": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-017.2", "RUN-017.5", "RUN-017.6"}),
        "failed",
        "the group commit stores the steps and moves the heads, but writes the members' "
        "cores, entries, messages and mailboxes only at the next rt-run: a kill right after "
        "rt-run answered leaves heads naming absent objects",
        smoke=False,
    ),
    "runtime_objects_after_head": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-001.1", "RUN-007.1", "RUN-015.1", "RUN-015.2"}),
        "failed",
        "stores a step and moves its head at once, but writes the step's core, entries, "
        "messages and mailboxes only at the next rt-run: a kill in between loses them",
        smoke=True,
    ),
    "runtime_forgets_cursors_on_restart": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-007.2", "RUN-015.1", "RUN-015.2"}),
        "failed",
        "after a restart, the first transition of each actor sees every message of its "
        "senders' outboxes again, as if its inbox were empty: messages delivered twice",
        smoke=True,
    ),
    "runtime_one_message_per_step": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-006.2", "RUN-006.3"}),
        "failed",
        "hands each transition only the oldest pending message of each sender instead of "
        "everything pending when it starts: counts agree, step ids do not",
        smoke=True,
    ),
    "runtime_overrun_not_failed": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.3"}),
        "failed",
        "an overrunning transition is set aside to wait for its result instead of failing: "
        "the actor is neither retried nor marked failed",
    ),
    "runtime_wasm_clock": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-016.3"}),
        "failed",
        "the Wasm host links one import beyond ABI 1, gritwit.clock_now: a Wit can read a clock",
        smoke=True,
    ),
    "runtime_import_stores_as_it_checks": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.3"}),
        "failed",
        "rt-import puts each bundled object as it decodes it, before the whole bundle is "
        "checked: a refused bundle leaves objects behind",
    ),
    "runtime_put_restores_erased": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-011.5"}),
        "failed",
        "the durable store drops an id's tombstone when its bytes are put again: an erased "
        "blob comes back once the same bytes are sent or set in a core",
        smoke=True,
    ),
    "runtime_outbox_ref_renamed": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-003.2"}),
        "failed",
        "keeps the outside's outbox under names/outbox instead of names/outside-outbox",
    ),
    "runtime_restores_every_head": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-013.3", "RUN-012.7"}),
        "failed",
        "every rt-run first restores every actor with a head that is not resident, "
        "though nothing is pending for it and nothing queries it",
    ),
    "runtime_fork_moves_parent": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-008.7"}),
        "failed",
        "after a fork, the parent's head is swapped from the fork step to the child's first "
        "step: the parent's history holds a step of the child",
        smoke=True,
    ),
    "runtime_erased_not_had": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-011.4"}),
        "failed",
        "the durable store's has looks at stored bytes only: a step naming an erased blob "
        "is refused as naming an absent object",
        smoke=True,
    ),
    "runtime_wasm_ref_get": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-016.1"}),
        "failed",
        "the Wasm host links one import beyond ABI 1, gritwit.ref_get: a Wit can read a ref",
        smoke=True,
    ),
    "runtime_wasm_put_object": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-016.2", "WASM-013.1"}),
        "failed",
        "the Wasm host links one import beyond ABI 1, gritwit.put_object: a Wit can store an "
        "object other than by returning it",
        smoke=True,
    ),
    "runtime_fork_overwrites_head": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-008.6"}),
        "failed",
        "fork sets the child's head whatever it was instead of by compare-and-swap from "
        "unset: forking the same step with the same state twice succeeds",
        smoke=True,
    ),
    "runtime_fork_fresh_image": WrongAdapter(
        ("runtime",),
        frozenset({"WASM-029.2"}),
        "failed",
        "a fork resets the child's image to the empty blob: the child starts from a fresh "
        "instance instead of its parent's image at the fork step",
        smoke=True,
    ),
    "runtime_evict_drops_image": WrongAdapter(
        ("runtime",),
        frozenset({"WASM-029.1", "RUN-012.5"}),
        "failed",
        "an evicted image actor's next step instantiates the module anew instead of restoring "
        "the image from its core; restarts and imports are right",
        smoke=True,
    ),
    "runtime_head_set_without_cas": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-001.2", "RUN-002.2", "RUN-020.1"}),
        "failed",
        "a head swap that lost to another writer is retried expecting the new head, with the "
        "step already built: the winner's step is overwritten",
        smoke=True,
    ),
    "runtime_lost_swap_adopted": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-002.3"}),
        "failed",
        "a head swap that lost to another writer is taken as adopted: the step is reported and "
        "routed, and the transition is not run again from the winner's step",
        smoke=True,
    ),
    "runtime_outside_outbox_cached": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-002.4"}),
        "failed",
        "each runtime builds the outside's sends from its own copy of the outside outbox and "
        "sets the ref without a compare-and-swap: another writer's sends are overwritten",
        smoke=True,
    ),
    "runtime_send_acknowledged_early": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-019.1"}),
        "failed",
        "in the default mode (sends 'own') every rt-send joins the next run's commit group: "
        "it is answered before it is durable, and a kill right after the answer loses it",
    ),
    "runtime_grouped_sends_wait_for_a_step": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-019.2"}),
        "failed",
        "with sends 'group', an rt-run that adopts no step answers without committing the "
        "group's sends: a kill after the answer loses them",
    ),
    "runtime_grouped_send_lost_swap_dropped": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-019.4"}),
        "failed",
        "with sends 'group', a group commit whose outbox swap lost to another writer takes "
        "the sends as committed: they are never made again, and their recipient never reads them",
    ),
    "runtime_events_persisted": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-014.4"}),
        "failed",
        "lifecycle events are appended to a log file in the runtime's directory and the "
        "uncollected ones are handed out again after a restart",
        smoke=True,
    ),
    "runtime_query_from_resident_copy": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-020.2"}),
        "failed",
        "rt-query and rt-head of a resident actor answer from the head kept in memory without "
        "reading the head ref: stale once another runtime on the store moved the head",
        smoke=True,
    ),
    "store_swaps_unjournaled": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-020.5"}),
        "failed",
        "the store profile's ref-cas swaps without a row in the journal of swaps that "
        "runtimes catch up from: a runtime's second catch-up misses a head and an outside's "
        "outbox the store profile moved during its run, and reads messages again",
    ),
    "runtime_runs_only_its_own_actors": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-020.4"}),
        "failed",
        "a runtime runs only the actors it found when it opened the store and those whose "
        "genesis it built: an actor another runtime created later is never run there, "
        "whoever sent the message",
        smoke=True,
    ),
    "runtime_share_ignored": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-021.1", "RUN-021.4", "RUN-021.5"}),
        "failed",
        "rt-open checks the share and reports it in settings, but the runtime runs every "
        "actor: it adopts and reports steps of the other shares' actors, and keeps them "
        "busy, never evicted, while messages wait for them",
    ),
    "runtime_share_from_last_bytes": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-021.1", "RUN-021.2"}),
        "failed",
        "an actor's share is the last 8 bytes of its id modulo n, not the first 8: each "
        "runtime runs some actors of another share and leaves some of its own unrun",
        smoke=True,
    ),
    "runtime_share_serves_only_its_own": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-021.3"}),
        "failed",
        "a runtime given a share answers bad-request to rt-send, rt-genesis and rt-query of "
        "an actor outside it, as if only its own actors could be sent to or queried",
        smoke=True,
    ),
    "runtime_share_busy_with_others": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-021.4"}),
        "failed",
        "a runtime given a share runs only its actors, but answers rt-run quiescent false "
        "while a message waits for an actor of another share",
        smoke=True,
    ),
    "runtime_restore_from_kept": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-013.2"}),
        "failed",
        "eviction remembers the actor's head and a restore for a query answers from it "
        "instead of reading the head ref: stale once another writer moved the head",
        smoke=True,
    ),
    "runtime_idle_from_creation": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-012.3"}),
        "failed",
        "the idle timeout measures from when the actor became resident, not from its last "
        "use: an actor used a moment ago is evicted",
    ),
    "runtime_default_limits_off": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.1", "RUN-012.4"}),
        "failed",
        "the defaults are a benchmark's leftovers: a 60 s time bound and 1000 resident actors "
        "(5 s and 10000 in the spec); values given explicitly work",
        smoke=True,
    ),
    "runtime_time_limit_fixed": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.2"}),
        "failed",
        "rt-open checks time_limit but the runtime always bounds transitions by the default 5 s",
        smoke=True,
    ),
    "runtime_time_limit_ignored": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.2", "RUN-005.6"}),
        "failed",
        "rt-open answers the configured time_limit in its settings, but the runtime always "
        "bounds transitions by the default 5 s: a transition of 1.5 s under a bound of 0.5 s "
        "is adopted",
        smoke=True,
    ),
    "runtime_time_limit_in_ms": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.5"}),
        "failed",
        "time_limit in seconds is divided by 1000 on its way to the timer: a bound of 1 s "
        "becomes 1 ms and a transition of 100 ms fails",
        smoke=True,
    ),
    "runtime_overrun_stops_run": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.4"}),
        "failed",
        "after a transition overruns its time limit the runtime starts no other transition "
        "until the next rt-run: actors after it in the round wait",
        smoke=True,
    ),
    "runtime_import_fresh_image": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.5", "WASM-029.1"}),
        "failed",
        "after rt-import an image actor's next step instantiates its module anew instead of "
        "restoring the image its core carries: it does not continue as the exporter would",
        smoke=True,
    ),
    "runtime_skips_poison_messages": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-004.2"}),
        "failed",
        "a transition that raises gets a step reading its messages without effect (a "
        "dead-letter policy): they do not stay pending, nothing is retried or marked failed",
        smoke=True,
    ),
    "runtime_capacity_before_idle": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-012.8"}),
        "failed",
        "capacity eviction runs before the idle timeout: the archived events come in another "
        "order, with other reasons",
    ),
    "runtime_headless_not_resident": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-012.6"}),
        "failed",
        "an actor waiting for its genesis (no head) is never made resident, so never archived",
    ),
    "runtime_stores_failed_objects": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-004.9"}),
        "failed",
        "a transition's objects are written ahead of its checks: after a failed attempt "
        "rt-object finds the core and blobs it built",
    ),
    "runtime_group_reported_by_actor": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-017.1"}),
        "failed",
        "a committed group's steps are reported in actor order, not adoption order",
    ),
    "runtime_group_fold_unflushed": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-017.9"}),
        "failed",
        "the group commit folds an actor's later swaps but never makes the last one: the "
        "head stays at the actor's first step of the group while rt-run reports its last",
    ),
    "runtime_run_one_step_over": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-018.1"}),
        "failed",
        "a run checks its bound after adopting a step, not before: every run stopped by "
        "max_steps adopts one step more",
    ),
    "runtime_rounds_restart_lowest": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-018.2"}),
        "failed",
        "after every adopted step the round starts over at the lowest id with work: two "
        "actors that keep each other busy starve an actor whose id sorts above theirs",
    ),
    "runtime_overrun_retried_at_once": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-004.10"}),
        "failed",
        "a retry after an overrun waits RUN-004.3's 10, 20, 40, 80 ms like any other: five "
        "overruns, as a busy machine makes, mark the actor failed within a second",
    ),
    "runtime_overrun_seen_on_return": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.7"}),
        "failed",
        "a bounded transition runs to its end and only then is its duration compared with "
        "time_limit: an overrun fails when the transition returns, not when the bound passes",
    ),
    # --- moves between implementations (RUN-009.7 …), caught by gritwit teleport and by
    # the suite's teleport tests (suite/runtime/test_teleport.py) -----------------------
    "runtime_export_drops_image_chunk": WrongAdapter(
        ("runtime", "wasm"),
        frozenset({"RUN-009.1", "RUN-009.7", "RUN-009.9"}),
        "failed",
        "rt-export leaves out the last memory chunk of an image actor's images: the bundle "
        "lacks an object its head reaches, and no runtime can continue the actor",
    ),
    "runtime_import_drops_in_flight": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.7", "RUN-009.11"}),
        "failed",
        "the outbox of a head a bundle brought is taken as delivered: a message in flight "
        "between two moved actors is not pending in the importing runtime",
    ),
    "runtime_import_resets_cursors": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.7", "RUN-009.10"}),
        "failed",
        "the first transition of an imported actor sees its inbox as empty: what it read "
        "before the move is delivered again",
    ),
    "runtime_import_squashes_history": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.7", "RUN-009.8"}),
        "failed",
        "rt-import sets the head to a new step with the bundle head's core, inbox and outbox "
        "and no previous: the history is re-encoded under another id",
    ),
    "runtime_import_continues_outside_chain": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-009.7", "RUN-009.12"}),
        "failed",
        "rt-import sets the importing runtime's outside outbox entry for the actor to the "
        "message it last read from the exporter's outside: the next outside message chains "
        "to it and has another id",
    ),
    "runtime_rerun_from_stale_cursors": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-002.3", "RUN-007.2"}),
        "failed",
        "a transition run again after a lost head swap starts from the winner's head but "
        "reads what was pending from the inbox of the head it had started from: what the "
        "winner read is delivered and counted again",
    ),
    "runtime_run_answered_before_commit": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-017.6", "RUN-007.1"}),
        "failed",
        "rt-run reports the steps of its last commit group and writes the group only when "
        "the next request arrives: a kill right after the answer loses steps it reported",
    ),
    "runtime_run_bytes_unbounded": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-023.2"}),
        "failed",
        "an unbounded store growth: max_run_bytes is answered and counted but never stops "
        "a run, so actors keeping megabytes a step fill the disk up to max_steps",
        smoke=True,
    ),
    "runtime_run_bytes_past_not_at": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-023.2"}),
        "failed",
        "a run halts once its bytes pass max_run_bytes, not once they reach it: a run whose "
        "steps add exactly the bound starts one transition more",
    ),
    "runtime_counts_held_objects": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-022.1"}),
        "failed",
        "a step's bytes count every object it carries, those the store or the open group "
        "holds too: a step writing a stored blob again fails step-too-large at a bound it "
        "keeps, and runs stop early",
    ),
    "runtime_step_bytes_unchecked": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-022.3"}),
        "failed",
        "max_step_bytes is taken and answered in settings but no step is checked against "
        "it: a step of any size is adopted",
        smoke=True,
    ),
    "runtime_step_bytes_judged_first": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-022.4"}),
        "failed",
        "a transition's new objects are sized as soon as it returns, before its output is "
        "checked: a frozen core's set-code past the bound fails step-too-large, not "
        "frozen-core",
    ),
    "runtime_step_bytes_at_bound_fails": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-022.2"}),
        "failed",
        "a step that adds exactly max_step_bytes fails step-too-large: the bound is one "
        "byte smaller than given",
    ),
    "runtime_run_bytes_carried_over": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-023.1"}),
        "failed",
        "a run's bytes are counted on from the runtime's last run, not from zero: once its "
        "runs added max_run_bytes in all, every later run stops after one step",
    ),
    "runtime_run_bytes_stops_early": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-023.3"}),
        "failed",
        "in group mode a run halts once its open group's encoded bytes, held objects "
        "included, reach max_run_bytes: a run whose steps write again what is stored stops "
        "before its bytes reach the bound",
    ),
}
