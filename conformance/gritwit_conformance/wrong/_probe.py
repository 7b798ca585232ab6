"""Probe a wrong adapter: does it answer differently from the reference?

Each open-loop wrong adapter (``open_*`` modules, each declaring its ``ROW``)
carries ``PROBE``: a list of protocol requests (without ``seq``) that shows its
bug.  This module sends ``hello`` and then the probe to a fresh reference
adapter and a fresh wrong adapter, each over stdio, and compares the answers::

    python -m gritwit_conformance.wrong._probe open_codec_example

It prints the first request whose answers differ and exits 0, or exits 1 when
every answer agrees (the probe does not show the bug).  The probe is the
proof that an entry is a real behavioural difference and not a no-op; it says
nothing about whether the conformance suite catches it.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
from typing import Any

Json = dict[str, Any]


def _fill(value: Any, tmp: str) -> Any:
    """``value`` with ``{tmp}`` in every string replaced by a fresh directory of this run."""
    if isinstance(value, str):
        return value.replace("{tmp}", tmp)
    if isinstance(value, list):
        return [_fill(v, tmp) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, tmp) for k, v in value.items()}
    return value


def _exchange(argv: list[str], requests: list[Json], timeout: float) -> list[Json]:
    """Run ``argv`` as an adapter, send hello then ``requests``; return the answers to them.

    The string ``{tmp}`` in any request stands for a fresh empty directory of this
    run (durable stores and runtimes need a path of their own per adapter).
    """
    with tempfile.TemporaryDirectory(prefix="gritwit-probe-") as tmp:
        return _exchange_in(argv, _fill(requests, tmp), timeout)


def _exchange_in(argv: list[str], requests: list[Json], timeout: float) -> list[Json]:
    lines = [{"seq": 0, "cmd": "hello", "protocol": 1}]
    lines += [{**request, "seq": i + 1} for i, request in enumerate(requests)]
    lines.append({"seq": len(lines), "cmd": "shutdown"})
    text = "".join(json.dumps(line) + "\n" for line in lines)
    done = subprocess.run(
        argv, input=text.encode(), capture_output=True, timeout=timeout, check=False
    )
    answers: list[Json] = []
    for raw in done.stdout.decode("utf-8", "replace").splitlines():
        try:
            answers.append(json.loads(raw))
        except ValueError:
            answers.append({"unparsable": raw})
    by_seq = {a.get("seq"): a for a in answers if isinstance(a, dict)}
    return [by_seq.get(i + 1, {"missing": True}) for i in range(len(requests))]


def _normal(answer: Json) -> Json:
    """An answer without its free text (messages may differ harmlessly)."""
    answer = dict(answer)
    answer.pop("seq", None)
    error = answer.get("error")
    if isinstance(error, dict):
        answer["error"] = {k: v for k, v in error.items() if k not in ("message", "requirement")}
    return answer


def differs(name: str, timeout: float = 120.0) -> tuple[int, Json, Json, Json] | None:
    """The first (index, request, reference answer, wrong answer) that differ, or None."""
    module = importlib.import_module(f"gritwit_conformance.wrong.{name}")
    requests: list[Json] = list(module.PROBE)
    reference = _exchange([sys.executable, "-m", "gritwit", "adapter"], requests, timeout)
    wrong = _exchange(
        [sys.executable, "-m", f"gritwit_conformance.wrong.{name}"], requests, timeout
    )
    for i, (want, got) in enumerate(zip(reference, wrong, strict=True)):
        if _normal(want) != _normal(got):
            return i, requests[i], want, got
    return None


def main(argv: list[str]) -> int:
    status = 0
    for name in argv:
        found = differs(name)
        if found is None:
            print(f"{name}: SAME answers as the reference: the probe does not show the bug")
            status = 1
            continue
        i, request, want, got = found
        print(f"{name}: differs at request {i}: {json.dumps(request)[:400]}")
        print(f"  reference: {json.dumps(want)[:400]}")
        print(f"  wrong:     {json.dumps(got)[:400]}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
