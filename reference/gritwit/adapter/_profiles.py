"""The commands of each profile (ADP-006), and a reference that claims only some of them.

:data:`PROFILE_COMMANDS` is the table of spec chapter *adapter protocol* (ADP-009,
ADP-010, ADP-014 … ADP-019, ADP-021) as data; the conformance harness reads it too.
:func:`refusal` is what ``gritwit adapter --profiles P …`` answers to a request of a
profile it was told not to claim: the answer an implementation without that
profile gives, so that a test using it without declaring it fails (ADP-006).
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["GENESIS_PROFILE_ARGUMENTS", "PROFILE_COMMANDS", "profiles_needed", "refusal"]

_WIT: Final = (
    "wit-open",
    "wit-genesis",
    "wit-send",
    "wit-run",
    "wit-head",
    "wit-object",
    "wit-query",
    "wit-close",
)

#: The ``runtime`` profile's commands (ADP-015); ``services`` adds to them (ADP-023).
_RT: Final = (
    "rt-open",
    "rt-genesis",
    "rt-send",
    "rt-run",
    "rt-head",
    "rt-object",
    "rt-query",
    "rt-ref",
    "rt-events",
    "rt-evict",
    "rt-fork",
    "rt-revert",
    "rt-clear",
    "rt-export",
    "rt-import",
    "rt-verify",
    "rt-erase",
    "rt-close",
)

#: The commands each profile requires (ADP-006); ``wasm`` and ``sandbox`` add to ``wit``'s.
PROFILE_COMMANDS: Final[dict[str, tuple[str, ...]]] = {
    "codec": ("encode", "decode", "id", "decode-value", "hash"),
    "store": (
        "store-open",
        "put",
        "get",
        "has",
        "ref-get",
        "ref-cas",
        "ref-list",
        "store-corrupt",
        "store-reopen",
        "store-close",
    ),
    "wit": _WIT,
    "runtime": _RT,
    "wasm": (*_WIT, "wasm-load"),  # ADP-016
    "perf": ("perf-run",),  # ADP-018
    "sandbox": (*_WIT, "sandbox-info", "sandbox-run"),  # ADP-019
    "http": ("http-serve", "http-stop"),  # ADP-021
    "services": (*_RT, "rt-clock", "rt-timers"),  # ADP-023
    "port": (*_RT, "rt-clock"),  # ADP-024: rt-open's port
}

#: A genesis argument that names a Wit only another profile runs: a Wasm ``module``
#: (ADP-016) or a Python ``program`` (ADP-019.7), in ``wit-genesis`` and ``rt-genesis``.
GENESIS_PROFILE_ARGUMENTS: Final = {"module": "wasm", "program": "sandbox"}
_GENESIS: Final = frozenset({"wit-genesis", "rt-genesis"})


def profiles_needed(cmd: str, args: dict[str, Any]) -> list[frozenset[str]]:
    """The profiles a request needs (ADP-006), as alternatives: one of each set suffices.

    The first set, when there is one, is the command's: ``wit-open`` is a command of
    ``wit``, ``wasm`` and ``sandbox`` alike.  A ``wit-genesis`` or ``rt-genesis`` of a
    ``module`` also needs ``wasm``, one of a ``program`` ``sandbox``.  ``hello``,
    ``shutdown`` and unknown commands need nothing (ADP-005, ADP-008, ADP-011).
    """
    owners = frozenset(p for p, commands in PROFILE_COMMANDS.items() if cmd in commands)
    if not owners:
        return []
    needs = [owners]
    if cmd in _GENESIS:
        needs += [frozenset({p}) for arg, p in GENESIS_PROFILE_ARGUMENTS.items() if arg in args]
    return needs


def refusal(cmd: str, args: dict[str, Any], claimed: frozenset[str]) -> tuple[str, str] | None:
    """``(class, message)`` an adapter claiming only ``claimed`` answers, or None to serve.

    A command no claimed profile has is ``unsupported-command`` (ADP-008); a genesis
    of a ``module`` or ``program`` whose profile is not claimed is ``bad-request``
    (its Wit is an argument the adapter does not know, and ``actor`` is missing).
    """
    needs = profiles_needed(cmd, args)
    if needs and not needs[0] & claimed:
        return "unsupported-command", f"{cmd} belongs to {sorted(needs[0])}, not claimed"
    for need in needs[1:]:
        if not need & claimed:
            (profile,) = need
            return "bad-request", f"the profile {profile} is not claimed"
    return None
