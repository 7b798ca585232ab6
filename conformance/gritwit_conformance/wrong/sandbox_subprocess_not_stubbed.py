"""Wrong adapter: the prelude names neither ``subprocess.Popen`` nor name lookup (SBX-005.6).

With ``socket`` and ``subprocess`` importable (SBX-005.23), both fail on WASI before
CPython's audit events: ``subprocess.run`` raises ``OSError`` and
``socket.create_connection`` ``AttributeError``, which a program catches and goes on; the
run ends ``program-exit`` or succeeds instead of ``forbidden-operation``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude, _run
from gritwit_conformance.wrong import patch, run

STUBS = (
    'subprocess.Popen.__init__ = _stub("subprocess.Popen")\n',
    'socket.getaddrinfo = _stub("socket.getaddrinfo")\n',
)


def install() -> None:
    old = _prelude.PRELUDE
    new = old
    for line in STUBS:
        new = new.replace(line, "")  # the bug
    if len(new) != len(old) - sum(map(len, STUBS)):
        raise AttributeError("the prelude changed: this wrong adapter is out of date")
    patch(_prelude, "PRELUDE", new)
    patch(_run, "PRELUDE", new)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
