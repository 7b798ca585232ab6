"""A small deterministic in-memory executor: the reference semantics of the Wit chapter.

Not the durable runtime (scheduling, time bounds, retries and recovery belong to
the runtime chapter).  It finds pending messages from every head's outbox and
from the outside (WIT-005, WIT-010.1), creates actors from genesis messages
(WIT-012), runs updates alone (WIT-013.2, WIT-014.1) and ordinary transitions
otherwise, and adopts each step by storing its objects first and moving
``heads/<actor>`` by compare-and-swap second (REF-004).  Actors run in rounds,
in id order, so the same operations give the same step ids (WIT-011).
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

from .._codec import object_id
from .._errors import (
    GritError,
    InvalidGenesis,
    InvalidTransition,
    ObjectNotFound,
    TooLarge,
    TransitionError,
    UnknownQuery,
    UnknownWit,
)
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob, GritObject, Step, Tree
from ..store import Store, head_ref
from ..store._refs import HEADS_PREFIX
from ._actors import TEST_ACTORS, TEST_UPDATERS, BuiltinActor, QueryInput
from ._assemble import Assembled, assemble
from ._cores import WIT, WIT_UPDATE, blob_code_name, core_problem
from ._model import (
    OUTSIDE,
    ObjectReader,
    Overlay,
    PendingMessage,
    ReadOnce,
    Send,
    TransitionInput,
    TransitionOutput,
    Wit,
    _setter,
    transition_input,
)
from ._outside import outside_entries, read_outside, send_from_outside
from ._pending import mailbox_entries, pending
from ._runners import SANDBOX_RUNTIME, WASM_RUNTIME, RunnerLimits, WitRunner, runner_factory
from ._update import merge


@runtime_checkable
class Queryable(Protocol):
    """A Wit that answers queries (WIT-017): the test actors and Wasm Wits."""

    def query(self, name: str, inp: QueryInput) -> Blob: ...


@runtime_checkable
class BoundsCores(Protocol):
    """A Wit whose runs bound the core they are given (SBX-006.17: the sandbox's): it
    refuses, by raising, a core its next run could not take."""

    def bound_core(self, reader: ObjectReader, core: Tree) -> None: ...


__all__ = ["Executor", "Failure", "RunReport", "failure_class"]

#: The ref holding the outside's outbox (a mailbox), chained per WIT-004.
_RESERVED: Final = frozenset({"genesis", "update"})
#: The limits a runner is made under when no runtime names its own (SBX-007.7).
_DEFAULT_LIMITS: Final = RunnerLimits()
#: ObjectId._trusted without its frame: a digest read from a valid tree (ID-002.1).
_new_id = tuple.__new__


@dataclass(frozen=True, slots=True)
class Failure:
    """A transition of ``actor`` that failed: no step adopted, its messages still pending."""

    actor: ObjectId
    error: Exception

    def __post_init__(self) -> None:
        # The error is kept (a runtime lists its failures), the locals of the frames that
        # raised it are not: they held the attempt's mount and input, and nothing of a
        # failed attempt may outlive it (SBX-006.14, RUN-004.9).
        seen: set[int] = set()
        error: BaseException | None = self.error
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__

    @property
    def error_class(self) -> str:
        """The registry class for protocol errors, else the exception's type name."""
        if isinstance(self.error, GritError):
            return self.error.error_class
        return type(self.error).__name__


def failure_class(error: Exception) -> str:
    """The class a failed transition reports (RUN-004.4, ADP-014): the class of the rule it
    broke — a transition class of the Wit, Wasm or sandbox chapter, ``step-too-large``
    (RUN-022.3), ``too-large`` (SBX-013.1), or a class of OBJ-019.2 for a last outbox
    whose ``base`` chain is broken — else ``failed``: an error without a class (a test
    actor that raises, an overrun) or with one no transition rule names (an erased blob
    read, RUN-011.3; a store that failed).  The failed mark, ``wit-run``'s and
    ``rt-run``'s lists all report this one class."""
    if isinstance(error, TransitionError | TooLarge):
        return error.error_class
    if isinstance(error, GritError) and error.requirement == "OBJ-019.2":
        return error.error_class
    return "failed"


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one :meth:`Executor.run_until_quiescent` call did."""

    steps: tuple[tuple[ObjectId, ObjectId], ...]  # (actor, step id), in adoption order
    failures: tuple[Failure, ...]
    quiescent: bool


_set_steps, _set_failures = _setter(RunReport, "steps"), _setter(RunReport, "failures")
_set_quiescent = _setter(RunReport, "quiescent")


def run_report(
    steps: tuple[tuple[ObjectId, ObjectId], ...], failures: tuple[Failure, ...], quiescent: bool
) -> RunReport:
    """``RunReport(steps, failures, quiescent)``, made through its slots as the trusted
    constructors of :mod:`._model` make theirs (the same object, without the frozen
    ``__init__``): a runtime makes one a run, a run often one transition."""
    report: RunReport = object.__new__(RunReport)
    _set_steps(report, steps)
    _set_failures(report, failures)
    _set_quiescent(report, quiescent)
    return report


class Executor:
    """Runs actors over ``store`` (reference semantics, single-threaded).

    ``reader``, when given, is what :meth:`build` and :meth:`query` read objects
    through instead of ``store`` — the runtime passes its cache of decoded objects;
    it must return exactly what ``store`` holds.  ``limits`` are handed to each runner
    the executor makes (the runtime's core limit, SBX-007.7).
    """

    __slots__ = ("_actors", "_limits", "_reader", "_runners", "_store", "_updaters")

    def __init__(
        self,
        store: Store,
        actors: Mapping[str, Wit] = TEST_ACTORS,
        updaters: Mapping[str, Wit] = TEST_UPDATERS,
        *,
        reader: ObjectReader | None = None,
        wasm: WitRunner | None = None,
        sandbox: WitRunner | None = None,
        limits: RunnerLimits = _DEFAULT_LIMITS,
    ) -> None:
        self._store = store
        self._limits = limits
        self._actors = actors
        self._updaters = updaters
        self._reader: ObjectReader = store if reader is None else reader
        #: The runner of each ``runtime`` header met so far (``wasm``, WASM-001;
        #: ``python-wasi``, SBX-010): given here, else made on first use by the factory
        #: :mod:`._runners` holds for it.
        self._runners: dict[str, WitRunner] = {}
        if wasm is not None:
            self._runners[WASM_RUNTIME] = wasm
        if sandbox is not None:
            self._runners[SANDBOX_RUNTIME] = sandbox

    def _code(
        self,
        blob_id: ObjectId,
        table: Mapping[str, Wit],
        *,
        update: bool = False,
        gate: Callable[[str | None], None] | None = None,
    ) -> Wit | None:
        """The Wit a ``wit``/``wit_update`` blob names: Wasm, sandboxed Python or a test actor.

        An unknown ``runtime`` breaks WIT-001.3, an unknown name WIT-001.4 (``None``).
        A ``python-wasi`` blob is a ``wit`` only, never an update function (SBX-015.2).
        """
        try:  # get_blob(self._reader, blob_id), without its frame
            blob: Blob | None = self._reader.get_object(blob_id)  # type: ignore[assignment]
        except ObjectNotFound:
            blob = None
        if not isinstance(blob, Blob):
            blob = None
        runtime = None if blob is None else raw_of(blob.headers).get("runtime")  # Headers (OBJ-006)
        if gate is not None:
            gate(runtime)  # build's caller may stop it here: nothing has run
        if runtime == SANDBOX_RUNTIME and update:
            raise UnknownWit("SBX-015.2", "a python-wasi blob is not an update function")
        if runtime in (WASM_RUNTIME, SANDBOX_RUNTIME):
            return self._runner(runtime).wit_for(self._reader, blob_id)
        return table.get(blob_code_name(blob, blob_id))

    @property
    def fuel_spent(self) -> int:
        """Fuel units the transitions of its Wasm and sandboxed Wits consumed so far
        (WASM-019, SBX-006.1): the sum of its runners' ``fuel_spent``, where a runner
        keeps one (HTTP-014.1)."""
        return sum(int(getattr(runner, "fuel_spent", 0)) for runner in self._runners.values())

    def _runner(self, runtime: str) -> WitRunner:
        """The runner of ``runtime``'s blobs: made on first use, by the registered factory.

        Without one (an engine not registered, e.g. the Wit layer used on its own),
        the blob names no Wit it can run: ``unknown-wit`` (WIT-001.3).  Without the
        interpreter (the extra gritwit[sandbox]) a sandboxed Wit's first transition
        fails unknown-wit too (SBX-002.1).
        """
        runner = self._runners.get(runtime)
        if runner is None:
            factory = runner_factory(runtime)
            if factory is None:
                raise UnknownWit("WIT-001.3", f"no runner registered for runtime {runtime!r}")
            runner = self._runners[runtime] = factory(self._limits)  # SBX-007.7
        return runner

    # --- reading state -------------------------------------------------------------------

    def head(self, actor: ObjectId) -> ObjectId | None:
        """The id of ``actor``'s last step, or ``None`` if it does not exist."""
        return self._store.get_ref(head_ref(actor))

    def head_step(self, actor: ObjectId) -> Step | None:
        oid = self.head(actor)
        step = None if oid is None else self._store.get_object(oid)
        return step if isinstance(step, Step) else None

    def core(self, actor: ObjectId) -> Tree:
        """``actor``'s current core (:class:`LookupError` if it does not exist)."""
        step = self.head_step(actor)
        core = None if step is None else self._store.get_object(step.core)
        if not isinstance(core, Tree):
            raise LookupError(f"actor {actor} does not exist")
        return core

    def _outboxes(self) -> dict[ObjectId, dict[ObjectId, ObjectId]]:
        """Each sender's outbox entries: every head, plus the outside (RUN-003.4, RUN-003.5)."""
        boxes = {OUTSIDE: outside_entries(self._store, read_outside(self._store))}
        for name in self._store.list_refs(HEADS_PREFIX):
            step = self._store.get_object(self._store.get_ref(name))  # type: ignore[arg-type]
            if isinstance(step, Step):
                boxes[step.actor] = mailbox_entries(self._store, step.outbox)
        return boxes

    def pending_for(self, actor: ObjectId) -> dict[ObjectId, tuple[PendingMessage, ...]]:
        """The executor's routing: everything pending for ``actor`` (WIT-010.1).

        By sender in id order: what every sender's outbox entry for ``actor`` holds
        beyond what ``actor`` read, so that an entry already read routes nothing.
        """
        step = self.head_step(actor)
        inbox = mailbox_entries(self._store, None if step is None else step.inbox)
        found: dict[ObjectId, tuple[PendingMessage, ...]] = {}
        for sender, box in sorted(self._outboxes().items()):
            if actor in box:
                items = pending(self._store, box[actor], inbox.get(sender))
                if items:
                    found[sender] = tuple(items)
        return found

    def replies(self, actor: ObjectId) -> list[PendingMessage]:
        """The messages ``actor`` sent to the outside (which never reads), oldest first."""
        step = self.head_step(actor)
        box = mailbox_entries(self._store, None if step is None else step.outbox)
        return pending(self._store, box.get(OUTSIDE), None)

    # --- the outside ---------------------------------------------------------------------

    def inject(
        self,
        recipient: ObjectId,
        content: ObjectId,
        headers: Mapping[str, str] | None = None,
        *,
        objects: Iterable[GritObject] = (),
        signal: bool = False,
    ) -> ObjectId:
        """Send a message from the outside (chained per WIT-004); returns its id."""
        sent, _, _ = send_from_outside(
            self._store, [(recipient, content, headers, signal)], objects
        )
        return sent[0]

    def genesis(self, core: Tree, objects: Iterable[GritObject] = ()) -> ObjectId:
        """Send the genesis message of ``core`` from the outside; returns the actor id (WIT-002)."""
        actor = object_id(core)
        self.inject(actor, actor, {"mt": "genesis"}, objects=(*objects, core))
        return actor

    # --- running -------------------------------------------------------------------------

    def run_until_quiescent(self, max_steps: int = 1000) -> RunReport:
        """Run rounds of transitions until none can progress or ``max_steps`` steps.

        A failed transition adopts no step and leaves its messages pending (WIT-006,
        WIT-024); it is not retried within the call, and the other actors keep running
        (WIT-027.2).  An actor whose step read nothing is not run again until what is
        pending for it changes.
        """
        steps: list[tuple[ObjectId, ObjectId]] = []
        failures: list[Failure] = []
        failed: set[ObjectId] = set()
        idle: dict[ObjectId, tuple[ObjectId, ...]] = {}
        while True:
            progressed = False
            recipients = {r for box in self._outboxes().values() for r in box} - {OUTSIDE}
            for actor in sorted(recipients - failed):
                if len(steps) >= max_steps:
                    return RunReport(tuple(steps), tuple(failures), False)
                found = self.pending_for(actor)
                snapshot = tuple(items[-1].id for items in found.values())
                if not found or idle.get(actor) == snapshot:
                    continue
                last = self.head_step(actor)
                try:
                    built = self.build(actor, last, found)
                    if built is None:
                        continue
                    # Objects first, then the head (REF-004); encoded once, by assemble,
                    # and the step is not read back.
                    self._store.put_encoded_then_cas(
                        built.encodings,
                        head_ref(actor),
                        self.head(actor),
                        built.step_id,
                        target=built.step,
                    )
                except Exception as exc:  # WIT-006: any failure adopts no step
                    failures.append(Failure(actor, exc))
                    failed.add(actor)
                    continue
                steps.append((actor, built.step_id))
                progressed = True
                if built.step.inbox == (None if last is None else last.inbox):
                    idle[actor] = snapshot
            if not progressed:
                return RunReport(tuple(steps), tuple(failures), True)

    def build(
        self,
        actor: ObjectId,
        last: Step | None,
        found: Mapping[ObjectId, tuple[PendingMessage, ...]],
        *,
        last_id: ObjectId | None = None,
        gate: Callable[[str | None], None] | None = None,
    ) -> Assembled | None:
        """One transition of ``actor`` from ``last`` over ``found`` (WIT-006).

        The first one runs the genesis core (WIT-012.1), or waits (WIT-012.2); a genesis
        or update runs alone (WIT-012.5, WIT-013.2), the others see the messages before
        any update (WIT-013.2).

        Stores nothing: returns the checked step and its objects, or ``None`` when
        the actor does not exist and no genesis is pending (the messages wait).
        Raises whatever the transition raises.  Shared with the runtime, which
        passes ``last_id`` (the id of ``last``) so that it is not computed again,
        and may pass ``gate``: called with the ``runtime`` header of the code
        about to run (``None`` for none) before it runs, so that it can stop a
        transition that must run elsewhere (the runtime's engine lane, RUN-005.7)
        by raising, having run nothing.
        """
        # a genesis walks its whole core up to three times: each object is read once
        base = self._reader if last is not None else ReadOnce(self._reader)
        reader = Overlay(base)
        if last is None:
            core = self._genesis_core(actor, found)
            if core is None:
                return None  # no genesis yet: the messages wait (WIT-012.2)
            visible = _prefixes(found, frozenset({"update"}))
            self._bound(core, reader, gate)  # a genesis core its runs could not take (SBX-006.17)
        else:
            core = self._current_core(last)
            for sender, items in found.items():
                first = items[0]
                if first.mt in _RESERVED:  # runs alone (WIT-012.5, WIT-013.2)
                    inp = transition_input(actor, last, core, {sender: (first,)}, reader)
                    output = self._system(inp, sender, first, gate)
                    return assemble(inp, output, self._reader, last_id=last_id)
            visible = _prefixes(found, _RESERVED)
        inp = transition_input(actor, last, core, visible, reader)
        wit = self._wit(core, gate)  # reads the core's wit blob, in this transition (RUN-011.3)
        # a test actor's transition function, called as its __call__ calls it (one frame less)
        run = wit.transition if type(wit) is BuiltinActor else wit
        return assemble(inp, run(inp), base, last_id=last_id, wit_read=True)

    def _current_core(self, last: Step) -> Tree:
        core = self._reader.get_object(last.core)
        if not isinstance(core, Tree):
            raise InvalidTransition("WIT-007.2", f"the last step's core {last.core} is not a tree")
        return core

    def _genesis_core(
        self, actor: ObjectId, found: Mapping[ObjectId, tuple[PendingMessage, ...]]
    ) -> Tree | None:
        """The core whose ``wit`` runs ``actor``'s first transition (WIT-012.1), or ``None``."""
        if _awaiting_genesis(found):
            return None
        geneses = [item for items in found.values() for item in items if item.mt == "genesis"]
        if all(item.message.content != actor for item in geneses):
            raise InvalidGenesis("WIT-012.3", f"no pending genesis for {actor} carries its core")
        core = self._reader.get_object(actor) if self._reader.has(actor) else None
        if not isinstance(core, Tree) or core_problem(self._reader, core) is not None:
            raise InvalidGenesis("WIT-012.4", f"genesis content {actor} is not a valid core")
        return core

    def _system(
        self,
        inp: TransitionInput,
        sender: ObjectId,
        item: PendingMessage,
        gate: Callable[[str | None], None] | None = None,
    ) -> TransitionOutput:
        """The output of a genesis read-over (WIT-012.5) or an update (WIT-013, WIT-014.1)."""
        read_over = _read_over(inp, sender, item)
        if read_over is not None:
            return read_over
        update = self._reader.get_object(item.message.content)
        if not isinstance(update, Tree):
            raise InvalidTransition("WIT-013.1", "an update's content must be a tree")
        if WIT_UPDATE in update.entries:
            function = self._code(
                update.entries[WIT_UPDATE], self._updaters, update=True, gate=gate
            )
            if function is None:
                raise UnknownWit("WIT-014.3", "the update names an unknown wit_update function")
            output = dataclasses.replace(function(inp), read={sender: 1})
        else:
            core, created = merge(self._reader, inp.core, update)
            output = TransitionOutput(core=core, read={sender: 1}, new_objects=created)
        try:
            self._bound(output.core, Overlay(self._reader, _by_id(output.new_objects)), gate)
        except TooLarge as exc:  # read and answered, not left pending (SBX-006.19)
            return _refused(inp, sender, item, exc)
        return output

    def bound_core(self, reader: ObjectReader, core: Tree) -> None:
        """Refuse ``core``, read through ``reader``, when the runner of its ``wit`` could not
        mount it at this executor's runs (``too-large``): an imported head's core
        (SBX-006.18) is checked as a genesis or an update's is (SBX-006.17)."""
        self._bound(core, reader, None)

    def _bound(
        self, core: Tree, reader: ObjectReader, gate: Callable[[str | None], None] | None
    ) -> None:
        """Refuse ``core`` at the transition it enters by, when the runner of its ``wit``
        bounds the cores its runs take and this one is past the bound (SBX-006.17:
        ``too-large``).  A core whose ``wit`` names no such runner is left to its next
        transition, which fails as it always did; nothing is compiled here."""
        raw = raw_of(core.entries).get(WIT)
        if raw is None:
            return
        try:
            blob = reader.get_object(_new_id(ObjectId, (raw,)))  # the core's own reader
        except ObjectNotFound:
            return
        runtime = raw_of(blob.headers).get("runtime") if isinstance(blob, Blob) else None
        if runtime not in (WASM_RUNTIME, SANDBOX_RUNTIME):
            return
        try:
            runner = self._runner(runtime)
        except UnknownWit:
            return
        if isinstance(runner, BoundsCores):
            if gate is not None:
                gate(runtime)  # the walk is host work of the run's engine (RUN-005.7)
            runner.bound_core(reader, core)

    def _wit(self, core: Tree, gate: Callable[[str | None], None] | None = None) -> Wit:
        raw = raw_of(core.entries).get(WIT)  # as core.entries.get(WIT), without wrapping
        entry = None if raw is None else _new_id(ObjectId, (raw,))  # as ObjectId._trusted
        if entry is None:
            raise UnknownWit("WIT-001.1", "the core has no 'wit' entry")
        wit = self._code(entry, self._actors, gate=gate)
        if wit is None:
            raise UnknownWit("WIT-001.4", "the 'wit' blob names no known test actor")
        return wit

    # --- queries -------------------------------------------------------------------------

    def query(self, actor: ObjectId, name: str) -> Blob:
        """Run query ``name`` against ``actor``'s head (WIT-017.1): reads only, stores nothing.

        It answers from the head's step and core alone, so that two equal queries against
        the same head return the same blob (WIT-017.2).
        """
        step = self.head_step(actor)
        if step is None:
            raise LookupError(f"actor {actor} does not exist")
        core = self.core(actor)
        wit = self._wit(core)
        if not isinstance(wit, Queryable):
            raise UnknownQuery("WIT-017.3", f"actor {actor} answers no queries")
        return wit.query(
            name, QueryInput(actor=actor, step=step, core=core, objects=Overlay(self._reader))
        )


def _by_id(objects: Iterable[GritObject]) -> dict[ObjectId, GritObject]:
    """``objects`` by id: a transition's new objects, seen before they are stored."""
    return {object_id(obj): obj for obj in objects}


def _awaiting_genesis(found: Mapping[ObjectId, tuple[PendingMessage, ...]]) -> bool:
    """Whether no genesis is pending for an actor without a step: then it waits (WIT-012.2)."""
    return not any(item.mt == "genesis" for items in found.values() for item in items)


def _read_over(
    inp: TransitionInput, sender: ObjectId, item: PendingMessage
) -> TransitionOutput | None:
    """A duplicate or misaddressed genesis, read alone with no other change (WIT-012.5)."""
    if item.mt != "genesis":
        return None
    return TransitionOutput(core=inp.core, read={sender: 1})


def _refused(
    inp: TransitionInput, sender: ObjectId, item: PendingMessage, error: TooLarge
) -> TransitionOutput:
    """The step of an update whose new core SBX-006.17 refuses (SBX-006.19): it reads the
    update alone and keeps the last core, so the update is no longer pending and the
    actor's next messages run on the core it had; nothing the update function made is
    kept, and the update's sender (the outside too) is answered ``mt: "error"`` with a
    blob naming the actor, the class and the refused message.  A refusal is a function
    of the core and the runtime's limits, so every retry would refuse it again: were the
    transition failed instead, the update would stay first in line for good and no later
    message of any sender would ever run."""
    actor, update = inp.actor.hex(), item.id.hex()
    text = f'{{"actor":"{actor}","error":"{error.error_class}","update":"{update}"}}'
    answer = Blob(data=text.encode("ascii"), headers={"content-type": "application/json"})
    return TransitionOutput(
        core=inp.core,
        read={sender: 1},
        sends=(Send(recipient=sender, content=object_id(answer), headers={"mt": "error"}),),
        new_objects=(answer,),
    )


def _prefixes(
    found: Mapping[ObjectId, tuple[PendingMessage, ...]], stop: frozenset[str]
) -> dict[ObjectId, tuple[PendingMessage, ...]]:
    """Each sender's messages before its first one whose type is in ``stop`` (WIT-013.2)."""
    result: dict[ObjectId, tuple[PendingMessage, ...]] = {}
    for sender, items in found.items():
        for cut, item in enumerate(items):
            if item.mt in stop:
                items = items[:cut]
                break
        if items:
            result[sender] = items
    return result
