"""Read a report file tolerantly: fields this version does not know are set aside.

Reports come from any version of the suite, newer ones included, which may add
fields (a replayed exchange, new marks).  :func:`prune` drops every member the
report schema does not name where the schema closes an object
(``additionalProperties: false``), and says which; the rest of the document is
then checked as fully as ``gritwit report`` checks it (:func:`~..report.parse_report`:
schema, summaries agreeing with results, ADP-020).  Pure functions.
"""

from __future__ import annotations

import json
from typing import Any

from ..report import Report, parse_report, report_schema, strict_json

__all__ = ["prune", "read_report"]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/name``) of the report schema."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return node
    target: dict[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
    return _resolve(schema, target)


def _prune(
    schema: dict[str, Any], node: dict[str, Any], value: Any, where: str, dropped: list[str]
) -> Any:
    node = _resolve(schema, node)
    if isinstance(value, dict):
        known: dict[str, Any] = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        kept: dict[str, Any] = {}
        for key, member in value.items():
            if key in known:
                kept[key] = _prune(schema, known[key], member, f"{where}.{key}", dropped)
            elif isinstance(extra, dict):
                kept[key] = _prune(schema, extra, member, f"{where}.{key}", dropped)
            elif extra is False:
                dropped.append(f"{where}.{key}")
            else:
                kept[key] = member
        return kept
    items = node.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [_prune(schema, items, v, f"{where}[{i}]", dropped) for i, v in enumerate(value)]
    return value


def prune(document: Any) -> tuple[Any, tuple[str, ...]]:
    """``document`` without the members the report schema does not know, and their paths."""
    schema = report_schema()
    dropped: list[str] = []
    kept = _prune(schema, schema, document, "$", dropped)
    return kept, tuple(dropped)


def read_report(source: str, data: bytes) -> tuple[Report, tuple[str, ...]]:
    """The report in ``data`` and the paths of the unknown fields set aside.

    Raises :class:`~..report.ReportError` for what is not a report: not UTF-8 JSON
    (strict: no ``NaN``, no repeated key), or failing the checks of ``gritwit report``.
    """
    kept, dropped = prune(strict_json(source, data))
    return parse_report(source, json.dumps(kept).encode("utf-8")), dropped
