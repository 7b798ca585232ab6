"""``gritwit teleport --a CMD --b CMD``: move actors between two implementations (RUN-009.7)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

from gritwit._argtypes import positive_float

from ._scenarios import SCENARIOS

__all__ = ["EXIT_HANDSHAKE", "EXIT_NOT_RUN", "add_teleport_parser", "render", "run_teleport"]

#: Exit statuses beside 0 (something ran, nothing failed), 1 (a failure) and 2 (arguments).
EXIT_HANDSHAKE: Final = 3
EXIT_NOT_RUN: Final = 4
_WORDS: Final = {"pass": "PASS", "partial": "PARTIAL", "fail": "FAIL", "errored": "ERRORED"}


def _name(entry: dict[str, Any]) -> str:
    who = f"{entry.get('name') or '?'} {entry.get('version') or ''}".strip()
    return f"{who} ({entry['kind']}: {entry['command']})"


def render(document: dict[str, Any]) -> str:
    """The document as a few lines per direction: each scenario and why it did not pass."""
    impls = document["implementations"]
    lines = [f"A: {_name(impls['a'])}", f"B: {_name(impls['b'])}"]
    for direction in document["directions"]:
        head = (
            f"{direction['from'].upper()} → {direction['to'].upper()} → {direction['from'].upper()}"
        )
        word = _WORDS.get(direction["status"], "NOT RUN")
        counts = ", ".join(f"{n} {k}" for k, n in sorted(direction["counts"].items()))
        lines.append(f"\n{head}: {word} ({counts})")
        for item in direction["scenarios"]:
            extra = f"{item['compared']} answers compared after the moves, {item['seconds']:.1f} s"
            if item["status"] != "passed":
                extra = item["reason"].splitlines()[0][:300] if item["reason"] else ""
                if item["requirements"]:
                    extra += f"  [{', '.join(item['requirements'])}]"
            lines.append(f"  {item['scenario']:10} {item['status']:8} {extra}")
            for more in item["reason"].splitlines()[1:12] if item["status"] == "failed" else ():
                lines.append(f"  {'':10} {'':8} {more}")
    return "\n".join(lines)


def status_of(document: dict[str, Any]) -> int:
    """0: something ran and nothing failed; 1: a failure or error; 4: nothing ran."""
    statuses = {d["status"] for d in document["directions"]}
    if statuses & {"fail", "errored"}:
        return 1
    return 0 if statuses & {"pass", "partial"} else EXIT_NOT_RUN


def run_teleport(args: argparse.Namespace) -> int:
    """The handler: check both handshakes, run, print, write OUT.json."""
    from ..harness._implementation import HandshakeFailed, check_handshake, make_implementation
    from ._run import run_directions

    for spec in dict.fromkeys((args.a, args.b)):
        if spec != "reference":
            try:
                check_handshake(spec, timeout=args.timeout)
            except HandshakeFailed as exc:
                print(f"gritwit teleport: {exc}\nno report written", file=sys.stderr)
                return EXIT_HANDSHAKE
    scenarios = args.scenario or list(SCENARIOS)
    a = make_implementation(args.a, timeout=args.timeout)
    b = make_implementation(args.b, timeout=args.timeout)
    try:
        document = run_directions(
            a,
            b,
            list(dict.fromkeys(scenarios)),
            both_ways=not args.one_way,
            progress=(lambda line: print(line, file=sys.stderr, flush=True))
            if args.progress
            else (lambda _: None),
        )
    finally:
        a.close()
        b.close()
    out = Path(args.out).with_suffix(".json")
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render(document))
    print(f"\nreport: {out}")
    return status_of(document)


def add_teleport_parser(subparsers: Any) -> None:
    help_text = "move actors between two implementations and back; step ids must not change"
    parser = subparsers.add_parser(
        "teleport",
        help=help_text,
        description=f"{help_text} (RUN-009.7). Each scenario runs on A, exports its actors, "
        "imports them into B, goes on there, exports them again and imports them into a "
        "fresh runtime of A; then the same from B. Every answer after a move must be what "
        "the in-process reference answers continuing the same bundle. Scenarios: "
        + "; ".join(f"{s.name}: {s.description}" for s in SCENARIOS.values())
        + ". Writes OUT.json (gritwit-teleport/1); gritwit report --teleport OUT.json "
        "renders it as a matrix of pairs.",
        epilog="exit status: 0 every scenario that ran passed (scenarios an implementation "
        "cannot run, e.g. without the runtime profile, are reported as not run); 1 a "
        "scenario failed or errored; 2 bad arguments; 3 an adapter could not start or "
        "failed its handshake (no report); 4 no scenario could run (never a pass)",
    )
    for flag, role in (("--a", "the first"), ("--b", "the second")):
        parser.add_argument(
            flag,
            required=True,
            metavar="CMD",
            help=f"command line that starts {role} implementation's adapter, or 'reference' "
            "for the in-process reference; the same command twice starts two processes",
        )
    parser.add_argument(
        "--out",
        default="teleport-report",
        help="report path without suffix (.json; default: %(default)s)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        choices=list(SCENARIOS),
        help="only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--one-way", action="store_true", help="only A → B → A, not B → A → B as well"
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        help="seconds an adapter may take per response (default: %(default)g; a sandboxed "
        "actor's first step may compile the interpreter)",
    )
    parser.add_argument(
        "--progress", action="store_true", help="a line on stderr as each scenario ends"
    )
    parser.set_defaults(handler=run_teleport)
