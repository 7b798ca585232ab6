"""``gritwit actor``: an actor's whole life from the command line.

Create an actor (a test actor, a Wasm module, a Python program, with its first state),
send it messages, query it, list the actors of a store, read an actor's history and the
difference between two of its steps, fork it, move it between stores as a bundle, and
follow a service's lifecycle events — over any store a directory or a ``postgresql://``
URL names, opened as ``gritwit runtime`` and ``gritwit serve`` open it.

* :mod:`._cli` — the parser, the verbs' dispatch and their exit statuses;
* :mod:`._data` — ``--data KEY=VALUE`` and ``--data-json``: an actor's first state;
* :mod:`._life` — create, send, query, fork, export, import;
* :mod:`._reads` — list, history, diff;
* :mod:`._follow` — events, from a service's ``GET /v1/events`` (HTTP-008).
"""

from __future__ import annotations

from ._cli import add_actor_parser

__all__ = ["add_actor_parser"]
