"""``python -m gritwit_conformance`` is the ``gritwit`` command."""

from .cli import main

raise SystemExit(main())
