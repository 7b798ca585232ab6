"""The service's metrics in the Prometheus text format, ``GET /metrics`` (HTTP-014.1).

One :class:`ServiceMetrics` per service, its own
:class:`prometheus_client.CollectorRegistry` (never the process-wide one: a process may
run several services, ADP-021, and each counts its own).  The numbers come through the
runtime's public face only:

* each run's :class:`~gritwit.wit.RunReport` (the engine hands it to :meth:`ServiceMetrics.ran`):
  the steps it adopted (``gritwit_transitions_total``) and its failed attempts by class
  (``gritwit_failures_total{class=…}``, RUN-004);
* each commit of acknowledged sends, timed by the engine's sender
  (``gritwit_commit_seconds``, HTTP-005.2), and each commit of the runtime's open group
  of adopted steps, timed by the runtime (``gritwit_step_commit_seconds``, RUN-017.2,
  :meth:`Runtime.on_commit <gritwit.runtime.Runtime.on_commit>`);
* at each scrape, a :class:`Gauges` read in the engine's thread
  (:func:`~._watch.service_gauges`): the messages pending for the actors with a head
  (``gritwit_pending_messages``, WIT-005), :attr:`Runtime.resident_count
  <gritwit.runtime.Runtime.resident_count>` (``gritwit_resident_actors``, RUN-012) and
  :attr:`Runtime.fuel_spent <gritwit.runtime.Runtime.fuel_spent>`
  (``gritwit_fuel_consumed_total``, WASM-019, SBX-006.1).

``prometheus_client`` is the Prometheus project's own client: its metric types are
thread-safe (runs are counted in the engine's thread, scrapes answered on the serving
loop) and it writes the exposition format, escaping included.
"""

from __future__ import annotations

import threading
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# failure_class: the ``class`` label, what a failed mark records (RUN-004.4)
from ..wit import RunReport, failure_class
from ._watch import Gauges

__all__ = ["METRIC_NAMES", "METRICS_MEDIA", "ServiceMetrics", "failure_class"]

#: The media type of ``GET /metrics``: the text format, version 0.0.4 (HTTP-014.1).
METRICS_MEDIA: Final = "text/plain; version=0.0.4; charset=utf-8"

#: The names HTTP-014.1 fixes, each with its type, as the text format's ``# TYPE`` says.
METRIC_NAMES: Final = {
    "gritwit_transitions_total": "counter",
    "gritwit_failures_total": "counter",
    "gritwit_fuel_consumed_total": "counter",
    "gritwit_commit_seconds": "histogram",
    "gritwit_step_commit_seconds": "histogram",
    "gritwit_pending_messages": "gauge",
    "gritwit_resident_actors": "gauge",
}


class ServiceMetrics:
    """One service's metrics (HTTP-014.1), in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._transitions = Counter(
            "gritwit_transitions",
            "Steps the service's runtime adopted (RUN-001).",
            registry=registry,
        )
        self._failures = Counter(
            "gritwit_failures",
            "Failed transition attempts, by the class of their error (RUN-004).",
            ["class"],
            registry=registry,
        )
        self._fuel = Counter(
            "gritwit_fuel_consumed",
            "Fuel units the Wasm and sandboxed transitions consumed (WASM-019, SBX-006.1).",
            registry=registry,
        )
        self._commits = Histogram(
            "gritwit_commit_seconds",
            "Seconds each commit of acknowledged sends took (HTTP-005.2).",
            registry=registry,
        )
        self._step_commits = Histogram(
            "gritwit_step_commit_seconds",
            "Seconds each commit of the runtime's group of adopted steps took (RUN-017.2).",
            registry=registry,
        )
        self._pending = Gauge(
            "gritwit_pending_messages",
            "Messages pending for the actors with a head at the scrape (WIT-005).",
            registry=registry,
        )
        self._resident = Gauge(
            "gritwit_resident_actors",
            "Actors whose state the runtime keeps in memory at the scrape (RUN-012).",
            registry=registry,
        )
        self._lock = threading.Lock()
        self._fuel_seen = 0

    def ran(self, report: RunReport) -> None:
        """Count one run's adopted steps and failed attempts (in the engine's thread)."""
        if report.steps:
            self._transitions.inc(len(report.steps))
        for failure in report.failures:
            self._failures.labels(failure_class(failure.error)).inc()

    def committed(self, seconds: float) -> None:
        """Time one commit of acknowledged sends (HTTP-005.2)."""
        self._commits.observe(seconds)

    def steps_committed(self, seconds: float) -> None:
        """Time one commit of the runtime's open group (RUN-017.2), in the engine's thread."""
        self._step_commits.observe(seconds)

    def render(self, gauges: Gauges) -> bytes:
        """The text format, the gauges and the fuel counter brought to ``gauges`` first."""
        with self._lock:  # two scrapes at once add each unit of fuel once
            more = gauges.fuel - self._fuel_seen
            if more > 0:
                self._fuel.inc(more)
                self._fuel_seen = gauges.fuel
            self._pending.set(gauges.pending)
            self._resident.set(gauges.resident)
            return generate_latest(self.registry)
