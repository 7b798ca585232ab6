"""The harness: the live link to the implementation under test (ADP-001, ADP-003, ADP-012).

Starting and talking to an adapter (:mod:`._implementation`, :mod:`._transport`),
protocol messages as data (:mod:`._messages`), the exchange kept for a report
(:mod:`._exchange`), the answer limit and its calibration (:mod:`._limits`,
:mod:`._calibrate`, :mod:`._procfs`), how a run stops (:mod:`._signals`), the frozen
plan of a run (:mod:`._plan`) and what the run learns as it goes (:mod:`._state`).  It
imports nothing else of the judge (the ``judge-layers`` import contract in pyproject.toml).
"""

# The public seam of the loopback relay (ADP-022): the suite's fault proxy, and the
# benchmarks' round-trip counter (asv_bench/_relay.py) built on the same forwarder.
from ._fault_proxy import FaultProxy, ProxyStats, parse_server

# The public seam of a run's plan: what it was asked to do, read by the suite's modules
# (golden vectors, hypothesis examples, answer limits) and the run's report; handed to
# pytest with PlanPlugin by whoever builds one (gritwit conform, the mutation worker).
from ._plan import ConformPlan, PlanError, PlanPlugin, current_plan
from ._relay import CUT, DISCARD, FORWARD, STOP_LIMIT, Flow, TcpRelay, Upstream, Verdict

__all__ = [
    "CUT",
    "ConformPlan",
    "PlanError",
    "PlanPlugin",
    "current_plan",
    "DISCARD",
    "FORWARD",
    "STOP_LIMIT",
    "FaultProxy",
    "Flow",
    "ProxyStats",
    "TcpRelay",
    "Upstream",
    "Verdict",
    "parse_server",
]
