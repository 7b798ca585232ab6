"""A core is refused by what it expands to, counted before it is mounted (SBX-006.15).

A core is a DAG: a tree naming one subtree twice, K levels deep, is K + 2 objects and
3 * 2**K - 2 entries.  An implementation counts the entries over the distinct trees
first (linear in the objects) and refuses a core past 262 144 (2**18) entries with
``output-too-large`` before the program runs; one at the bound mounts and comes back.
A naive mount of K = 40 never ends: the harness's time-out fails it.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, error_answer, ok_answer
from ._runs import returned_objects

pytestmark = pytest.mark.profile("sandbox")

LEAF = g.Blob(data=b"x")


def _hex(objects: list[Any]) -> list[str]:
    return sorted(g.encode_object(obj).hex() for obj in objects)


def _dag(levels: int) -> tuple[str, list[str]]:
    """K levels each naming the level below as ``a`` and ``b``, over ``{f: blob}``."""
    below = g.Tree(entries={"f": g.object_id(LEAF)})
    objects: list[Any] = [LEAF, below]
    for _ in range(levels):
        below = g.Tree(entries={"a": g.object_id(below), "b": g.object_id(below)})
        objects.append(below)
    return g.object_id(below).hex(), _hex(objects)


def _flat(extra: bool) -> tuple[str, list[str]]:
    """1 024 names of one tree of 255 names of one blob: exactly 2**18 entries (one more
    with ``extra``: a blob beside them)."""
    inner = g.Tree(entries={f"f{i}": g.object_id(LEAF) for i in range(255)})
    entries = {f"d{i}": g.object_id(inner) for i in range(1024)}
    if extra:
        entries["z"] = g.object_id(LEAF)
    top = g.Tree(entries=entries)
    return g.object_id(top).hex(), _hex([LEAF, inner, top])


def _run(impl: Implementation, core: str, objects: list[str]) -> Any:
    return impl.call("sandbox-run", program="print('ran')", core=core, objects=objects)


@pytest.mark.req("SBX-006.15", "SBX-008.1", "ADP-019.3")
@pytest.mark.parametrize("levels", [17, 40])
@pytest.mark.req("CONV-004")
def test_a_dag_core_past_the_bound_is_output_too_large_before_the_program(
    impl: Implementation, levels: int
) -> None:
    reply = _run(impl, *_dag(levels))
    error_answer(
        reply,
        ("SBX-006.15", "SBX-008.1"),
        "output-too-large",
        f"a run over a {levels}-level DAG core ({3 * 2**levels - 2} entries), refused before "
        "it runs",
    )


@pytest.mark.req("SBX-006.15", "SBX-008.1", "ADP-019.3")
@pytest.mark.req("CONV-004")
def test_a_dag_core_past_the_bound_is_refused_whatever_the_program(
    impl: Implementation,
) -> None:
    """K = 17 (393 214 entries) under a program that exits 3 at once: the core is refused
    ``output-too-large`` before the interpreter starts (SBX-006.15), so the program's
    ``program-exit`` (SBX-008.3, after ``output-too-large`` in SBX-008.1's order) never
    comes.  A count that only the read-back of what the program left would catch lets the
    program run and exit non-zero first."""
    core, objects = _dag(17)
    reply = impl.call("sandbox-run", program="raise SystemExit(3)\n", core=core, objects=objects)
    error_answer(
        reply,
        ("SBX-006.15", "SBX-008.1"),
        "output-too-large",
        "a program that exits 3 at once over a 17-level DAG core (393 214 entries): the "
        "core refused before the program runs",
    )


@pytest.mark.req("SBX-006.15", "SBX-004.1", "SBX-004.3")
@pytest.mark.parametrize(("shape", "levels"), [("dag", 16), ("flat", 0)])
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_core_within_the_bound_mounts_and_comes_back(
    impl: Implementation, shape: str, levels: int
) -> None:
    """K = 16 (196 606 entries), and a core of exactly 2**18 entries: the program runs and
    the core comes back as it was (SBX-004.3)."""
    core, objects = _dag(levels) if shape == "dag" else _flat(False)
    reply = _run(impl, core, objects)
    what = f"a run over a {shape} core within 2**18 entries"
    result = ok_answer(reply, "SBX-006.15", what)
    check_equal(
        ("SBX-004.1", "SBX-006.15"), b"ran\n".hex(), result.get("stdout"), f"{what}: stdout"
    )
    check_equal(
        "SBX-004.3", core, result.get("core"), f"{what}: the new core, untouched, as it was"
    )
    returned_objects("sandbox-run of a shared core", reply)


@pytest.mark.req("SBX-006.15")
@pytest.mark.req("CONV-004")
def test_one_entry_past_the_bound_is_output_too_large(impl: Implementation) -> None:
    reply = _run(impl, *_flat(True))
    error_answer(reply, "SBX-006.15", "output-too-large", "a run over a core of 2**18 + 1 entries")
