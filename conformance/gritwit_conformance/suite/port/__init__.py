"""The ``port`` profile (ADP-024): the runtime's port to the world (spec chapter 12),
judged against the suite's own world server on loopback."""
