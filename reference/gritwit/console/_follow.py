"""``gritwit actor events``: follow a service's lifecycle events (RUN-014, HTTP-008).

A runtime's events are not recorded (RUN-014.4): they exist only in the process that
runs the actors, and only while it runs.  So they are followed where they happen — a
service's ``GET /v1/events`` stream of Server-Sent Events — and a store alone has none
to print: ``--store`` is refused with that reason.  Each event is one line, ``KIND
ACTOR REASON`` (``-`` without a reason), or one JSON object a line with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

from ._common import Refused

__all__ = ["follow", "parse_events"]


def parse_events(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The events of a Server-Sent Events stream (HTTP-008.1): each ``{"event": kind,
    "actor": id, "reason": text or None}``; comments and unknown fields are skipped, and
    an event whose ``data`` is not the JSON object HTTP-008.1 gives is ``data`` as text."""
    kind, data = "message", list[str]()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield _event(kind, "\n".join(data))
            kind, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                kind = value
            elif field == "data":
                data.append(value)


def _event(kind: str, data: str) -> dict[str, Any]:
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return {"event": kind, "actor": None, "reason": None, "data": data}
    return {"event": kind, "actor": body.get("actor"), "reason": body.get("reason")}


def follow(args: argparse.Namespace) -> int:
    """Print the events of the service at ``--service`` as they come, up to ``--count``."""
    if args.store is not None:
        raise Refused(
            "lifecycle events are not recorded in a store (RUN-014.4): follow a running "
            "service instead, gritwit actor events --service http://HOST:PORT (HTTP-008)"
        )
    if args.service is None:
        raise Refused("give --service http://HOST:PORT, a running gritwit serve (HTTP-008)")
    url = args.service.rstrip("/") + "/v1/events"
    if not url.startswith(("http://", "https://")):
        raise Refused(f"--service {args.service!r:.80} is not an http:// URL")
    try:
        response = urllib.request.urlopen(url, timeout=args.timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Refused(f"cannot follow {url}: {getattr(exc, 'reason', exc)}") from None
    seen = 0
    with response:
        lines = (raw.decode("utf-8", "replace") for raw in response)
        try:
            for event in parse_events(lines):
                if args.json:
                    print(json.dumps(event, sort_keys=True), flush=True)
                else:
                    print(event["event"], event["actor"] or "-", event["reason"] or "-", flush=True)
                seen += 1
                if args.count is not None and seen >= args.count:
                    break
        except TimeoutError:
            pass  # nothing for --timeout seconds: done
        except KeyboardInterrupt:
            print(file=sys.stderr)
    return 0
