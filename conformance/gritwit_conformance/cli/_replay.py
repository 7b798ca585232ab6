"""``gritwit replay REPORT.json TEST``: a failing test's exchange, outside the suite (ADP-020.7)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gritwit._argtypes import positive_float

__all__ = ["add_replay_parser"]

#: Exit statuses: answers alike, a difference, bad arguments, the adapter did not start.
SAME, DIFFERENT, USAGE, NO_ADAPTER = 0, 1, 2, 3


def _replay(args: argparse.Namespace) -> int:
    from ..harness._transport import AdapterBroken
    from ..report._load import diagnosis_line
    from ..runs._replay import (
        ReplayError,
        differs,
        find_exchange,
        render,
        replay,
        start_side,
        stderr_lines,
    )

    try:
        result, command = find_exchange(args.report, args.test)
    except ReplayError as exc:
        print(f"gritwit replay: {exc}")
        return USAGE
    command = args.impl or command
    log: dict[str, Any] = result["exchange"]
    exchanges: list[dict[str, Any]] = log["exchanges"]
    print(
        f"replaying {result['id']} ({result['outcome']} in the run): {len(exchanges)} "
        f"exchange(s) against {command}, each answer compared with the reference's"
    )
    if log["dropped"]:
        print(f"  note: the report dropped the first {log['dropped']} exchange(s) of the test")
    if any(entry.get("cut") for entry in exchanges):
        print("  note: long values of some requests were cut in the report: those differ")
    diagnosis = diagnosis_line(result.get("diagnosis"))
    if diagnosis:  # the harness's reading of the run (ADP-020.9)
        print(f"  in the run: {diagnosis}")
    for line in stderr_lines(str(result.get("stderr", "")), "in the run"):
        print(line)
    last = None
    try:
        for step in replay(exchanges, start_side(command, args.timeout)):
            last = step
            difference = differs(step)
            if difference is None:
                print(f"  {step.index:>3} {step.request.get('cmd')}: alike")
                continue
            print(render(step, difference, len(exchanges), list(result["requirements"])))
            return DIFFERENT
    except AdapterBroken as exc:
        print(f"gritwit replay: the adapter did not start: {exc.reason} [{exc.requirement}]")
        return NO_ADAPTER
    print(f"no difference: the adapter answered all {len(exchanges)} request(s) as the reference")
    for line in stderr_lines(last.stderr if last is not None else "", "during the replay"):
        print(line)
    return SAME


def add_replay_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="replay a failing test's exchange against an adapter, outside the suite",
        description="Send the requests a failing test of a conformance report sent (the "
        "report's 'exchange', ADP-020.7), in order, to an adapter and to the in-process "
        "reference, and show the first request the two answer differently. Directories "
        "('path') are fresh on each side; handles each side chose are matched.",
        epilog="exit status: 0 every answer alike; 1 a difference (shown); 2 no such test "
        "or report, or the test has no exchange; 3 the adapter could not start",
    )
    parser.add_argument("report", type=Path, metavar="REPORT.json", help="a report conform wrote")
    parser.add_argument(
        "test", metavar="TEST", help="the test's id, or a part of it naming one failing test"
    )
    parser.add_argument(
        "--impl",
        default=None,
        help="the adapter's command line, or 'reference' (default: the report's command)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=10.0,
        help="seconds the adapter may take per answer (default: 10; ADP-012)",
    )
    parser.set_defaults(handler=_replay)
