"""``python wrong_serve.py BUG serve …``: ``gritwit serve`` with a declared wrong port.

The kill family against the service (``test_serve_port_kill.py``) must fail on each:

* ``key-per-send``: every sending gets a fresh random ``Idempotency-Key``
  (``gritwit_conformance.wrong.port_key_per_send``), so a retry is a new request;
* ``answered-twice``: an answered request stays in flight in the store
  (``gritwit_conformance.wrong.port_answered_stays_in_flight``), so a restart sends
  and answers it again.

The faults are the wrong adapters' own functions, put in place here in a service
process instead of an adapter.
"""

from __future__ import annotations

import sys


def _install(bug: str) -> None:
    from gritwit.runtime import _port, _port_send

    if bug == "key-per-send":
        from gritwit_conformance.wrong import port_key_per_send as wrong

        _port_send.idempotency_key = wrong._key  # type: ignore[assignment]
    elif bug == "answered-twice":
        from gritwit_conformance.wrong import port_answered_stays_in_flight as twice

        _port.PortService._answer = twice._answer  # type: ignore[method-assign]
        _port.PortService._dispatch = twice._dispatch  # type: ignore[method-assign]
    else:
        raise SystemExit(f"wrong_serve.py: no bug {bug!r}")


if __name__ == "__main__":
    _install(sys.argv[1])
    del sys.argv[1]
    from gritwit.__main__ import _main

    sys.exit(_main())
