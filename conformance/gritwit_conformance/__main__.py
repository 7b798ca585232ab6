"""``python -m gritwit_conformance`` is the ``gritwit`` command."""

from .cli import entry

raise SystemExit(entry())
