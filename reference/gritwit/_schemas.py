"""The normative JSON Schemas: one loader for the reference and the harness.

The schemas are part of the spec and live in ``spec/schemas/`` (WIT-018 for
``wut.schema.json``, ADP-013 for ``adapter-protocol.schema.json``, the vector
format of the conventions chapter for ``vectors.schema.json``, HTTP-012.1 for the OpenAPI
document ``http-openapi.json``). An installed
wheel has no ``spec/``, so the package carries byte-identical copies in
``gritwit/schemas/``.

* :func:`schema_bytes` reads ``spec/schemas/<name>`` of the checkout it runs in (found
  from the working directory, else from this package: :mod:`gritwit._checkout`), else
  the package copy;
* :func:`copy_drift` names every package copy that differs from ``spec/schemas/`` of the
  checkout this package runs from (``reference/tests/test_spec.py`` and
  ``gritwit vectors verify`` fail on it).

``report.schema.json`` (the harness's report format) is not spec and is not here.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ._checkout import checkout_root, package_checkout

__all__ = ["NORMATIVE", "copy_drift", "load_schema", "schema_bytes", "spec_schemas_dir"]

NORMATIVE: Final = (
    "wut.schema.json",
    "adapter-protocol.schema.json",
    "vectors.schema.json",
    "http-openapi.json",
)


def _schemas_of(root: Path | None) -> Path | None:
    if root is not None and (root / "spec" / "schemas").is_dir():
        return root / "spec" / "schemas"
    return None


def spec_schemas_dir() -> Path | None:
    """``spec/schemas/`` of the checkout this runs in, or ``None`` (installed, no checkout)."""
    return _schemas_of(checkout_root())


def _package_bytes(name: str) -> bytes:
    return (resources.files("gritwit") / "schemas" / name).read_bytes()


def schema_bytes(name: str) -> bytes:
    """The bytes of the normative schema ``name`` (one of :data:`NORMATIVE`)."""
    if name not in NORMATIVE:
        raise ValueError(f"{name!r} is not a normative schema (one of {', '.join(NORMATIVE)})")
    directory = spec_schemas_dir()
    if directory is not None:
        return (directory / name).read_bytes()
    return _package_bytes(name)


def load_schema(name: str) -> Any:
    """The normative schema ``name``, parsed."""
    return json.loads(schema_bytes(name))


def copy_drift() -> list[str]:
    """One line per package copy that differs from ``spec/schemas/`` (none in a wheel)."""
    directory = _schemas_of(package_checkout())
    if directory is None:
        return []
    problems = []
    for name in NORMATIVE:
        if _package_bytes(name) != (directory / name).read_bytes():
            problems.append(
                f"reference/gritwit/schemas/{name} differs from spec/schemas/{name}: the spec is "
                f"the source; copy it (cp spec/schemas/{name} reference/gritwit/schemas/)"
            )
    extra = sorted(p.name for p in directory.glob("*.json") if p.name not in NORMATIVE)
    problems += [
        f"spec/schemas/{name} is not listed in gritwit._schemas.NORMATIVE" for name in extra
    ]
    return problems
