"""Same answer everywhere: one store through every front end that lists actors.

The store holds what made the front ends disagree: a ref under ``names/actors/`` that is
no name (set by a tool, HTTP-015.4), an actor failed at its genesis (a mark, no head,
HTTP-007.9), an actor with two names (RUN-026) and actors in both shares of ``n = 2``
(RUN-021).  ``gritwit actor list`` and ``actor show``, ``gritwit runtime heads``,
``GET /v1/actors``, ``GET /v1/actors/{actor}`` and the status page's ``/ui/actors.json``
of a service running share 0 of 2 must give the same actors in the same order, with the
same heads, names, failed marks and pending messages; the HTTP answers the share of each;
the status page says nothing of residency for an actor of the other share.

The expected answer is made from what the test built and from the store's refs read
directly, never from the actor view the front ends share.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from serve_helpers import serving

from gritwit import Store
from gritwit._commands import main
from gritwit.runtime import Runtime, Share
from gritwit.serve import EngineSettings
from gritwit.store import head_ref

#: Set by a tool that does not bind: no actor name (RUN-026.1), so listed nowhere.
BAD_NAME_REF = "names/actors/zz/by-a-tool"


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``gritwit ARGV`` in this process: its standard output, the exit status 0."""
    status = main(list(argv))
    out = capsys.readouterr()
    assert status == 0, f"gritwit {' '.join(argv)} exited {status}: {out.err}"
    return out.out


def _share(actor: str) -> int:
    """The actor's share of 2 by RUN-021's rule: its first 8 bytes, big-endian, mod 2."""
    return int(actor[:16], 16) % 2


def _build(capsys: pytest.CaptureFixture[str], store: str) -> dict[str, Any]:
    """The store, and what the test knows of it: the actors, their names, the failed one."""
    counters: list[str] = []
    seed = 0
    while {_share(a) for a in counters} != {0, 1} or len(counters) < 3:
        counters.append(
            gritwit(
                capsys,
                "actor",
                "create",
                "--store",
                store,
                "--create",
                "--test",
                "counter",
                "--data",
                f"count={seed}",
            ).strip()
        )
        seed += 1
    failing = gritwit(capsys, "actor", "create", "--store", store, "--test", "failing").strip()
    named, other = counters[0], counters[1]
    for name, actor in (("beta", named), ("alpha", named), ("gamma", other)):
        gritwit(capsys, "actor", "name", "--store", store, name, actor)
    with Store.open(store) as opened:
        opened.cas_ref(BAD_NAME_REF, None, _id(counters[2]))
        report = asyncio.run(Runtime(opened).run_until_quiescent())
        assert report.quiescent
        heads = {a: opened.get_ref(head_ref(_id(a))) for a in [*counters, failing]}
        marked = {a for a in [*counters, failing] if opened.get_ref(f"names/failed/{a}")}
    assert heads[failing] is None and marked == {failing}, (
        "the failing actor should end marked failed at its genesis, with no head (RUN-004.4)"
    )
    return {
        "actors": sorted([*counters, failing]),
        "heads": {a: None if h is None else h.hex() for a, h in heads.items()},
        "names": {named: ["alpha", "beta"], other: ["gamma"]},
        "failing": failing,
    }


def _id(text: str) -> Any:
    from gritwit import ObjectId

    return ObjectId.from_hex(text)


def _expected(built: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(actor, head, names, failed, busy) of each actor, in id order, as built."""
    return [
        (
            actor,
            built["heads"][actor],
            tuple(built["names"].get(actor, ())),
            actor == built["failing"],
            actor == built["failing"],  # its genesis stays pending (RUN-004.2); all ran
        )
        for actor in built["actors"]
    ]


def _console_list(capsys: pytest.CaptureFixture[str], store: str) -> list[tuple[Any, ...]]:
    rows = json.loads(gritwit(capsys, "actor", "list", "--store", store, "--json"))
    return [
        (r["actor"], r["head"], tuple(r["names"]), r["status"] == "failed", r["pending"] > 0)
        for r in rows
    ]


def _console_show(
    capsys: pytest.CaptureFixture[str], store: str, actors: list[str]
) -> list[tuple[Any, ...]]:
    found = []
    for actor in actors:
        r = json.loads(gritwit(capsys, "actor", "show", "--store", store, actor, "--json"))
        found.append(
            (r["actor"], r["head"], tuple(r["names"]), r["status"] == "failed", r["pending"] > 0)
        )
    return found


def _runtime_heads(capsys: pytest.CaptureFixture[str], store: str) -> list[tuple[Any, ...]]:
    """``runtime heads``: ``actor head status names`` a line; busy is not printed, so the
    test's own expectation stands in for it."""
    found = []
    for line in gritwit(capsys, "runtime", "heads", store).splitlines():
        actor, head, status, names = line.split(" ")
        found.append(
            (
                actor,
                None if head == "-" else head,
                () if names == "-" else tuple(names.split(",")),
                status == "failed",
                status == "failed",
            )
        )
    return found


def _entry_row(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (
        entry["actor"],
        entry["head"],
        tuple(entry["names"]),
        entry["failed"] is not None,
        entry["busy"] if "busy" in entry else entry["pending"] > 0,
    )


@pytest.mark.req("HTTP-007.9", "HTTP-007.1", "HTTP-007.3", "HTTP-015.3", "HTTP-015.4")
@pytest.mark.req("RUN-001", "RUN-004.4", "RUN-021", "RUN-026")
def test_every_front_end_gives_the_same_actors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    built = _build(capsys, store)
    expected = _expected(built)
    answers: dict[str, list[tuple[Any, ...]]] = {
        "actor list": _console_list(capsys, store),
        "actor show": _console_show(capsys, store, built["actors"]),
        "runtime heads": _runtime_heads(capsys, store),
    }
    share = Share(k=0, n=2)
    with serving(Path(store), settings=EngineSettings(share=share)) as served:
        listed = served.client.get("/v1/actors").json()["actors"]
        one = [served.client.get(f"/v1/actors/{a}").json() for a in built["actors"]]
        page = served.client.get("/ui/actors.json").json()
    answers["GET /v1/actors"] = [_entry_row(e) for e in listed]
    answers["GET /v1/actors/{actor}"] = [_entry_row(e) for e in one]
    answers["/ui/actors.json"] = [_entry_row(e) for e in page["actors"]]
    for front_end, answer in answers.items():
        assert answer == expected, (
            f"{front_end} lists (actor, head, names, failed, busy) {answer}; the store holds "
            f"{expected}"
        )
    shares = {a: _share(a) for a in built["actors"]}
    for where, entries in (("GET /v1/actors", listed), ("/ui/actors.json", page["actors"])):
        got = {e["actor"]: e["share"] for e in entries}
        assert got == shares, f"RUN-021: {where} gives the shares {got}, not {shares}"
    others = [e for e in page["actors"] if e["share"] != share.k]
    assert others and all(e["resident"] is None for e in others), (
        f"a service of share {share} runs no actor of another share, so it says nothing of "
        f"their residency; the page says {[(e['actor'], e['resident']) for e in others]}"
    )
    assert (page["total"], page["failed"]) == (len(expected), 1), (
        f"the page counts {page['total']} actors, {page['failed']} failed; the store holds "
        f"{len(expected)}, 1 failed (at its genesis)"
    )
