"""No test takes a lock shared with other checkouts.

A lock in the temporary folder is shared by every checkout of the same user: a test
run's xdist worker waited 40+ minutes behind another checkout's instruction gate,
printing nothing.  The locks the tests and gates need live in the checkout's own folder
(``asv_bench._lock``, the gate's module cache), and a wait longer than a few seconds
says what it waits for.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from asv_bench._lock import LOCKS, checkout_lock

ROOT = Path(__file__).resolve().parents[2]
#: A lock file named under the temporary folder, on one statement.
_TEMP_LOCK = re.compile(r"(gettempdir\(\)|[\"']/tmp/)[^\n]*\.lock")


def test_the_locks_live_in_the_checkout() -> None:
    assert LOCKS.parent == ROOT


def test_no_test_or_tool_names_a_lock_in_the_temporary_folder() -> None:
    places = [
        *(ROOT / "reference" / "tests").glob("*.py"),
        *(ROOT / "conformance" / "tests").glob("*.py"),
        *(ROOT / "asv_bench").rglob("*.py"),
    ]
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in places
        if path.name != Path(__file__).name
        for match in _TEMP_LOCK.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
    # The check bites on the form that was found.
    assert _TEMP_LOCK.search('LOCK = Path(tempfile.gettempdir()) / "gritwit-x.lock"')


def test_a_long_wait_says_what_it_waits_for(tmp_path: Path) -> None:
    said: list[str] = []
    entered = threading.Event()
    with checkout_lock("turns", "another run", folder=tmp_path) as path:

        def second() -> None:
            with checkout_lock(
                "turns", "another run", folder=tmp_path, patience=0.2, say=said.append
            ):
                entered.set()

        thread = threading.Thread(target=second)
        thread.start()
        while not said and thread.is_alive():
            time.sleep(0.05)
        assert not entered.is_set(), "the second holder went on while the first held the lock"
        assert said == [f"waiting for {path}: another run holds it"], said
    thread.join(timeout=60)
    assert entered.is_set()
    assert said[-1].startswith(f"got {path} after "), said


def test_a_free_lock_says_nothing(tmp_path: Path) -> None:
    said: list[str] = []
    with checkout_lock("turns", "another run", folder=tmp_path, patience=0.0, say=said.append):
        pass
    with checkout_lock("turns", "another run", folder=tmp_path, patience=0.0, say=said.append):
        pass
    assert said == []
