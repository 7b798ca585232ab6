"""An imported Python actor runs nothing: ``gritwit_fuel_consumed_total`` stays 0
(HTTP-014.1, HTTP-010.2).

A bundle's import adds the steps it carries without running a transition (HTTP-010.2),
and the importing service checks the imported core against its sandbox's bounds first
(SBX-006.18), which makes its sandbox ready without running anything. Its fuel counter
counts from its start the fuel its transitions consumed, "0 where none ran": a counter
that starts from anything but 0 once its sandbox is made shows here.
"""

from __future__ import annotations

import pytest

from .._check import check_equal
from ._api import PYTHON_COUNTER, create, head_of, inc, settle
from ._service import Services
from ._service import services as services
from .test_bundles import export, import_
from .test_metrics import scrape

pytestmark = pytest.mark.profile("http", "sandbox")


@pytest.mark.req("HTTP-014.1", "HTTP-010.2", "SBX-006.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-010.1", "HTTP-011.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "HTTP-009.3")  # the helpers' checks name them
@pytest.mark.req("CONV-004")
def test_an_imported_python_actor_adds_no_fuel(services: Services) -> None:
    one = services.start("one").client
    actor = str(create(one, python=PYTHON_COUNTER, state={"count": b"5".hex()})["actor"])
    inc(one, actor)
    settle(one)
    bundle = export(one, actor)
    two = services.start("two").client
    check_equal(
        "HTTP-014.1",
        0.0,
        scrape(two).value("gritwit_fuel_consumed_total"),
        "gritwit_fuel_consumed_total of a new service",
    )
    imported = import_(two, bundle)
    check_equal(
        "HTTP-010.2",
        head_of(one, actor),
        imported["head"],
        "the head the import answered: the exported head",
    )
    settle(two)
    check_equal(
        "HTTP-014.1",
        0.0,
        scrape(two).value("gritwit_fuel_consumed_total"),
        "gritwit_fuel_consumed_total once a Python actor was imported and settled, no "
        "transition run",
    )
