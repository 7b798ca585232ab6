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
from ._answers import compared_ids, diagnose_failure, order_sensitive
from ._verdict import Verdict

__all__ = ["add_diagnoses", "needs_encoder", "probe_encoder"]


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


def _exchange(verdict: Verdict) -> dict[str, Any] | None:
    if verdict.exchange is None:
        return None
    try:
        found = json.loads(verdict.exchange)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _settled(verdict: Verdict) -> bool:
    """Its diagnosis names a rule that no finding on the encoder can change."""
    named = verdict.diagnosis is not None and bool(verdict.diagnosis.get("rule"))
    return named and not order_sensitive(_exchange(verdict))


def add_diagnoses(records: dict[str, Verdict], encoder: Diagnosis | None) -> None:
    """Give each failing verdict of ``records`` its diagnosis (in place): one already
    settled keeps it; the others get what their exchange, message and ``encoder`` say."""
    for test, verdict in records.items():
        if not verdict.outcome.failing or _settled(verdict):
            continue
        found = diagnose_failure(verdict.message, _exchange(verdict), encoder)
        if found is not None:
            records[test] = replace(verdict, diagnosis=found.as_json())


def needs_encoder(records: dict[str, Verdict]) -> bool:
    """A failing verdict is not settled and compared ids or encodings, or refused for
    another rule where key order decides: the encoder's probe may name its cause."""
    for verdict in records.values():
        if not verdict.outcome.failing or _settled(verdict):
            continue
        exchange = _exchange(verdict)
        if compared_ids(verdict.message, exchange) or order_sensitive(exchange):
            return True
    return False
