"""The operator's bounds of the port's requests in flight (PORT-005.2, PORT-005.8).

``gritwit serve --port-max-in-flight N --port-max-in-flight-total N`` sets how many
requests one sender, and all senders together, may have in flight; each a whole number
from 1 to :data:`CEILING`.  Anything else keeps the service from starting
(:class:`PortBoundsError`, naming PORT-005.8 and the option).  The ceiling is the
reference's: each request in flight holds one worker thread of the port service, so
the total is the most threads the port may start.
"""

from __future__ import annotations

from dataclasses import replace

from ..runtime import PortBounds

__all__ = ["CEILING", "PortBoundsError", "operator_port_bounds"]

#: The most either bound may be (PORT-005.8: no lower than the defaults, 8 and 64).
CEILING = 4_096


class PortBoundsError(ValueError):
    """A bound the operator gave is out of PORT-005.8's range: the service does not start."""


def _whole(option: str, text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= CEILING:
        raise PortBoundsError(
            f"PORT-005.8: {option} must be a whole number from 1 to {CEILING:,}, not {text!r:.40}"
        )
    return int(value)


def operator_port_bounds(
    per_sender: str | None, total: str | None, base: PortBounds | None = None
) -> PortBounds:
    """``base`` (the defaults of PORT-005) with the operator's in-flight bounds, each
    given as the text of its option (``None``: the default kept)."""
    bounds = base or PortBounds()
    if per_sender is not None:
        bounds = replace(bounds, max_in_flight=_whole("--port-max-in-flight", per_sender))
    if total is not None:
        bounds = replace(bounds, max_in_flight_total=_whole("--port-max-in-flight-total", total))
    return bounds
