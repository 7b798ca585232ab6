"""The Wit, perf and sandbox commands' arguments over every input class and the orders
their answers keep: actor names, ``mt`` and query names, ``max_steps``, candidates and
answered objects by id across 0x80, reasons, workloads, and sandbox programs (ADP-014,
ADP-015, ADP-018.4, ADP-019, ID-005).  Helpers:
:mod:`._protocol_texts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import blake3
import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation, InProcess
from gritwit_conformance.suite.store.test_store_texts_and_limits import is_ref_name

from .._check import (
    call_ok,
    check,
    check_equal,
    check_outcome,
    ok_answer,
    same_answer,
    suite_premise,
)
from ._protocol_texts import ALL, _actor_id, _lone, _message_id, _send, _test_actor


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- ADP-014: actor names, mt, query names, max_steps, candidates in id order ----------------


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("CONV-004")
def test_actor_names_mt_and_query_names_of_every_class(impl: Implementation, runtime: str) -> None:
    """``actor`` is the data of the ``wit`` blob, whatever the text (a lone surrogate is
    ``bad-request``: it has no UTF-8); any text is an ``mt`` (a lone surrogate is
    ``invalid-utf8``); a counter answers only the query ``count`` (and ``wut``)."""
    counter = str(
        call_ok(impl, "ADP-014", "wit-genesis", runtime=runtime, actor="counter")["actor"]
    )
    check_equal("ADP-014", _test_actor("counter"), counter, "the id of the counter's genesis")
    call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=10)
    count = call_ok(impl, "ADP-014", "wit-query", runtime=runtime, actor=counter, name="count")
    check_equal("ADP-014", b"0".hex(), count["data"], "the counter's count")
    for i, text in enumerate(ALL):
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor=text)
        if _lone(text):
            check_outcome("ADP-014", reply, "bad-request", f"wit-genesis of the actor {text!a}")
        else:
            what = f"wit-genesis of the actor {text!a}"
            got = ok_answer(reply, "ADP-014", what)["actor"]
            check_equal("ADP-014", _test_actor(text), got, what)
        reply = _send(impl, runtime, i, {"blob": ""}, text)
        if _lone(text):
            check_outcome("ADP-014", reply, "invalid-utf8", f"wit-send with the mt {text!a}")
        else:
            what = f"wit-send with the mt {text!a}"
            got = ok_answer(reply, "ADP-014", what)["message"]
            check_equal("ADP-014", _message_id({"blob": ""}, text), got, what)
            query = impl.call("wit-query", check=False, runtime=runtime, actor=counter, name=text)
            check_outcome("ADP-014", query, "unknown-query", f"wit-query of the name {text!a}")


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("actors", [1, 3])
def test_a_call_adopting_exactly_max_steps_is_not_quiescent(
    impl: Implementation, actors: int
) -> None:
    for max_steps, quiescent in ((actors, False), (actors + 1, True)):
        runtime = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
        for k in range(actors):
            impl.call("wit-genesis", runtime=runtime, actor="counter", state={"n": f"{k:02x}"})
        ran = call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=max_steps)
        what = f"wit-run of {actors} geneses with max_steps {max_steps}"
        check_equal("ADP-014", actors, len(ran["steps"]), f"the steps of {what}")
        check_equal("ADP-014", quiescent, ran["quiescent"], f"quiescent after {what}")
        impl.call("wit-close", runtime=runtime)


def _straddling(ids: list[str]) -> None:
    """The binary ids lie on both sides of 0x80: signed bytes order them differently."""

    def signed(i: str) -> tuple[int, ...]:
        return tuple(b - 256 if b >= 128 else b for b in bytes.fromhex(i))

    suite_premise(sorted(ids) != sorted(ids, key=signed), "the ids lie on both sides of 0x80")


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_candidates_run_in_ascending_id_order_across_0x80(
    impl: Implementation, runtime: str
) -> None:
    states = [{"n": f"{k:02x}"} for k in range(6)]
    actors = [_test_actor("counter", s) for s in states]
    _straddling(actors)
    for state in reversed(states):
        impl.call("wit-genesis", runtime=runtime, actor="counter", state=state)
    ran = call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=100)
    adopted = [actor for actor, _ in ran["steps"]]
    what = "the order the candidates ran in (ascending ids, unsigned bytes)"
    check_equal(("ADP-014", "ID-005"), sorted(actors), adopted, what)


# --- ADP-015: reasons, ref names and erased blobs -------------------------------------------


def _rt(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(call_ok(impl, "ADP-015", "rt-open", path=str(path))["runtime"])


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty",
    "order:signed-bytes", "order:canonical-signed-bytes",
)  # fmt: skip
@pytest.mark.req("CONV-004")
def test_reasons_ref_names_and_erased_blobs(impl: Implementation, tmp_path: Path) -> None:
    """``reason`` is any non-empty text (empty or a lone surrogate: ``bad-request``);
    ``rt-ref`` refuses any name but REF-001's; ``rt-verify`` lists the erased blobs in
    ascending id order, unsigned."""
    runtime = _rt(impl, tmp_path / "rt")
    datas = [f"{k:02x}" for k in range(8)]
    state = {f"e{k}": d for k, d in enumerate(datas)}
    blobs = [g.object_id(g.Blob(data=bytes.fromhex(d))).hex() for d in datas]
    _straddling(blobs)
    genesis = call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter", state=state)
    actor = str(genesis["actor"])
    check_equal("ADP-015", _test_actor("counter", state), actor, "the id of the genesis")
    steps = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)["steps"]
    check("ADP-015", bool(steps), expected="a step adopted by the first run", came="none")
    for k, text in enumerate(ALL):
        reply = impl.call(
            "rt-erase", check=False, runtime=runtime, blob=blobs[k % len(blobs)], reason=text
        )
        want = "bad-request" if text == "" or _lone(text) else "ok"
        check_outcome("ADP-015", reply, want, f"rt-erase with the reason {text!a}")
        for name in ("names/" + text, text):
            ref = impl.call("rt-ref", check=False, runtime=runtime, name=name)
            want = "ok" if is_ref_name(name) else "invalid-ref-name"
            check_outcome("ADP-015", ref, want, f"rt-ref {name!a}")
    erased = set(blobs[k % len(blobs)] for k, t in enumerate(ALL) if t and not _lone(t))
    verified = call_ok(impl, "ADP-015", "rt-verify", runtime=runtime, actor=actor)
    what = "the erased blobs rt-verify lists (ascending ids)"
    check_equal("ADP-015", sorted(erased), verified["erased"], what)
    impl.call("rt-close", runtime=runtime)


# --- ADP-018.4: perf-run's workload and n ---------------------------------------------------

WORKLOADS = ["encode", "counter", "ping-pong"]


@pytest.mark.profile("perf")
@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "past-largest"
)
@pytest.mark.req("CONV-004")
def test_a_workload_is_one_of_three_exact_names(impl: Implementation) -> None:
    near = [
        "Encode",
        "ENCODE",
        "encode\x00",
        "encode ",
        "pingpong",
        "ping_pong",
        "\u0435ncode",
        "encode\U0001f600",
    ]
    for text in ALL + near:
        reply = impl.call("perf-run", check=False, workload=text, n=1)
        check_outcome("ADP-018.4", reply, "bad-request", f"perf-run of the workload {text!a}")
    for workload in WORKLOADS:
        call_ok(impl, "ADP-018.4", "perf-run", workload=workload, n=1)
        for n in (0, 1_000_001, -1):
            reply = impl.call("perf-run", check=False, workload=workload, n=n)
            check_outcome("ADP-018.4", reply, "bad-request", f"perf-run of {workload} n={n}")


def _encode_check(n: int) -> str:
    """ADP-018.2's ``encode`` workload: the id of the last tree, computed here."""
    blob = g.Blob(data=str(n - 1).encode())
    return str(g.object_id(g.Tree(entries={"x": g.object_id(blob)})).hex())


@pytest.mark.heavy
@pytest.mark.profile("perf")
@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs("largest")
def test_the_largest_n_is_run(impl: Implementation) -> None:
    """n = 1 000 000 is allowed: run (about 20 s for the reference), its check computed here."""
    ran = call_ok(impl, "ADP-018.4", "perf-run", workload="encode", n=1_000_000)
    check_equal("ADP-018.4", _encode_check(1_000_000), ran["check"], "the check of n = 10⁶")


# --- ADP-019: sandbox-run and wit-genesis of a program --------------------------------------


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


def _interpreter(impl: Implementation) -> str:
    return str(call_ok(impl, "ADP-019.7", "sandbox-info")["interpreter"])


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.3")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
@pytest.mark.req("CONV-004")
def test_sandbox_run_programs_messages_and_limits_of_every_class(
    impl: Implementation, reference: InProcess
) -> None:
    """A program or message holding a lone surrogate is ``bad-request``; any other text
    runs as the reference runs it; ``limits`` has the five names only (any other, of any
    class, is ``bad-request``) and values 1 … 2⁵³ − 1."""
    for text in ALL:
        requests: list[dict[str, Any]] = [
            {"program": p} for p in ("# " + text + "\nprint(1)", text)
        ]
        requests.append({"program": "print(len(open('/input/transition.json').read()) > 0)",
                         "messages": [{"mt": text, text: [text]}]})  # fmt: skip
        for request in requests:
            got = impl.call("sandbox-run", check=False, **request)
            if _lone(text):
                check_outcome("ADP-019.3", got, "bad-request", f"sandbox-run of {request!a}")
                continue
            want = reference.call("sandbox-run", check=False, **request)
            same_answer("ADP-019.3", got, want, f"sandbox-run of {request!a:.300}")
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={text: 1})
        check_outcome("ADP-019.3", reply, "bad-request", f"sandbox-run with the limit {text!a}")
    for name in ("fuel", "memory", "output", "core", "sends"):
        for value in (0, 2**53):
            reply = impl.call("sandbox-run", check=False, program="print(1)", limits={name: value})
            what = f"sandbox-run with the limit {name} {value}"
            check_outcome("ADP-019.3", reply, "bad-request", what)
    for bad in ("Fuel", "fuel\x00", "fu\u00e9l", "fuel\U0001f600", "", "\ud800"):
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={bad: 1})
        check_outcome("ADP-019.3", reply, "bad-request", f"sandbox-run with the limit {bad!a}")
    for name in ("output", "core", "sends"):
        ran = call_ok(
            impl, "ADP-019.3", "sandbox-run", program="print(1)", limits={name: 2**53 - 1}
        )
        what = f"the stdout of print(1) with the limit {name} 2⁵³ − 1"
        check_equal("ADP-019.3", b"1\n".hex(), ran["stdout"], what)


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.2", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_answered_objects_are_in_ascending_id_order_across_0x80(impl: Implementation) -> None:
    datas = [bytes([k]) for k in range(8)]
    blobs = [g.Blob(data=d) for d in datas]
    tree = g.Tree(entries={f"f{k}": g.object_id(b) for k, b in enumerate(blobs)})
    everything: list[g.GritObject] = [*blobs, tree]
    ids = [g.object_id(o).hex() for o in everything]
    _straddling(ids)
    encodings = {g.object_id(o).hex(): g.encode_object(o).hex() for o in everything}
    objects = [encodings[i] for i in sorted(ids)]
    ran = call_ok(
        impl,
        "ADP-019.2",
        "sandbox-run",
        program="pass",
        core=g.object_id(tree).hex(),
        objects=objects[::-1],
    )
    check_equal("ADP-019.2", g.object_id(tree).hex(), ran["core"], "the core sandbox-run answers")
    got = [blake3.blake3(bytes.fromhex(o)).hexdigest()[:4] for o in ran["objects"]]
    check_equal(
        ("ADP-019.2", "ID-005"),
        [i[:4] for i in sorted(ids)],
        got,
        "the ids of the objects answered, in order (ascending ids, unsigned)",
    )
    check_equal("ADP-019.2", objects, ran["objects"], "the objects answered")


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("CONV-004")
def test_a_program_of_every_class_becomes_the_wit_blob(impl: Implementation) -> None:
    """The program's UTF-8 is the ``wit`` blob's data, byte for byte, whatever its class
    (the actor's id computed here); a lone surrogate has no UTF-8: ``bad-request``."""
    held = _interpreter(impl)
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = str(call_ok(impl, "ADP-019.7", "wit-open")["runtime"])
    for text in ALL:
        for program in (text, "# " + text + "\nprint(1)\n"):
            reply = impl.call("wit-genesis", check=False, runtime=runtime, program=program)
            what = f"wit-genesis of the program {program!a:.80}"
            if _lone(text):
                check_outcome("ADP-019.7", reply, "bad-request", what)
                continue
            wit = g.Blob(data=program.encode("utf-8"), headers=headers)
            got = ok_answer(reply, "ADP-019.7", what)["actor"]
            check_equal("ADP-019.7", _actor_id(wit, {}), got, what)
    impl.call("wit-close", runtime=runtime)
