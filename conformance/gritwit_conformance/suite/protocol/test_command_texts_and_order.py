"""The Wit, perf and sandbox commands' arguments over every input class and the orders
their answers keep: actor names, ``mt`` and query names, ``max_steps``, candidates and
answered objects by id across 0x80, reasons, workloads, and sandbox programs (ADP-014,
ADP-015, ADP-018.4, ADP-019, ID-005; issue 24, item 3).  Helpers:
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

from ._protocol_texts import ALL, _actor_id, _lone, _message_id, _outcome, _send, _test_actor


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(impl.call("wit-open").result["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- ADP-014: actor names, mt, query names, max_steps, candidates in id order ----------------


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_actor_names_mt_and_query_names_of_every_class(impl: Implementation, runtime: str) -> None:
    """``actor`` is the data of the ``wit`` blob, whatever the text (a lone surrogate is
    ``bad-request``: it has no UTF-8); any text is an ``mt`` (a lone surrogate is
    ``invalid-utf8``); a counter answers only the query ``count`` (and ``wut``)."""
    counter = str(impl.call("wit-genesis", runtime=runtime, actor="counter").result["actor"])
    assert counter == _test_actor("counter")
    assert impl.call("wit-run", runtime=runtime, max_steps=10).ok
    assert (
        impl.call("wit-query", runtime=runtime, actor=counter, name="count").result["data"]
        == b"0".hex()
    )
    for i, text in enumerate(ALL):
        reply = impl.call("wit-genesis", check=False, runtime=runtime, actor=text)
        if _lone(text):
            assert _outcome(reply) == "bad-request", (ascii(text), reply)
        else:
            assert reply.ok and reply.result["actor"] == _test_actor(text), (ascii(text), reply)
        reply = _send(impl, runtime, i, {"blob": ""}, text)
        if _lone(text):
            assert _outcome(reply) == "invalid-utf8", (ascii(text), reply)
        else:
            assert reply.ok and reply.result["message"] == _message_id({"blob": ""}, text), (
                ascii(text),
                reply,
            )
            query = impl.call("wit-query", check=False, runtime=runtime, actor=counter, name=text)
            assert _outcome(query) == "unknown-query", (ascii(text), query)


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-014")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("actors", [1, 3])
def test_a_call_adopting_exactly_max_steps_is_not_quiescent(
    impl: Implementation, actors: int
) -> None:
    for max_steps, quiescent in ((actors, False), (actors + 1, True)):
        runtime = str(impl.call("wit-open").result["runtime"])
        for k in range(actors):
            impl.call("wit-genesis", runtime=runtime, actor="counter", state={"n": f"{k:02x}"})
        reply = impl.call("wit-run", runtime=runtime, max_steps=max_steps)
        assert len(reply.result["steps"]) == actors, reply
        assert reply.result["quiescent"] is quiescent, (
            f"{actors} steps adopted with max_steps {max_steps}: quiescent must be {quiescent}"
        )
        impl.call("wit-close", runtime=runtime)


def _straddling(ids: list[str]) -> None:
    """The binary ids lie on both sides of 0x80: signed bytes order them differently."""

    def signed(i: str) -> tuple[int, ...]:
        return tuple(b - 256 if b >= 128 else b for b in bytes.fromhex(i))

    assert sorted(ids) != sorted(ids, key=signed), ids


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
    reply = impl.call("wit-run", runtime=runtime, max_steps=100)
    adopted = [actor for actor, _ in reply.result["steps"]]
    assert adopted == sorted(actors), (
        f"candidates must run in ascending id order, unsigned bytes (ADP-014, ID-005): "
        f"expected {[a[:4] for a in sorted(actors)]}, got {[a[:4] for a in adopted]}"
    )


# --- ADP-015: reasons, ref names and erased blobs -------------------------------------------


def _rt(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(impl.call("rt-open", path=str(path)).result["runtime"])


@pytest.mark.profile("runtime")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty",
    "order:signed-bytes", "order:canonical-signed-bytes",
)  # fmt: skip
def test_reasons_ref_names_and_erased_blobs(impl: Implementation, tmp_path: Path) -> None:
    """``reason`` is any non-empty text (empty or a lone surrogate: ``bad-request``);
    ``rt-ref`` refuses any name but REF-001's; ``rt-verify`` lists the erased blobs in
    ascending id order, unsigned."""
    runtime = _rt(impl, tmp_path / "rt")
    datas = [f"{k:02x}" for k in range(8)]
    state = {f"e{k}": d for k, d in enumerate(datas)}
    blobs = [g.object_id(g.Blob(data=bytes.fromhex(d))).hex() for d in datas]
    _straddling(blobs)
    actor = str(
        impl.call("rt-genesis", runtime=runtime, actor="counter", state=state).result["actor"]
    )
    assert actor == _test_actor("counter", state)
    assert impl.call("rt-run", runtime=runtime, max_steps=10).result["steps"]
    for k, text in enumerate(ALL):
        reply = impl.call(
            "rt-erase", check=False, runtime=runtime, blob=blobs[k % len(blobs)], reason=text
        )
        want = "bad-request" if text == "" or _lone(text) else "ok"
        assert _outcome(reply) == want, (
            f"rt-erase with reason {text!a}: expected {want}, got {reply}"
        )
        for name in ("names/" + text, text):
            ref = impl.call("rt-ref", check=False, runtime=runtime, name=name)
            want = "ok" if is_ref_name(name) else "invalid-ref-name"
            assert _outcome(ref) == want, f"rt-ref {name!a}: expected {want}, got {ref}"
    erased = set(blobs[k % len(blobs)] for k, t in enumerate(ALL) if t and not _lone(t))
    verified = impl.call("rt-verify", runtime=runtime, actor=actor).result
    assert verified["erased"] == sorted(erased), (
        f"erased blobs must be listed in ascending id order (ADP-015): expected "
        f"{[b[:4] for b in sorted(erased)]}, got {[b[:4] for b in verified['erased']]}"
    )
    impl.call("rt-close", runtime=runtime)


# --- ADP-018.4: perf-run's workload and n ---------------------------------------------------

WORKLOADS = ["encode", "counter", "ping-pong"]


@pytest.mark.profile("perf")
@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "past-largest"
)
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
        assert _outcome(reply) == "bad-request", (
            f"perf-run workload {text!a}: expected bad-request, got {reply}"
        )
    for workload in WORKLOADS:
        assert impl.call("perf-run", workload=workload, n=1).ok
        for n in (0, 1_000_001, -1):
            reply = impl.call("perf-run", check=False, workload=workload, n=n)
            assert _outcome(reply) == "bad-request", (workload, n, reply)


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
    reply = impl.call("perf-run", workload="encode", n=1_000_000)
    assert reply.ok and reply.result["check"] == _encode_check(1_000_000), reply


# --- ADP-019: sandbox-run and wit-genesis of a program --------------------------------------


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


def _interpreter(impl: Implementation) -> str:
    return str(impl.call("sandbox-info").result["interpreter"])


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.3")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
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
                assert _outcome(got) == "bad-request", (ascii(request), got)
                continue
            want = reference.call("sandbox-run", check=False, **request)
            assert got.outcome() == want.outcome(), (ascii(request), got, want)
            if want.ok:
                assert got.result == want.result, (ascii(request), got, want)
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={text: 1})
        assert _outcome(reply) == "bad-request", (ascii(text), reply)
    for name in ("fuel", "memory", "output", "core", "sends"):
        for value in (0, 2**53):
            reply = impl.call("sandbox-run", check=False, program="print(1)", limits={name: value})
            assert _outcome(reply) == "bad-request", (name, value, reply)
    for bad in ("Fuel", "fuel\x00", "fu\u00e9l", "fuel\U0001f600", "", "\ud800"):
        reply = impl.call("sandbox-run", check=False, program="print(1)", limits={bad: 1})
        assert _outcome(reply) == "bad-request", (ascii(bad), reply)
    for name in ("output", "core", "sends"):
        reply = impl.call("sandbox-run", program="print(1)", limits={name: 2**53 - 1})
        assert reply.ok and reply.result["stdout"] == b"1\n".hex(), (name, reply)


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
    reply = impl.call(
        "sandbox-run", program="pass", core=g.object_id(tree).hex(), objects=objects[::-1]
    )
    assert reply.ok and reply.result["core"] == g.object_id(tree).hex(), reply
    assert reply.result["objects"] == objects, (
        "objects must be in ascending order of their ids, unsigned (ADP-019.2, ID-005): "
        f"expected {[i[:4] for i in sorted(ids)]}, got "
        f"{[blake3.blake3(bytes.fromhex(o)).hexdigest()[:4] for o in reply.result['objects']]}"
    )


@pytest.mark.profile("sandbox")
@pytest.mark.req("ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_a_program_of_every_class_becomes_the_wit_blob(impl: Implementation) -> None:
    """The program's UTF-8 is the ``wit`` blob's data, byte for byte, whatever its class
    (the actor's id computed here); a lone surrogate has no UTF-8: ``bad-request``."""
    held = _interpreter(impl)
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = str(impl.call("wit-open").result["runtime"])
    for text in ALL:
        for program in (text, "# " + text + "\nprint(1)\n"):
            reply = impl.call("wit-genesis", check=False, runtime=runtime, program=program)
            if _lone(text):
                assert _outcome(reply) == "bad-request", (ascii(program), reply)
                continue
            wit = g.Blob(data=program.encode("utf-8"), headers=headers)
            assert reply.ok and reply.result["actor"] == _actor_id(wit, {}), (ascii(program), reply)
    impl.call("wit-close", runtime=runtime)
