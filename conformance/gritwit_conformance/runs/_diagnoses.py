"""Each failing test's diagnosis, given once its run has ended (ADP-020.9).

On the controller, before the report is written: the implementation's encoder is probed
once when a test failed (:mod:`._probe`; a fresh process of the adapter, asked only
when it claims ``codec``), and every failed, errored or timed-out verdict gets the
diagnosis its reason and exchange give (:func:`._answers.diagnose_failure`).  Every
form of the report shows it beside the reason.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ..diff._diagnose import Diagnosis
from ._answers import diagnose_failure
from ._verdict import Verdict

__all__ = ["add_diagnoses", "probe_encoder"]


def probe_encoder(spec: str, *, timeout: float, scale: float = 1.0) -> Diagnosis | None:
    """The implementation's encoder against the reference's, once: None for the
    reference itself, an implementation that does not claim ``codec``, or one that
    cannot be started (its tests say why)."""
    from ..harness._implementation import REFERENCE, make_implementation
    from ..harness._transport import AdapterBroken
    from ._probe import encoder_diagnosis

    if spec == REFERENCE:
        return None
    impl = make_implementation(spec, timeout=timeout, scale=scale)
    try:
        if "codec" not in impl.profiles:
            return None
        return encoder_diagnosis(impl.call)
    except AdapterBroken:
        return None
    finally:
        impl.close()


def add_diagnoses(records: dict[str, Verdict], encoder: Diagnosis | None) -> None:
    """Give each failing verdict of ``records`` its diagnosis (in place)."""
    for test, verdict in records.items():
        if not verdict.outcome.failing or verdict.diagnosis is not None:
            continue
        exchange: dict[str, Any] | None = None
        if verdict.exchange is not None:
            try:
                exchange = json.loads(verdict.exchange)
            except ValueError:
                exchange = None
        found = diagnose_failure(verdict.message, exchange, encoder)
        if found is not None:
            records[test] = replace(verdict, diagnosis=found.as_json())
