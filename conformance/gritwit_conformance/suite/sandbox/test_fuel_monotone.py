"""More work never costs less: a run that goes on to make more calls uses more fuel (SBX-006.12).

Each program here reads from its input how many listings to make, so its runs with
and without them execute the same instructions and calls up to them (the
interpreter's instruction count depends on the program's text, SBX-006.12; one text
keeps it out of the comparison).  The fuel of each run is the in-process reference's;
the implementation must finish the run without the listings within that fuel, fail the
run with them → ``fuel-exhausted`` within the same fuel, and finish it within its own,
not within one less:

* the issue's example in small, a 200-deep chain of directories with 200 files at the
  bottom, then three listings of them;
* 2,000 files listed, all but three removed, then three listings, then a loop: a host
  that charges a new version's sort for the entries gained since the last sort and gives
  back those lost (wrong adapter ``sandbox_listing_refunds_sort``) makes the listings cost
  less than nothing.  A run needs the most fuel it has used at any moment, so a refund
  shows in its limit only when work follows it: the loop, the same in both runs.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import suite_premise
from ._runs import check_class, failure_class, ran

pytestmark = pytest.mark.profile("sandbox")

#: How many listings a program makes at its end: its input's.
LISTINGS = 'json.load(open("/input/transition.json"))["messages"][0]["listings"]'
#: The issue's example (2,000 deep, 2,000 files), 200 deep with 200 files.
CHAIN = f"""\
import json, os
p = "/core"
for i in range(200):
    p += "/d"
    os.mkdir(p)
for i in range(200):
    open(p + "/f%d" % i, "w").close()
for _ in range({LISTINGS}):
    os.listdir(p)
"""
#: A directory listed at 2,000 entries, shrunk to 3, listed again; then work that needs no host.
SHRUNK = f"""\
import json, os
os.mkdir("d")
for i in range(2000):
    open("d/f%d" % i, "w").close()
os.listdir("d")
for i in range(3, 2000):
    os.remove("d/f%d" % i)
for _ in range({LISTINGS}):
    os.listdir("d")
for i in range(1000):
    pass
"""


def _reference_fuel(program: str, listings: int) -> int:
    """The fuel the in-process reference meters for a run of ``program`` making ``listings``."""
    from gritwit.sandbox import interpreter_path, run_python

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to measure the fuel with")
    with g.Store.memory() as store:
        fuel: int = run_python(program, store=store, messages=({"listings": listings},)).fuel
    return fuel


@pytest.mark.req("SBX-006.12", "SBX-006.5", "SBX-006.6")
@pytest.mark.parametrize("program", [CHAIN, SHRUNK], ids=["chain", "shrunk"])
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_run_that_goes_on_to_list_uses_more_fuel(impl: Implementation, program: str) -> None:
    alone, listed = _reference_fuel(program, 0), _reference_fuel(program, 3)
    suite_premise(listed > alone, "the reference's own fuel is monotone (SBX-006.12)")
    ran(impl, program, messages=[{"listings": 0}], limits={"fuel": alone})
    got = failure_class(impl, program, messages=[{"listings": 3}], limits={"fuel": alone})
    check_class(
        "SBX-006.12",
        "fuel-exhausted",
        got,
        f"the run that goes on to make three listings, within {alone} fuel, what the same "
        f"run without them needs (the reference's: {listed} with them): more calls never "
        "cost less",
    )
    ran(impl, program, messages=[{"listings": 3}], limits={"fuel": listed})
    less = failure_class(impl, program, messages=[{"listings": 3}], limits={"fuel": listed - 1})
    check_class(
        ("SBX-006.5", "SBX-006.6"),
        "fuel-exhausted",
        less,
        f"the run with three listings within {listed - 1} fuel, one less than it needs at "
        "the rates of SBX-006.5 and SBX-006.6",
    )
