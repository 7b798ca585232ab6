"""``python -m gritwit`` is the ``gritwit`` command."""

from .cli import main

raise SystemExit(main())
