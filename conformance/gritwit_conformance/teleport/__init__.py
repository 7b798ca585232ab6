"""Teleport: an actor moves between two implementations and keeps its step ids (RUN-009.7).

``gritwit teleport --a CMD --b CMD`` runs each scenario of :data:`SCENARIOS` from
implementation A to B and back (A's source runtime → B's target runtime → a fresh
home runtime of A), then from B to A, every answer compared with the in-process
reference fed the same commands and importing the very bundles that moved:

* :mod:`._scenarios` — what runs before, between and after the moves;
* :mod:`._mirror` — one runtime of an implementation beside one of the reference;
* :mod:`._move` — export, compare the bundle, import (RUN-009.1 … RUN-009.4);
* :mod:`._check` — one scenario for one ordered pair: its :class:`Outcome`;
* :mod:`._run` — every scenario both ways, as a ``gritwit-teleport/1`` document;
* :mod:`._cli` — the command;
* :mod:`._http` — the same scenarios between two HTTP services (``gritwit serve``), with
  what HTTP cannot express refused by :class:`NotOverHttp`.

An implementation that does not claim ``runtime`` (or a profile a scenario needs,
ADP-006) gets that scenario as *not run*, never as passed.  ``gritwit report
--teleport FILE`` renders the documents as a matrix of pairs.
"""

from __future__ import annotations

from ._check import OpenLeg, Outcome, check_scenario, not_run_reason, run_legs
from ._http import HttpLeg, HttpService, NotOverHttp, check_over_http, over_http_reason
from ._run import FORMAT, direction_status, run_directions
from ._scenarios import SCENARIOS, Scenario

__all__ = [
    "FORMAT",
    "SCENARIOS",
    "HttpLeg",
    "HttpService",
    "NotOverHttp",
    "OpenLeg",
    "Outcome",
    "Scenario",
    "check_over_http",
    "check_scenario",
    "direction_status",
    "not_run_reason",
    "over_http_reason",
    "run_directions",
    "run_legs",
]
